// The Reddit tests' side: the hub's connector section pointed at the sandbox's Reddit, members
// posting and commenting there, and what the emulator saw.
import { expect } from 'vitest';
import type { Sandbox } from '../../sandbox/index.js';
import { REDDIT_DEFAULTS } from '../../sandbox/reddit/index.js';

/** `connectors.reddit` as YAML under `connectors:`, watching `subreddit`. */
export function redditYaml(
  sandbox: Sandbox,
  options: {
    subreddit: string;
    pollEvery?: string;
    quietPollEvery?: string;
    queriesPerMinute?: number;
  },
): string {
  const pollEvery = options.pollEvery ?? '300ms';
  return `  reddit:
    clientId: ${REDDIT_DEFAULTS.clientId}
    clientSecret: ${REDDIT_DEFAULTS.clientSecret}
    username: ${REDDIT_DEFAULTS.username}
    password: ${REDDIT_DEFAULTS.password}
    subreddits: [${options.subreddit}]
    pollEvery: ${pollEvery}
    # One pace unless a test says otherwise: a quiet spell would otherwise slow what comes next.
    quietPollEvery: ${options.quietPollEvery ?? pollEvery}
    queriesPerMinute: ${options.queriesPerMinute ?? 100}
    apiUrl: ${sandbox.url}/reddit
    authUrl: ${sandbox.url}/reddit`;
}

export interface Thing {
  kind: 't1' | 't3';
  data: { name: string; author: string; body?: string; title?: string; parent_id?: string };
}

/** A member's post (no parent) or comment, made in the sandbox as Reddit would hold it. */
export async function submit(
  sandbox: { url: string },
  thing: {
    subreddit: string;
    author: string;
    text: string;
    title?: string;
    parent?: string;
    moderator?: boolean;
  },
): Promise<Thing> {
  const response = await fetch(`${sandbox.url}/_sandbox/reddit/submit`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(thing),
  });
  const answer = (await response.json()) as Thing;
  expect(response.status, JSON.stringify(answer)).toBe(201);
  return answer;
}

export interface LoggedRequest {
  at: number;
  method: string;
  path: string;
  clientId: string | null;
  status: number | null;
}

/** Every request the emulator answered, oldest first. */
export const redditRequests = async (sandbox: { url: string }): Promise<LoggedRequest[]> =>
  (await (await fetch(`${sandbox.url}/_sandbox/reddit/requests`)).json()) as LoggedRequest[];

/** The most requests any `windowMs` held, among `requests`. */
export function busiestWindow(requests: readonly { at: number }[], windowMs: number): number {
  const times = requests.map((request) => request.at).sort((a, b) => a - b);
  let most = 0;
  for (let start = 0, end = 0; end < times.length; end++) {
    while (times[end]! - times[start]! >= windowMs) start++;
    most = Math.max(most, end - start + 1);
  }
  return most;
}
