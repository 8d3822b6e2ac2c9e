// The Slack connector against the sandbox's Web API emulator, for slack-client-*.test.ts: a
// sandbox and a test database per file (useSlackEmulator), the connector with and without
// townhall's effect ledger, and what the emulator holds and was asked.
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { ConnectorError } from '../../connectors/errors.js';
import type { PostedMessage, SlackAttempt, SlackConnector } from '../../connectors/slack/client.js';
import { createSlackConnector } from '../../connectors/slack/client.js';
import type { DirectMessenger } from '../../connectors/ports.js';
import { sendOnce } from '../../activities/send-once.js';
import { createLogger } from '../../runtime/logger.js';
import type { Sandbox } from '../../sandbox/index.js';
import { startSandbox } from '../../sandbox/index.js';
import type { TestDb } from './db.js';
import { openTestDb } from './db.js';
import { freePort } from './ports.js';

export const TOKEN = 'xoxb-test-bot-token';
export const GENERAL = 'C0GENERAL';
export const ADA = 'U0ADALOVE';

// Set by useSlackEmulator's beforeAll. Exported bindings are live: importers see the values.
export let sandbox: Sandbox;
let t: TestDb;
const logger = createLogger('test');
logger.level = 'silent';

/** The posting actions with a plain dedup key, as the tests call them. */
export type Keyed = Omit<SlackConnector, 'postMessage' | 'replyInThread' | 'sendDirectMessage'> & {
  postMessage(channel: string, text: string, key: string): Promise<PostedMessage>;
  replyInThread(
    channel: string,
    threadTs: string,
    text: string,
    key: string,
  ): Promise<PostedMessage>;
  sendDirectMessage(userId: string, text: string, key: string): Promise<PostedMessage>;
};
/** The production shape: WebClient behind townhall's one effect ledger (sendOnce). */
export let slack: Keyed;
/** Without a ledger: dedup by searching Slack's history before every post. */
export let ledgerless: Keyed;

export const connector = (overrides: { botToken?: string; apiUrl?: string } = {}) =>
  createSlackConnector({
    botToken: TOKEN,
    apiUrl: `${sandbox.url}/api/`,
    timeoutMs: 2_000,
    ...overrides,
  });

/** Runs one post through the ledger; a confirmed repeat is answered from it, as activities do. */
async function once(
  key: string,
  post: (attempt: SlackAttempt) => Promise<PostedMessage>,
  threadTs?: string,
): Promise<PostedMessage> {
  const outcome = await sendOnce({ db: t.db, logger }, key, 'slack', {
    findsEarlier: true,
    run: async (attempt) => {
      const posted = await post(attempt);
      return { messageId: `${posted.channel}:${posted.ts}`, posted };
    },
  });
  if (outcome.status === 'sent') return outcome.receipt.posted;
  const [channel = '', ts = ''] = (
    outcome.status === 'already' ? (outcome.messageId ?? '') : ''
  ).split(':');
  return { channel, ts, ...(threadTs ? { threadTs } : {}), created: false };
}

function withLedger(raw: SlackConnector): Keyed {
  return {
    ...raw,
    postMessage: (channel, text, key) => once(key, (a) => raw.postMessage(channel, text, a)),
    replyInThread: (channel, threadTs, text, key) =>
      once(key, (a) => raw.replyInThread(channel, threadTs, text, a), threadTs),
    sendDirectMessage: (userId, text, key) =>
      once(key, (a) => raw.sendDirectMessage(userId, text, a)),
  };
}

function withoutLedger(raw: SlackConnector): Keyed {
  const unknown = (dedupKey: string) => ({ dedupKey, earlierAttemptSince: 'unknown' as const });
  return {
    ...raw,
    postMessage: (channel, text, key) => raw.postMessage(channel, text, unknown(key)),
    replyInThread: (channel, threadTs, text, key) =>
      raw.replyInThread(channel, threadTs, text, unknown(key)),
    sendDirectMessage: (userId, text, key) => raw.sendDirectMessage(userId, text, unknown(key)),
  };
}

