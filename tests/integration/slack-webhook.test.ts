import type { Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import express from 'express';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { OnboardingConfig } from '../../workflows/onboarding/index.js';
import type { CommunityEvent } from '../../connectors/events.js';
import { signSlackRequest } from '../../connectors/slack/signature.js';
import { createLogger } from '../../runtime/logger.js';
import { createTemporalClient } from '../../runtime/temporal.js';
import type { Sandbox } from '../../sandbox/index.js';
import { startSandbox } from '../../sandbox/index.js';
import { createSlackEmitter } from '../../sandbox/slack/events.js';
import { createApp } from '../../server/app.js';
import type { EventRouter } from '../../server/router.js';
import { createEventRouter } from '../../server/router.js';
import { webhookRoutes } from '../../server/webhooks.js';
import type { Db } from '../../store/db.js';
import { openDb } from '../../store/db.js';
import type { TestDb } from '../support/db.js';
import { openTestDb } from '../support/db.js';
import { freePort } from '../support/ports.js';
import { countReceivedEvents, memberIdByEmail, onboardingRunsFor } from '../support/observe.js';

const secret = 'slack-webhook-test-secret';
const logger = createLogger('test');
logger.level = 'silent';
const onboarding: OnboardingConfig = { enabled: true, steps: [{ type: 'wait', ms: 3_600_000 }] };
const taskQueue = `slack-webhook-${randomBytes(4).toString('hex')}`;
const GENERAL = 'C0GENERAL';
const ADA = 'U0ADALOVE';

let t: TestDb;
let temporal: Client;
let downDb: Db;
let sandbox: Sandbox;
let url: string;
const servers: Server[] = [];

/** The real event router; a test may put another in front of it for the next deliveries. */
let up: EventRouter;
let current: EventRouter;
/** Temporal unreachable: the join is stored, its journey cannot start, the webhook answers 503. */
let temporalDown: (startTimeoutMs: number) => EventRouter;
/** The next delivery meets `router`; the ones after it meet the working townhall again. */
const failOnce = (router: EventRouter) => {
  current = (event) => {
    current = up;
    return router(event);
  };
};

/** Slack's retry headers as townhall received them, per delivery. */
const received: { path: string; retryNum?: string; retryReason?: string }[] = [];

async function listen(app: express.Express): Promise<string> {
  const port = await freePort();
  await new Promise<void>((resolve) =>
    servers.push(app.listen(port, '127.0.0.1', () => resolve())),
  );
  return `http://127.0.0.1:${port}`;
}

async function storedEvent(eventId: string) {
  const row = await t.db
    .selectFrom('received_events')
    .selectAll()
    .where('event_id', '=', eventId)
    .executeTakeFirst();
  return row && { ...row, event: row.payload as CommunityEvent };
}
const countEvents = () => countReceivedEvents(t.db);

const onboardingRuns = async (email: string) =>
  onboardingRunsFor(temporal, await memberIdByEmail(t.db, email));

interface Emitted {
  status: number;
  eventId: string;
  response: string;
  ts?: string;
  channel?: string;
  attempts: { retryNum: number; retryReason?: string; status?: number; failure?: string }[];
}
async function emit(event: Record<string, unknown>, base = sandbox.url): Promise<Emitted> {
  const response = await fetch(`${base}/_sandbox/slack/emit`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(event),
  });
  const body = (await response.json()) as Emitted;
  expect(response.status).toBe(body.status ?? response.status);
  return body;
}

/** A POST to townhall signed with `signWith` over `signed` (by default: the bytes sent). */
function post(
  path: string,
  body: string,
  type: string,
  options: { secret?: string; timestamp?: number; signed?: string } = {},
) {
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  return fetch(`${url}${path}`, {
    method: 'POST',
    headers: {
      'content-type': type,
      'x-slack-request-timestamp': timestamp,
      'x-slack-signature': signSlackRequest(
        options.secret ?? secret,
        timestamp,
        Buffer.from(options.signed ?? body),
      ),
    },
    body,
  });
}

