// The Reddit emulator over HTTP as a Reddit client sees it, for reddit-sandbox-*.test.ts: a
// sandbox per file (useRedditSandbox), reset with a fresh bot token before each test, the token
// endpoint, API calls as the bot, and the sandbox's own routes for seeding posts and comments.
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import type { Sandbox } from '../../sandbox/index.js';
import { startSandbox } from '../../sandbox/index.js';
import { REDDIT_DEFAULTS, redditEmulator } from '../../sandbox/reddit/index.js';

export const emulators = { reddit: redditEmulator };
export type RedditSandbox = Sandbox<typeof emulators>;

export const UA = 'test:townhall.sandbox:1.0 (by /u/townhall_bot)';
export const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

export interface Thing {
  kind: string;
  data: Record<string, unknown> & { name: string };
}
export interface Listing {
  kind: 'Listing';
  data: { after: string | null; before: string | null; dist: number | null; children: Thing[] };
}

export const passwordGrant = {
  grant_type: 'password',
  username: REDDIT_DEFAULTS.username,
  password: REDDIT_DEFAULTS.password,
};

export const names = (listing: Listing) => listing.data.children.map((child) => child.data.name);

/**
 * Registers the hooks for one test file (a sandbox started before all its tests and stopped
 * after, reset and a new bot token before each) and returns calls that read this file's sandbox,
 * Reddit URL and token as they are now: `setToken` and `pointAt` change them for the rest of a
 * test, until the next reset.
 */
export function useRedditSandbox() {
  let current: RedditSandbox | undefined;
  let reddit = '';
  let token = '';

  function sandbox(): RedditSandbox {
    if (!current) throw new Error('useRedditSandbox: the sandbox is not started yet');
    return current;
  }
  /** Sends the Reddit API (token endpoint included) to `target`'s emulator. */
  function pointAt(target: RedditSandbox) {
    reddit = `${target.url}/reddit`;
  }

  async function grant(
    form: Record<string, string>,
    auth = basic('sandbox-reddit-client', 'sandbox-reddit-secret'),
  ) {
    const res = await fetch(`${reddit}/api/v1/access_token`, {
      method: 'POST',
      headers: { authorization: auth, 'user-agent': UA },
      body: new URLSearchParams(form),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  async function newToken(): Promise<string> {
    const { body } = await grant(passwordGrant);
    return body.access_token as string;
  }

  /** An API call as the bot: JSON back, with the response for its headers. */
  async function api<T = unknown>(path: string, init: { form?: Record<string, string> } = {}) {
    const res = await fetch(`${reddit}${path}`, {
      method: init.form ? 'POST' : 'GET',
      headers: { authorization: `bearer ${token}`, 'user-agent': UA },
      ...(init.form ? { body: new URLSearchParams(init.form) } : {}),
    });
    return { res, body: (await res.json()) as T };
  }

  async function sandboxPost<T = Thing>(what: string, body: unknown) {
    const res = await fetch(`${sandbox().url}/_sandbox/reddit/${what}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as T };
  }

  async function submit(body: Record<string, unknown>): Promise<Thing> {
    const { status, body: thing } = await sandboxPost('submit', { subreddit: 'townhall', ...body });
    expect(status).toBe(201);
    return thing;
  }

  beforeAll(async () => {
    current = await startSandbox({ port: 0, emulators });
    pointAt(current);
  });
  afterAll(() => current?.stop());
  beforeEach(async () => {
    pointAt(sandbox());
    await fetch(`${sandbox().url}/_sandbox/reset`, { method: 'POST' });
    token = await newToken();
  });

  return {
    sandbox,
    /** The Reddit API's base URL, as `${sandbox.url}/reddit`. */
    redditUrl: () => reddit,
    token: () => token,
    setToken: (value: string) => {
      token = value;
    },
    pointAt,
    grant,
    newToken,
    api,
    sandboxPost,
    submit,
  };
}
