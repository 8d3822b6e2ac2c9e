import { readFileSync } from 'node:fs';
import { WebClient, WebAPIPlatformError } from '@slack/web-api';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConnectorError } from '../../connectors/errors.js';
import type { PostedMessage, SlackAttempt, SlackConnector } from '../../connectors/slack/client.js';
import { createSlackConnector } from '../../connectors/slack/client.js';
import { slackMessenger } from '../../connectors/slack/capabilities.js';
import type { DirectMessenger } from '../../connectors/ports.js';
import { sendOnce } from '../../activities/send-once.js';
import { createLogger } from '../../runtime/logger.js';
import type { Sandbox } from '../../sandbox/index.js';
import { startSandbox } from '../../sandbox/index.js';
import { DEFAULT_SLACK_SPEC } from '../../sandbox/slack/spec.js';
import type { TestDb } from '../support/db.js';
import { openTestDb } from '../support/db.js';
import { freePort } from '../support/ports.js';

const TOKEN = 'xoxb-test-bot-token';
const GENERAL = 'C0GENERAL';
const ADA = 'U0ADALOVE';

let sandbox: Sandbox;
let t: TestDb;
const logger = createLogger('test');
logger.level = 'silent';

/** The posting actions with a plain dedup key, as the tests call them. */
type Keyed = Omit<SlackConnector, 'postMessage' | 'replyInThread' | 'sendDirectMessage'> & {
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
let slack: Keyed;
/** Without a ledger: dedup by searching Slack's history before every post. */
let ledgerless: Keyed;

const connector = (overrides: { botToken?: string; apiUrl?: string } = {}) =>
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
const viaLedger =
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

const messages = async (channel?: string) =>
  (await (
    await fetch(`${sandbox.url}/_sandbox/slack/messages${channel ? `?channel=${channel}` : ''}`)
  ).json()) as SandboxMessage[];
const withKey = async (key: string) =>
  (await messages()).filter((m) => m.metadata?.event_payload.dedup_key === key);
const calls = async () =>
  (
    (await (await fetch(`${sandbox.url}/_sandbox/slack/calls`)).json()) as {
      method: string;
      params?: Record<string, string>;
    }[]
  ).map(({ method, params }) => ({ method, params }));

async function seed(body: unknown): Promise<{ channel: string; ts: string }[]> {
  const response = await fetch(`${sandbox.url}/_sandbox/slack/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(201);
  const created = (await response.json()) as { channel: string; ts: string }[] | { ts: string };
  return Array.isArray(created) ? created : [created as { channel: string; ts: string }];
}

async function fault(body: Record<string, unknown>) {
  const response = await fetch(`${sandbox.url}/_sandbox/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ vendor: 'slack', ...body }),
  });
  expect(response.status).toBe(201);
}