beforeAll(async () => {
  t = await openTestDb();
  temporal = createTemporalClient(inject('temporalAddress'), 'default');
  const downTemporal = createTemporalClient(`127.0.0.1:${await freePort()}`, 'default');
  downDb = (await openDb({ url: `postgres://nobody@127.0.0.1:${await freePort()}/none` })).db;
  up = createEventRouter({ db: t.db, temporal, taskQueue, workflows: { onboarding }, logger });
  temporalDown = (startTimeoutMs) =>
    createEventRouter({
      db: t.db,
      temporal: downTemporal,
      taskQueue,
      workflows: { onboarding },
      logger,
      startTimeoutMs,
    });
  current = up;

  const outer = express();
  outer.use((req, _res, next) => {
    if (req.path.startsWith('/webhooks/slack'))
      received.push({
        path: req.path,
        ...(req.get('x-slack-retry-num') ? { retryNum: req.get('x-slack-retry-num') } : {}),
        ...(req.get('x-slack-retry-reason')
          ? { retryReason: req.get('x-slack-retry-reason') }
          : {}),
      });
    next();
  });
  outer.use(
    createApp({
      logger,
      checks: {},
      webhooks: webhookRoutes(
        { slack: { signingSecret: secret } },
        { community: (e) => current(e) },
        logger,
      ),
    }),
  );
  url = await listen(outer);
  sandbox = await startSandbox({
    port: await freePort(),
    vendors: { slack: { signingSecret: secret, retryDelaysMs: [200, 400, 800] } },
    townhallUrl: url,
  });
});
afterAll(async () => {
  for (const server of servers) server.close();
  await sandbox?.stop();
  await downDb?.destroy();
  await t?.close();
});

