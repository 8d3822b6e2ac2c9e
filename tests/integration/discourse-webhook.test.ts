import type { Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { OnboardingConfig } from '../../workflows/onboarding/index.js';
import { signDiscourseBody } from '../../connectors/discourse/signature.js';
import { createLogger } from '../../runtime/logger.js';
import { createTemporalClient } from '../../runtime/temporal.js';
import type { Sandbox } from '../../sandbox/index.js';
import { startSandbox } from '../../sandbox/index.js';
import { createApp } from '../../server/app.js';
import { storeCheck, temporalCheck } from '../../server/health.js';
import { createEventRouter } from '../../server/router.js';
import { webhookRoutes } from '../../server/webhooks.js';
import type { TestDb } from '../support/db.js';
import { openTestDb } from '../support/db.js';
import { freePort } from '../support/ports.js';
import { countReceivedEvents, memberIdByEmail, onboardingRunsFor } from '../support/observe.js';

const secret = 'discourse-webhook-test-secret';
const instance = 'https://forum.example.com';
const logger = createLogger('test');
logger.level = 'silent';
const onboarding: OnboardingConfig = { enabled: true, steps: [{ type: 'wait', ms: 3_600_000 }] };
const taskQueue = `discourse-webhook-${randomBytes(4).toString('hex')}`;

let t: TestDb;
let temporal: Client;
let sandbox: Sandbox;
let server: Server;
let url: string;

let deliveries = 0;
/** POSTs a body to /webhooks/discourse with Discourse's headers, signed unless told otherwise. */
function deliver(
  event: string,
  body: unknown,
  options: { signature?: string; secret?: string } = {},
) {
  const raw = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  return fetch(`${url}/webhooks/discourse`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-discourse-instance': instance,
      'x-discourse-event-id': String(++deliveries),
      'x-discourse-event-type': event.split('_')[0]!,
      'x-discourse-event': event,
      'x-discourse-event-signature':
        options.signature ?? signDiscourseBody(options.secret ?? secret, raw),
    },
    body: raw,
  });
}

const userCreated = (id: number, username: string, email: string) => ({
  user: { id, username, name: username, email, created_at: new Date().toISOString() },
});

const countEvents = () => countReceivedEvents(t.db);

const onboardingRuns = async (email: string) =>
  onboardingRunsFor(temporal, await memberIdByEmail(t.db, email));

beforeAll(async () => {
  t = await openTestDb();
  temporal = createTemporalClient(inject('temporalAddress'), 'default');
  const route = createEventRouter({
    db: t.db,
    temporal,
    taskQueue,
    workflows: { onboarding },
    logger,
  });
  const app = createApp({
    logger,
    webhooks: webhookRoutes(
      {
        discourse: {
          baseUrl: instance,
          apiKey: 'unused',
          apiUsername: 'system',
          webhookSecret: secret,
        },
      },
      { community: route },
      logger,
    ),
    checks: { store: storeCheck(t.db), temporal: temporalCheck(temporal) },
  });
  const port = await freePort();
  await new Promise<void>((resolve) => {
    server = app.listen(port, '127.0.0.1', () => resolve());
  });
  url = `http://127.0.0.1:${port}`;
  sandbox = await startSandbox({
    port: await freePort(),
    vendors: { discourse: { webhookSecret: secret } },
    townhallUrl: url,
  });
});
afterAll(async () => {
  server?.close();
  await sandbox?.stop();
  await t?.close();
});