async function api(method: string, init: { body?: string; type?: string; token?: string | null }) {
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
async function withRetries<T>(action: () => Promise<T>, seen: ConnectorError[] = []): Promise<T> {
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

describe('Slack connector (real WebClient) against the emulator', () => {
  it('posts once per dedup key; a confirmed key is answered from the ledger', async () => {
    const first = await slack.postMessage(GENERAL, 'Welcome, Ada!', 'onboarding:m-1/step-2');
    expect(first).toMatchObject({ channel: GENERAL, ts: expect.stringMatching(/^\d+\.\d{6}$/) });
    expect(first.created).toBe(true);
    const again = await slack.postMessage(GENERAL, 'Welcome, Ada!', 'onboarding:m-1/step-2');
    expect(again).toEqual({ ...first, created: false });

    expect(await messages(GENERAL)).toEqual([
      expect.objectContaining({
        ts: first.ts,
        text: 'Welcome, Ada!',
        user: 'U0TOWNBOT',
        bot_id: 'B0TOWNBOT',
        thread_ts: null,
        metadata: {
          event_type: 'townhall_post',
          event_payload: { dedup_key: 'onboarding:m-1/step-2' },
        },
      }),
    ]);
    // The first post costs one call; the confirmed repeat costs none.
    expect((await calls()).map((c) => c.method)).toEqual(['chat.postMessage']);
    const other = await slack.postMessage(GENERAL, 'Welcome, Grace!', 'onboarding:m-2/step-2');
    expect(other.created).toBe(true);
    expect(other.ts > first.ts).toBe(true);
  });

  it('replies in a thread once per dedup key', async () => {
    const [root] = await seed({ channel: GENERAL, user: ADA, text: 'The reset email never came' });
    const reply = await slack.replyInThread(
      GENERAL,
      root!.ts,
      'A ticket was opened: #4521',
      'handoff:slack:1/link',
    );
    expect(reply).toMatchObject({ channel: GENERAL, threadTs: root!.ts, created: true });
    expect(
      await slack.replyInThread(
        GENERAL,
        root!.ts,
        'A ticket was opened: #4521',
        'handoff:slack:1/link',
      ),
    ).toEqual({ ...reply, created: false });
    const inChannel = await messages(GENERAL);
    expect(inChannel).toHaveLength(2);
    expect(inChannel[1]).toMatchObject({ ts: reply.ts, thread_ts: root!.ts, bot_id: 'B0TOWNBOT' });
  });

  it('opens the DM with conversations.open, then posts in it, once per dedup key', async () => {
    const dm = await slack.sendDirectMessage(ADA, 'Hi Ada, welcome aboard', 'onboarding:m-1/dm');
    expect(dm).toMatchObject({ channel: expect.stringMatching(/^D/), created: true });
    expect(
      (await slack.sendDirectMessage(ADA, 'Hi Ada, welcome aboard', 'onboarding:m-1/dm')).created,
    ).toBe(false);
    expect(await messages(dm.channel)).toEqual([
      expect.objectContaining({ text: 'Hi Ada, welcome aboard', user: 'U0TOWNBOT' }),
    ]);
    // The confirmed repeat is answered from the ledger before anything reaches Slack.
    expect(await calls()).toEqual([
      { method: 'conversations.open', params: { users: ADA } },
      {
        method: 'chat.postMessage',
        params: expect.objectContaining({ channel: dm.channel, text: 'Hi Ada, welcome aboard' }),
      },
    ]);
    // The same action behind the DirectMessenger contract the onboarding dm.send step uses.
    const messenger = { sendDirectMessage: viaLedger(slackMessenger(connector())) };
    const input = {
      to: { userId: 'U0GRACEHO' },
      text: 'Hi Grace',
      subject: 'unused',
      dedupKey: 'dm-2',
    };
    const sent = await messenger.sendDirectMessage(input);
    expect(sent).toEqual({ messageId: expect.stringMatching(/^D\w+:\d+\.\d{6}$/), created: true });
    expect(await messenger.sendDirectMessage(input)).toEqual({ ...sent, created: false });
    const unknown = await slack.sendDirectMessage('U0NOBODY0', 'hi', 'k').catch((e: unknown) => e);
    expect(unknown).toMatchObject({ code: 'not_found', retryable: false });
  });

  it('looks users up by id and by email; nobody is undefined', async () => {
    const ada = {
      id: ADA,
      teamId: 'T0SANDBOX',
      handle: 'ada',
      realName: 'Ada Lovelace',
      displayName: 'ada',
      email: 'ada@example.com',
      isBot: false,
      deleted: false,
      timezone: 'Europe/London',
    };
    expect(await slack.lookupUser(ADA)).toEqual(ada);
    expect(await slack.lookupUserByEmail('ADA@example.com')).toEqual(ada);
    expect(await slack.lookupUser('U0NOBODY0')).toBeUndefined();
    expect(await slack.lookupUserByEmail('nobody@example.com')).toBeUndefined();
    expect((await calls()).map((c) => c.method)).toEqual([
      'users.info',
      'users.lookupByEmail',
      'users.info',
      'users.lookupByEmail',
    ]);

    // A user added through the sandbox is found too.
    const added = await fetch(`${sandbox.url}/_sandbox/slack/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'hedy', real_name: 'Hedy Lamarr', email: 'hedy@example.com' }),
    });
    expect(added.status).toBe(201);
    expect(await slack.lookupUserByEmail('hedy@example.com')).toMatchObject({
      handle: 'hedy',
      realName: 'Hedy Lamarr',
    });
  });

  it('says which scope is missing when the token may not read emails', async () => {
    const limited = 'xoxb-no-email-scope';
    await fetch(`${sandbox.url}/_sandbox/slack/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: limited, scopes: ['chat:write', 'users:read'] }),
    });
    const client = connector({ botToken: limited });
    const error = await client.lookupUserByEmail('ada@example.com').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'auth', retryable: false });
    expect((error as Error).message).toContain('users:read.email');
    // users.info still works, without the email (as Slack leaves it out without the scope).
    expect(await client.lookupUser(ADA)).toMatchObject({ handle: 'ada', email: null });
  });

  it('fetches a whole thread, following the cursor across pages', async () => {
    const [root] = await seed({ channel: GENERAL, user: ADA, text: 'Long thread' });
    const replies = Array.from({ length: 450 }, (_, i) => ({
      channel: GENERAL,
      user: i % 2 ? ADA : 'U0GRACEHO',
      text: `reply ${i + 1}`,
      thread_ts: root!.ts,
    }));
    await seed(replies);
    const thread = await slack.fetchThread(GENERAL, root!.ts);
    expect(thread).toHaveLength(451);
    expect(thread[0]).toMatchObject({ ts: root!.ts, text: 'Long thread', user: ADA });
    expect(thread.slice(1).map((m) => m.text)).toEqual(replies.map((r) => r.text));
    expect(new Set(thread.map((m) => m.ts)).size).toBe(451);
    const pages = (await calls()).filter((c) => c.method === 'conversations.replies');
    expect(pages).toHaveLength(3);
    expect(pages[0]!.params?.cursor).toBeUndefined();
    expect(pages[1]!.params?.cursor).toEqual(expect.any(String));
    expect(await slack.fetchThread(GENERAL, '1.000001').catch((e: unknown) => e)).toMatchObject({
      code: 'not_found',
    });
  });

  it.each([
    ['with the ledger', () => slack],
    ['without a ledger', () => ledgerless],
  ])(
    'posts once when the first answer is lost after Slack stored the message (%s)',
    async (_mode, client) => {
      // Slack stores the message, then the connection drops before the answer: the client sees
      // a network failure, exactly as if the request had never arrived.
      await fault({ drop: true, path: 'chat.postMessage' });
      const seen: ConnectorError[] = [];
      const post = await withRetries(
        () => client().postMessage(GENERAL, 'Your ticket #77 is solved', 'handoff:slack:7/solved'),
        seen,
      );
      expect(seen.map((e) => e.code)).toEqual(['unavailable']);
      expect(post.created).toBe(false);
      expect(await withKey('handoff:slack:7/solved')).toEqual([
        expect.objectContaining({ ts: post.ts, text: 'Your ticket #77 is solved' }),
      ]);
      // The retry found the earlier post by its metadata rather than posting again.
      const methods = (await calls()).map((c) => c.method);
      expect(methods.filter((m) => m === 'chat.postMessage')).toHaveLength(1);
      expect(methods.at(-1)).toBe('conversations.history');
    },
  );

  it('posts once in a thread and in a DM when their first answers are lost', async () => {
    const [root] = await seed({ channel: GENERAL, user: ADA, text: 'Help with billing' });
    await fault({ drop: true, path: 'chat.postMessage', count: 2 });
    const reply = await withRetries(() =>
      slack.replyInThread(GENERAL, root!.ts, 'Ticket #8 opened', 'handoff:slack:8/link'),
    );
    const dm = await withRetries(() =>
      slack.sendDirectMessage(ADA, 'Welcome!', 'onboarding:m-9/dm'),
    );
    expect([reply.created, dm.created]).toEqual([false, false]);
    expect(await withKey('handoff:slack:8/link')).toHaveLength(1);
    expect(await withKey('onboarding:m-9/dm')).toHaveLength(1);
  });

  it('ends a 429 storm with every action done exactly once, after the advertised waits', async () => {
    const [root] = await seed({ channel: GENERAL, user: ADA, text: 'Thread for the storm' });
    await fault({ status: 429, count: 3, retryAfterSeconds: 1 });
    const actions: Record<string, () => Promise<unknown>> = {
      postMessage: () => slack.postMessage(GENERAL, 'storm post', 'storm/post'),
      replyInThread: () => slack.replyInThread(GENERAL, root!.ts, 'storm reply', 'storm/reply'),
      sendDirectMessage: () => slack.sendDirectMessage(ADA, 'storm dm', 'storm/dm'),
      lookupUser: () => slack.lookupUser(ADA),
      lookupUserByEmail: () => slack.lookupUserByEmail('grace@example.com'),
      fetchThread: () => slack.fetchThread(GENERAL, root!.ts),
    };
    const started = Date.now();
    const outcomes = await Promise.all(
      Object.entries(actions).map(async ([name, action]) => {
        const seen: ConnectorError[] = [];
        const begin = Date.now();
        const result = await withRetries(action, seen);
        return { name, result, seen, elapsed: Date.now() - begin };
      }),
    );
    const limited = outcomes.flatMap((o) => o.seen);
    expect(limited).toHaveLength(3);
    for (const error of limited)
      expect(error).toMatchObject({ code: 'rate_limited', status: 429, retryAfterMs: 1_000 });
    for (const outcome of outcomes) {
      expect(outcome.result, outcome.name).toBeDefined();
      // Each action that was told to wait waited at least as long as Slack said, per 429.
      expect(outcome.elapsed).toBeGreaterThanOrEqual(outcome.seen.length * 1_000);
    }
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    for (const key of ['storm/post', 'storm/reply', 'storm/dm'])
      expect(await withKey(key), key).toHaveLength(1);
    // A 429 is a definite refusal: the retry posts straight away, without searching history.
    expect((await calls()).filter((c) => c.method === 'conversations.history')).toEqual([]);
  });

  it('maps auth failures, outages and an unreachable API to ConnectorErrors', async () => {
    const wrong = await connector({ botToken: 'xoxb-wrong' })
      .lookupUser(ADA)
      .catch((e: unknown) => e);
    expect(wrong).toMatchObject({ code: 'auth', retryable: false, vendor: 'slack' });
    expect((wrong as Error).message).not.toContain('xoxb-wrong');

    await fault({ status: 503 });
    expect(await slack.lookupUser(ADA).catch((e: unknown) => e)).toMatchObject({
      code: 'unavailable',
      retryable: true,
      status: 503,
    });
    const down = connector({ apiUrl: `http://127.0.0.1:${await freePort()}/api/` });
    expect(await down.lookupUser(ADA).catch((e: unknown) => e)).toMatchObject({
      code: 'unavailable',
      retryable: true,
    });
    expect(
      await slack.postMessage('C0RANDOM0', 'x', 'k-random').catch((e: unknown) => e),
    ).toMatchObject({ code: 'invalid', message: expect.stringContaining('not_in_channel') });
    expect(
      await slack.postMessage('C0MISSING', 'x', 'k-missing').catch((e: unknown) => e),
    ).toMatchObject({ code: 'not_found', message: expect.stringContaining('channel_not_found') });
  });
});