describe('POST /webhooks/slack through the sandbox emitter', () => {
  it('stores every handled event type, normalized', async () => {
    const root = await emit({ type: 'message', channel: GENERAL, user: ADA, text: 'Login fails' });
    expect(root.status).toBe(200);
    const cases: [string, Record<string, unknown>, (e: Emitted) => string, object][] = [
      [
        'team_join',
        {
          type: 'team_join',
          user: {
            id: 'U0HEDYLAM',
            name: 'hedy',
            profile: { email: 'hedy@example.com', real_name: 'Hedy Lamarr' },
          },
        },
        (e) => `slack:${e.eventId}`,
        {
          type: 'member.joined',
          member: { userId: 'U0HEDYLAM', email: 'hedy@example.com', name: 'Hedy Lamarr' },
        },
      ],
      [
        'user_change',
        {
          type: 'user_change',
          user: { id: 'U0HEDYLAM', name: 'hedy', profile: { real_name: 'Hedy K. Lamarr' } },
        },
        (e) => `slack:${e.eventId}`,
        { type: 'member.updated', member: { userId: 'U0HEDYLAM', name: 'Hedy K. Lamarr' } },
      ],
      [
        'user_change (deactivated)',
        { type: 'user_change', user: { id: 'U0HEDYLAM', name: 'hedy', deleted: true } },
        (e) => `slack:${e.eventId}`,
        { type: 'member.left', member: { userId: 'U0HEDYLAM' } },
      ],
      [
        'message (thread reply)',
        {
          type: 'message',
          channel: GENERAL,
          user: 'U0GRACEHO',
          text: 'Same here',
          thread_ts: root.ts,
        },
        (e) => `slack:message:${GENERAL}:${e.ts}`,
        { type: 'message.posted', channelId: GENERAL, threadId: root.ts, text: 'Same here' },
      ],
      [
        'app_mention',
        { type: 'app_mention', channel: GENERAL, user: ADA, text: '<@U0TOWNBOT> ticket please' },
        (e) => `slack:message:${GENERAL}:${e.ts}`,
        {
          type: 'message.posted',
          channelId: GENERAL,
          member: { userId: ADA, communityId: 'T0SANDBOX' },
        },
      ],
      [
        'reaction_added',
        {
          type: 'reaction_added',
          user: 'U0LINUSTO',
          reaction: 'ticket',
          item_user: ADA,
          item: { type: 'message', channel: GENERAL, ts: root.ts },
        },
        (e) => `slack:${e.eventId}`,
        { type: 'reaction.added', emoji: 'ticket', channelId: GENERAL, messageId: root.ts },
      ],
    ];
    expect((await storedEvent(`slack:message:${GENERAL}:${root.ts}`))?.event).toMatchObject({
      type: 'message.posted',
      member: { userId: ADA },
      messageId: root.ts,
      url: `https://slack.com/archives/${GENERAL}/p${root.ts!.replace('.', '')}`,
      text: 'Login fails',
    });
    for (const [name, event, idOf, expected] of cases) {
      const emitted = await emit(event);
      expect(emitted.status, name).toBe(200);
      const row = await storedEvent(idOf(emitted));
      expect(row?.event, name).toMatchObject({ platform: 'slack', ...expected });
      expect(row?.processed_at, name).not.toBeNull();
    }
  });

  it('stores a message once when Slack sends it as both message and app_mention', async () => {
    const message = await emit({
      type: 'message',
      channel: GENERAL,
      user: ADA,
      text: '<@U0TOWNBOT> hi',
    });
    expect(JSON.parse(message.response)).toEqual({ ok: true, outcome: 'no-workflow' });
    const mention = await emit({
      type: 'app_mention',
      channel: GENERAL,
      user: ADA,
      text: '<@U0TOWNBOT> hi',
      ts: message.ts,
    });
    expect(mention.eventId).not.toBe(message.eventId);
    expect(JSON.parse(mention.response)).toEqual({ ok: true, outcome: 'duplicate' });
    const rows = await t.db
      .selectFrom('received_events')
      .select('event_id')
      .where('event_id', 'like', `slack:message:${GENERAL}:${message.ts}%`)
      .execute();
    expect(rows).toHaveLength(1);
  });

  it('acknowledges bot posts, edits and unknown events with 200 and stores nothing', async () => {
    const before = await countEvents();
    for (const event of [
      {
        type: 'message',
        channel: GENERAL,
        user: 'U0TOWNBOT',
        bot_id: 'B0TOWNBOT',
        text: 'Ticket #1',
        ts: '1700000000.000100',
      },
      {
        type: 'message',
        subtype: 'message_changed',
        hidden: true,
        channel: GENERAL,
        ts: '1700000000.000200',
      },
      {
        type: 'message',
        subtype: 'channel_join',
        channel: GENERAL,
        user: ADA,
        text: '<@U0ADALOVE> has joined',
        ts: '1700000000.000300',
      },
      {
        type: 'member_left_channel',
        user: ADA,
        channel: GENERAL,
        channel_type: 'C',
        team: 'T0SANDBOX',
      },
      { type: 'emoji_changed', subtype: 'add', name: 'partyparrot' },
    ]) {
      const emitted = await emit(event);
      expect(emitted.status).toBe(200);
      expect(JSON.parse(emitted.response)).toMatchObject({ ok: true, ignored: expect.any(String) });
    }
    expect(await countEvents()).toBe(before);
  });
});

describe('POST /webhooks/slack/commands', () => {
  it('answers a slash command with an ephemeral message within Slack’s 3 s, once stored', async () => {
    const started = Date.now();
    const response = await fetch(`${sandbox.url}/_sandbox/slack/command`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        command: '/ticket',
        text: 'login is broken',
        user_id: 'U0GRACEHO',
        user_name: 'grace',
      }),
    });
    const elapsed = Date.now() - started;
    const body = (await response.json()) as {
      status: number;
      trigger_id: string;
      response: unknown;
    };
    expect(response.status).toBe(200);
    expect(body.response).toEqual({
      response_type: 'ephemeral',
      text: expect.stringContaining('/ticket'),
    });
    expect(elapsed).toBeLessThan(1_000);
    const row = await storedEvent(`slack:command:${body.trigger_id}`);
    expect(row?.event).toMatchObject({
      type: 'command.invoked',
      command: 'ticket',
      text: 'login is broken',
      channelId: GENERAL,
      member: { userId: 'U0GRACEHO', communityId: 'T0SANDBOX', handle: 'grace' },
    });
    expect(row?.processed_at).not.toBeNull();
  });
});