/** A messenger's sends through the ledger, as the dm.send activity makes them. */
export const viaLedger =
  (messenger: DirectMessenger) =>
  async (
    input: Omit<Parameters<DirectMessenger['sendDirectMessage']>[0], 'earlierAttemptSince'>,
  ) => {
    const outcome = await sendOnce({ db: t.db, logger }, input.dedupKey, 'dm:slack', {
      findsEarlier: true,
      run: (attempt) => messenger.sendDirectMessage({ ...input, ...attempt }),
    });
    return outcome.status === 'sent'
      ? outcome.receipt
      : { messageId: outcome.status === 'already' ? outcome.messageId : null, created: false };
  };

interface SandboxMessage {
  channel: string;
  ts: string;
  thread_ts: string | null;
  text: string;
  user: string;
  bot_id: string | null;
  metadata: { event_type: string; event_payload: { dedup_key?: string } } | null;
}

export const messages = async (channel?: string) =>
  (await (
    await fetch(`${sandbox.url}/_sandbox/slack/messages${channel ? `?channel=${channel}` : ''}`)
  ).json()) as SandboxMessage[];
export const withKey = async (key: string) =>
  (await messages()).filter((m) => m.metadata?.event_payload.dedup_key === key);
export const calls = async () =>
  (
    (await (await fetch(`${sandbox.url}/_sandbox/slack/calls`)).json()) as {
      method: string;
      params?: Record<string, string>;
    }[]
  ).map(({ method, params }) => ({ method, params }));

export async function seed(body: unknown): Promise<{ channel: string; ts: string }[]> {
  const response = await fetch(`${sandbox.url}/_sandbox/slack/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(201);
  const created = (await response.json()) as { channel: string; ts: string }[] | { ts: string };
  return Array.isArray(created) ? created : [created as { channel: string; ts: string }];
}

export async function fault(body: Record<string, unknown>) {
  const response = await fetch(`${sandbox.url}/_sandbox/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ vendor: 'slack', ...body }),
  });
  expect(response.status).toBe(201);
}

export async function api(
  method: string,
  init: { body?: string; type?: string; token?: string | null },
) {
  const response = await fetch(`${sandbox.url}/api/${method}`, {
    method: 'POST',
    headers: {
      ...(init.token === null ? {} : { authorization: `Bearer ${init.token ?? TOKEN}` }),
      ...(init.body !== undefined
        ? { 'content-type': init.type ?? 'application/x-www-form-urlencoded' }
        : {}),
    },
    ...(init.body !== undefined ? { body: init.body } : {}),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/**
 * What Temporal does for an activity, in miniature: retry a retryable ConnectorError, waiting
 * the vendor's advertised Retry-After when there is one (nextRetryDelay), else a short backoff.
 */
export async function withRetries<T>(
  action: () => Promise<T>,
  seen: ConnectorError[] = [],
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await action();
    } catch (error) {
      if (!(error instanceof ConnectorError) || !error.retryable || attempt >= 8) throw error;
      seen.push(error);
      await new Promise((resolve) => setTimeout(resolve, error.retryAfterMs ?? 100));
    }
  }
}

/** A test database and a sandbox (Slack accepts TOKEN) for this file, reset before each test. */
export function useSlackEmulator() {
  beforeAll(async () => {
    t = await openTestDb();
    sandbox = await startSandbox({
      port: await freePort(),
      vendors: { slack: { botToken: TOKEN } },
    });
    slack = withLedger(connector());
    ledgerless = withoutLedger(connector());
  });
  beforeEach(async () => {
    await fetch(`${sandbox.url}/_sandbox/reset`, { method: 'POST' });
  });
  afterAll(async () => {
    await sandbox?.stop();
    await t?.close();
  });
}
