// Signed deliveries as the platforms send them, built ahead of the clock where possible so the
// generator's own work stays small: Slack's Events API and Discourse's webhooks. A forged copy
// differs only in its signature, so the floor arm does the same parsing work up to the check.
import { signDiscourseBody } from '../../connectors/discourse/signature.js';
import { signSlackRequest } from '../../connectors/slack/signature.js';
import type { BenchRequest } from './load.js';

export const BENCH_SECRETS = {
  slackSigning: 'bench-slack-signing-secret',
  slackBot: 'xoxb-bench-bot-token',
  discourseWebhook: 'bench-discourse-webhook-secret',
  discourseApiKey: 'bench-discourse-api-key',
};

/** Each platform a bench hub hears: its `connectors:` entry and the sandbox's matching options. */
const PLATFORMS = {
  slack: {
    yaml: (sandboxUrl: string) => `  slack:
    signingSecret: ${BENCH_SECRETS.slackSigning}
    botToken: ${BENCH_SECRETS.slackBot}
    apiUrl: ${sandboxUrl}/api/`,
    sandbox: { signingSecret: BENCH_SECRETS.slackSigning, botToken: BENCH_SECRETS.slackBot },
  },
  discourse: {
    yaml: (sandboxUrl: string) => `  discourse:
    baseUrl: ${sandboxUrl}
    apiKey: ${BENCH_SECRETS.discourseApiKey}
    webhookSecret: ${BENCH_SECRETS.discourseWebhook}`,
    sandbox: {
      webhookSecret: BENCH_SECRETS.discourseWebhook,
      apiKey: BENCH_SECRETS.discourseApiKey,
    },
  },
};
type BenchPlatform = keyof typeof PLATFORMS;

/** The `connectors:` entries of a bench hub's config, signed with BENCH_SECRETS, at the sandbox. */
export const benchConnectorsYaml = (sandboxUrl: string, platforms: BenchPlatform[]) =>
  platforms.map((platform) => PLATFORMS[platform].yaml(sandboxUrl)).join('\n');

/** The sandbox's vendor options that accept what the bench hubs sign and send. */
export const benchSandboxVendors = (platforms: BenchPlatform[]) =>
  Object.fromEntries(platforms.map((platform) => [platform, PLATFORMS[platform].sandbox]));

export interface SignOptions {
  /** A wrong signature of the right shape: the floor arm (401, nothing stored). */
  forged?: boolean;
}

const forge = (signature: string) =>
  signature.slice(0, -4) + (signature.endsWith('0000') ? '1111' : '0000');

function slackRequest(event: Record<string, unknown>, eventId: string, options: SignOptions) {
  const body = Buffer.from(
    JSON.stringify({
      token: 'x',
      team_id: 'T0BENCH',
      api_app_id: 'A0BENCH',
      event,
      type: 'event_callback',
      event_id: eventId,
      event_time: Math.floor(Date.now() / 1000),
      authed_users: [],
    }),
  );
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = signSlackRequest(BENCH_SECRETS.slackSigning, timestamp, body);
  return {
    path: '/webhooks/slack',
    headers: {
      'content-type': 'application/json',
      'x-slack-request-timestamp': timestamp,
      'x-slack-signature': options.forged ? forge(signature) : signature,
    },
    body,
  } satisfies BenchRequest;
}

/** A member joining the Slack workspace: `team_join`. */
export function slackJoin(run: string, n: number, options: SignOptions = {}): BenchRequest {
  const id = `UB${run}${n}`.toUpperCase();
  return slackRequest(
    {
      type: 'team_join',
      event_ts: `${Math.floor(Date.now() / 1000)}.000100`,
      user: {
        id,
        team_id: 'T0BENCH',
        name: `bench${run}${n}`,
        profile: { email: `bench-${run}-${n}@example.com`, real_name: `Bench Member ${n}` },
      },
    },
    `EvJ${run}${n}`,
    options,
  );
}

const CHANNEL = 'C0BENCHGEN';
const tsOf = (n: number) => `${1_700_000_000 + n}.${String(n % 1_000_000).padStart(6, '0')}`;

/** A message in a channel by one of `members` Slack users. */
export function slackMessage(run: string, n: number, members: number, options: SignOptions = {}) {
  return slackRequest(
    {
      type: 'message',
      channel: CHANNEL,
      channel_type: 'channel',
      user: `UM${run}${n % members}`.toUpperCase(),
      text: `Benchmark message ${n}: has anyone tried the new release?`,
      ts: tsOf(n),
      event_ts: tsOf(n),
    },
    `EvM${run}${n}`,
    options,
  );
}

/** A reaction to an earlier message. */
export function slackReaction(run: string, n: number, members: number, options: SignOptions = {}) {
  return slackRequest(
    {
      type: 'reaction_added',
      user: `UM${run}${n % members}`.toUpperCase(),
      reaction: 'thumbsup',
      item: { type: 'message', channel: CHANNEL, ts: tsOf(Math.max(0, n - 1)) },
      item_user: `UM${run}${(n + 1) % members}`.toUpperCase(),
      event_ts: tsOf(n),
    },
    `EvR${run}${n}`,
    options,
  );
}

function discourseRequest(
  forumUrl: string,
  event: 'post_created' | 'post_liked',
  payload: unknown,
  deliveryId: number,
  options: SignOptions,
): BenchRequest {
  const body = Buffer.from(JSON.stringify(payload));
  const signature = signDiscourseBody(BENCH_SECRETS.discourseWebhook, body);
  return {
    path: '/webhooks/discourse',
    headers: {
      'content-type': 'application/json',
      'x-discourse-instance': forumUrl,
      'x-discourse-event-id': String(deliveryId),
      'x-discourse-event-type': event === 'post_created' ? 'post' : 'like',
      'x-discourse-event': event,
      'x-discourse-event-signature': options.forged ? forge(signature) : signature,
    },
    body,
  };
}

/** A Discourse post (run-unique ids: post ids are the events' ids). */
function post(run: number, n: number, members: number) {
  const user = n % members;
  return {
    id: run * 10_000_000 + n,
    topic_id: 77,
    post_number: 2 + n,
    post_type: 1,
    user_id: 10_000 + user,
    username: `bench${user}`,
    name: `Bench ${user}`,
    created_at: new Date().toISOString(),
    raw: `Benchmark reply ${n}: that worked for me too.`,
    cooked: `<p>Benchmark reply ${n}: that worked for me too.</p>`,
    category_id: 4,
    topic_archetype: 'regular',
    post_url: `/t/bench/77/${2 + n}`,
    admin: false,
    moderator: false,
  };
}

export function discoursePost(
  forumUrl: string,
  run: number,
  n: number,
  members: number,
  options: SignOptions = {},
): BenchRequest {
  return discourseRequest(forumUrl, 'post_created', { post: post(run, n, members) }, n, options);
}

export function discourseLike(
  forumUrl: string,
  run: number,
  n: number,
  members: number,
  options: SignOptions = {},
): BenchRequest {
  const liker = (n + 1) % members;
  return discourseRequest(
    forumUrl,
    'post_liked',
    {
      like: {
        post: post(run, Math.max(0, n - 1), members),
        user: { id: 10_000 + liker, username: `bench${liker}`, name: `Bench ${liker}` },
      },
    },
    n,
    options,
  );
}