describe('Slack signatures and bodies at both endpoints', () => {
  const nowSeconds = () => Math.floor(Date.now() / 1000);
  // Slack's JSON escapes slashes ("https:\/\/..."); a parse-and-stringify copy does not.
  const eventBody = JSON.stringify({
    token: 'x',
    team_id: 'T0SANDBOX',
    api_app_id: 'A0SANDBOX',
    event: {
      type: 'team_join',
      user: {
        id: 'U0FORGED1',
        name: 'mallory',
        profile: {
          email: 'mallory@example.com',
          image_72: 'https://avatars.slack-edge.com/m_72.png',
        },
      },
      event_ts: '1.1',
    },
    type: 'event_callback',
    event_id: 'EvFORGED01',
    event_time: 1_700_000_000,
    authed_users: [],
  }).replaceAll('/', '\\/');
  const commandBody =
    'token=x&team_id=T0SANDBOX&team_domain=sandbox&channel_id=C0GENERAL&channel_name=general' +
    '&user_id=U0FORGED1&user_name=mallory&command=/ticket&text=free+stuff&api_app_id=A0SANDBOX' +
    '&response_url=https://hooks.slack.com/commands/T0SANDBOX/1/abc&trigger_id=1.2.forged';
  const endpoints = [
    ['/webhooks/slack', eventBody, 'application/json', JSON.stringify(JSON.parse(eventBody))],
    [
      '/webhooks/slack/commands',
      commandBody,
      'application/x-www-form-urlencoded',
      new URLSearchParams(new URLSearchParams(commandBody)).toString(),
    ],
  ] as const;

  it.each(endpoints)(
    '%s rejects forged, stale and re-serialized requests with 401',
    async (path, body, type, reserialized) => {
      const before = await countEvents();
      expect(reserialized).not.toBe(body);
      expect((await post(path, body, type, { secret: 'not-the-secret' })).status).toBe(401);
      expect((await post(path, body, type, { timestamp: nowSeconds() - 301 })).status).toBe(401);
      // Signed over the bytes Slack sent, delivered as an equivalent but re-serialized body.
      expect((await post(path, reserialized, type, { signed: body })).status).toBe(401);
      expect(await countEvents()).toBe(before);
      // The same request, correctly signed, is accepted: the rejections were about the signature.
      expect((await post(path, body, type)).status).toBe(200);
      expect(await countEvents()).toBe(before + 1);
    },
  );

  it.each([
    ['/webhooks/slack', '{"type":"event_callback",', 'application/json'],
    [
      '/webhooks/slack',
      JSON.stringify({
        ...JSON.parse(eventBody),
        event_id: 'EvBAD00001',
        event: { type: 'message', channel: GENERAL, user: ADA, text: 'no ts' },
      }),
      'application/json',
    ],
    [
      '/webhooks/slack/commands',
      commandBody.replace('&trigger_id=1.2.forged', ''),
      'application/x-www-form-urlencoded',
    ],
    [
      '/webhooks/slack/commands',
      JSON.stringify({ command: '/ticket', text: 'x' }),
      'application/json',
    ],
  ])(
    '%s answers a signed but malformed body with 400 and stores nothing',
    async (path, body, type) => {
      const before = await countEvents();
      const response = await post(path, body, type);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({
        error: expect.stringContaining('malformed slack payload'),
      });
      expect(await countEvents()).toBe(before);
    },
  );
});