describe('Slack Web API emulator fidelity', () => {
  it('rejects a request the description forbids with Slack’s invalid_arguments', async () => {
    // Through the real WebClient: chat.postMessage without its required channel.
    const web = new WebClient(TOKEN, {
      slackApiUrl: `${sandbox.url}/api/`,
      retryConfig: { retries: 0 },
    });
    const error = await web
      .apiCall('chat.postMessage', { text: 'no channel' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebAPIPlatformError);
    expect((error as WebAPIPlatformError).data).toMatchObject({
      ok: false,
      error: 'invalid_arguments',
      response_metadata: { messages: ['[ERROR] missing required field: channel'] },
    });
    // A number the description types as integer, and JSON bodies are checked the same way.
    expect(await api('conversations.history', { body: 'channel=C0GENERAL&limit=lots' })).toEqual({
      status: 200,
      body: {
        ok: false,
        error: 'invalid_arguments',
        response_metadata: { messages: [expect.stringContaining('limit')] },
      },
    });
    expect(
      (await api('users.lookupByEmail', { body: '{}', type: 'application/json' })).body,
    ).toMatchObject({
      error: 'invalid_arguments',
      response_metadata: { messages: ['[ERROR] missing required field: email'] },
    });
    expect(await messages()).toEqual([]);
  });

  it('answers auth problems and unreadable bodies the way Slack does (HTTP 200, ok:false)', async () => {
    expect(await api('auth.test', { token: null })).toEqual({
      status: 200,
      body: { ok: false, error: 'not_authed' },
    });
    expect((await api('auth.test', { token: 'xoxb-nope' })).body).toEqual({
      ok: false,
      error: 'invalid_auth',
    });
    // A token inside a JSON body does not count: JSON calls authenticate with the header.
    expect(
      (
        await api('auth.test', {
          token: null,
          body: JSON.stringify({ token: TOKEN }),
          type: 'application/json',
        })
      ).body,
    ).toEqual({ ok: false, error: 'not_authed' });
    // In a form body it does.
    expect((await api('auth.test', { token: null, body: `token=${TOKEN}` })).body).toMatchObject({
      ok: true,
      user_id: 'U0TOWNBOT',
    });
    // Reads also work as GET with a query string, as Slack allows.
    const read = await fetch(`${sandbox.url}/api/users.info?user=${ADA}`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(await read.json()).toMatchObject({ ok: true, user: { id: ADA, name: 'ada' } });
    expect(
      (await api('chat.postMessage', { body: '{"channel":', type: 'application/json' })).body,
    ).toEqual({ ok: false, error: 'invalid_json' });
  });

  it('sends 429 with Retry-After and Slack’s ratelimited body, and touches no other vendor', async () => {
    await fault({ status: 429, retryAfterSeconds: 12 });
    // Not a Slack method (a Discord-style path): the Slack fault stays queued.
    await fetch(`${sandbox.url}/api/v10/users/@me`);
    const response = await fetch(`${sandbox.url}/api/auth.test`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('12');
    expect(await response.json()).toEqual({ ok: false, error: 'ratelimited' });
  });

  it('gives every message a realistic ts, unique and increasing per channel', async () => {
    const posted = [];
    for (let i = 0; i < 20; i++) posted.push(await slack.postMessage(GENERAL, `n${i}`, `ts-${i}`));
    const ts = posted.map((p) => p.ts);
    expect(new Set(ts).size).toBe(20);
    expect([...ts].sort((a, b) => Number(a) - Number(b))).toEqual(ts);
    for (const value of ts)
      expect(Math.abs(Number(value) * 1000 - Date.now())).toBeLessThan(60_000);
  });

  it('answers with the shapes the description documents', async () => {
    const spec = JSON.parse(readFileSync(DEFAULT_SLACK_SPEC, 'utf8')) as {
      definitions: object;
      paths: Record<string, Record<string, { responses: { 200: { schema: object } } }>>;
    };
    const ajv = new Ajv({ strict: false, allErrors: true, logger: false });
    ajv.addSchema({ definitions: spec.definitions }, 'slack');
    const schemaFor = (method: string) => {
      const operation = spec.paths[`/${method}`]!;
      const schema = (operation.post ?? operation.get)!.responses[200].schema;
      return ajv.compile(
        JSON.parse(
          JSON.stringify(schema).replaceAll('"#/definitions/', '"slack#/definitions/'),
        ) as object,
      );
    };
    const [root] = await seed({ channel: GENERAL, user: ADA, text: 'root' });
    await slack.replyInThread(GENERAL, root!.ts, 'reply', 'shape-reply');
    const answers: [string, string][] = [
      ['auth.test', ''],
      ['chat.postMessage', `channel=${GENERAL}&text=hello`],
      ['users.info', `user=${ADA}`],
      ['users.lookupByEmail', 'email=grace@example.com'],
      ['conversations.open', `users=${ADA}`],
      ['conversations.history', `channel=${GENERAL}`],
      ['conversations.replies', `channel=${GENERAL}&ts=${root!.ts}`],
    ];
    for (const [method, body] of answers) {
      const validate = schemaFor(method);
      const { body: answer } = await api(method, { body });
      expect(answer.ok, method).toBe(true);
      expect(validate(answer), `${method}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });
});