describe('POST /webhooks/discourse', () => {
  it('answers the ping with { ok: true }', async () => {
    const response = await deliver('ping', { ping: 'OK' });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
  });

  it('rejects forged, tampered and unsigned deliveries with 401 and records nothing', async () => {
    const before = await countEvents();
    const body = userCreated(901, 'forger', 'forged@example.com');
    expect((await deliver('user_created', body, { secret: 'not-the-secret' })).status).toBe(401);
    expect((await deliver('user_created', body, { signature: 'sha256=deadbeef' })).status).toBe(
      401,
    );
    expect((await deliver('user_created', body, { signature: '' })).status).toBe(401);
    const signedOther = signDiscourseBody(
      secret,
      Buffer.from(JSON.stringify(userCreated(902, 'x', 'x@example.com'))),
    );
    expect((await deliver('user_created', body, { signature: signedOther })).status).toBe(401);
    expect(await countEvents()).toBe(before);
    expect(await onboardingRuns('forged@example.com')).toBe(0);
  });

  it('rejects a signed but malformed body with 400 and records nothing', async () => {
    const before = await countEvents();
    const notJson = await deliver('user_created', '{"user":');
    expect(notJson.status).toBe(400);
    const noId = await deliver('user_created', {
      user: { username: 'noid', email: 'noid@example.com' },
    });
    expect(noId.status).toBe(400);
    expect(((await noId.json()) as { error: string }).error).toContain('user.id');
    const badPost = await deliver('post_created', { post: { id: 5, topic_id: 'seven' } });
    expect(badPost.status).toBe(400);
    expect(await countEvents()).toBe(before);
    expect(await onboardingRuns('noid@example.com')).toBe(0);
  });

  it('acknowledges events no workflow wants with 200 and records nothing', async () => {
    const before = await countEvents();
    const response = await deliver('topic_created', { topic: { id: 7, title: 'Hello' } });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      ok: true,
      ignored: expect.stringContaining('post_created'),
    });
    expect(await countEvents()).toBe(before);
  });

  it('starts one onboarding journey per member, even when Discourse redelivers with a new event id', async () => {
    const body = userCreated(1001, 'ada', 'ada@example.com');
    const first = await deliver('user_created', body);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ ok: true, outcome: 'started' });
    // Discourse's retry: same body, new X-Discourse-Event-Id.
    const retry = await deliver('user_created', body);
    expect(await retry.json()).toEqual({ ok: true, outcome: 'duplicate' });
    expect(await onboardingRuns('ada@example.com')).toBe(1);

    const row = await t.db
      .selectFrom('received_events')
      .select(['event_id', 'platform', 'type', 'processed_at'])
      .where('event_id', '=', 'discourse:forum.example.com:user_created:1001')
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ platform: 'discourse', type: 'member.joined' });
    expect(row.processed_at).not.toBeNull();
  });

  it('records a post as message.posted', async () => {
    const response = await deliver('post_created', {
      post: {
        id: 555,
        topic_id: 77,
        post_number: 2,
        post_type: 1,
        user_id: 1001,
        username: 'ada',
        name: 'Ada',
        created_at: new Date().toISOString(),
        raw: 'Thanks, that worked!',
        cooked: '<p>Thanks, that worked!</p>',
        category_id: 4,
        topic_archetype: 'regular',
        post_url: '/t/password-help/77/2',
      },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true, outcome: 'no-workflow' });
    const row = await t.db
      .selectFrom('received_events')
      .select(['type', 'payload'])
      .where('event_id', '=', 'discourse:forum.example.com:post_created:555')
      .executeTakeFirstOrThrow();
    expect(row.type).toBe('message.posted');
    expect(row.payload).toMatchObject({ threadId: '77', channelId: '4', messageId: '555' });
  });

  it('takes a signed delivery from the sandbox emitter end to end', async () => {
    const emitted = await fetch(`${sandbox.url}/_sandbox/discourse/emit`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        event: 'user_created',
        user: { username: 'grace', name: 'Grace Hopper', email: 'grace@example.com' },
      }),
    });
    expect(emitted.status).toBe(200);
    const result = (await emitted.json()) as { status: number; response: string };
    expect(JSON.parse(result.response)).toEqual({ ok: true, outcome: 'started' });
    expect(await onboardingRuns('grace@example.com')).toBe(1);

    const ping = await fetch(`${sandbox.url}/_sandbox/discourse/emit`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ event: 'ping' }),
    });
    expect(JSON.parse(((await ping.json()) as { response: string }).response)).toEqual({
      ok: true,
    });
  });
});