describe('the sandbox emitter retries like Slack', () => {
  it('re-delivers the same event with X-Slack-Retry-Num after a 503; townhall processes it once', async () => {
    failOnce(temporalDown(300));
    received.length = 0;
    const emitted = await emit({
      type: 'team_join',
      user: {
        id: 'U0RETRY01',
        name: 'rita',
        profile: { email: 'rita@example.com', real_name: 'Rita' },
      },
    });
    expect(emitted.status).toBe(200);
    expect(emitted.attempts).toEqual([
      { retryNum: 0, status: 503 },
      { retryNum: 1, retryReason: 'http_error', status: 200 },
    ]);
    expect(received).toEqual([
      { path: '/webhooks/slack' },
      { path: '/webhooks/slack', retryNum: '1', retryReason: 'http_error' },
    ]);
    expect(JSON.parse(emitted.response)).toEqual({ ok: true, outcome: 'started' });
    const row = await storedEvent(`slack:${emitted.eventId}`);
    expect(row?.processed_at).not.toBeNull();
    expect(await onboardingRuns('rita@example.com')).toBe(1);
  });

  it('still re-sends a known event on request (?event_id=, ?retry_num=), as a Slack retry', async () => {
    const join = { type: 'team_join', user: { id: 'U0AGAIN01', name: 'agnes' } };
    const first = await emit(join);
    expect(JSON.parse(first.response)).toMatchObject({ ok: true });
    received.length = 0;
    const response = await fetch(
      `${sandbox.url}/_sandbox/slack/emit?event_id=${first.eventId}&retry_num=2`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(join),
      },
    );
    expect(response.status).toBe(200);
    const again = (await response.json()) as Emitted;
    expect(again.eventId).toBe(first.eventId);
    expect(JSON.parse(again.response)).toEqual({ ok: true, outcome: 'duplicate' });
    expect(received).toEqual([
      { path: '/webhooks/slack', retryNum: '2', retryReason: 'http_error' },
    ]);
  });

  it('re-delivers after an http_timeout while the first delivery is still running', async () => {
    // An emitter that gives up on an answer after 300 ms, in front of a townhall whose first
    // delivery hangs on an unreachable Temporal for a second.
    const quick = createSlackEmitter({
      signingSecret: secret,
      townhallUrl: () => url,
      retryDelaysMs: [100],
      responseTimeoutMs: 300,
    });
    const app = express();
    app.use(quick.router);
    const base = await listen(app);
    failOnce(temporalDown(1_000));
    received.length = 0;
    const emitted = await emit(
      {
        type: 'team_join',
        user: { id: 'U0SLOW001', name: 'sol', profile: { email: 'sol@example.com' } },
      },
      base,
    );
    expect(emitted.attempts).toEqual([
      { retryNum: 0, failure: 'http_timeout' },
      { retryNum: 1, retryReason: 'http_timeout', status: 200 },
    ]);
    expect(received.at(-1)).toEqual({
      path: '/webhooks/slack',
      retryNum: '1',
      retryReason: 'http_timeout',
    });
    expect(await onboardingRuns('sol@example.com')).toBe(1);
  });

  it('gives up after three retries, all carrying the same event', async () => {
    const down = createEventRouter({
      db: downDb,
      temporal,
      taskQueue,
      workflows: { onboarding },
      logger,
    });
    current = down;
    received.length = 0;
    let emitted: Emitted;
    try {
      emitted = await emit({ type: 'team_join', user: { id: 'U0GONE001', name: 'gone' } });
      expect(emitted.status).toBe(503);
      expect(emitted.attempts.map((a) => [a.retryNum, a.status])).toEqual([
        [0, 503],
        [1, 503],
        [2, 503],
        [3, 503],
      ]);
      expect(received.map((r) => r.retryNum)).toEqual([undefined, '1', '2', '3']);
    } finally {
      current = up;
    }
    expect(await storedEvent(`slack:${emitted.eventId}`)).toBeUndefined();
  });
});
