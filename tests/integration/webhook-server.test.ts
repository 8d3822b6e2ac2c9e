import type { Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { waitFor } from '../support/sandbox.js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { OnboardingConfig } from '../../workflows/onboarding/index.js';
import { createApp } from '../../server/app.js';
import { storeCheck, temporalCheck } from '../../server/health.js';
import { createEventRouter } from '../../server/router.js';
import { webhookRoutes } from '../../server/webhooks.js';
import { createLogger } from '../../runtime/logger.js';
import { createTemporalClient } from '../../runtime/temporal.js';
import type { Db } from '../../store/db.js';
import { openDb } from '../../store/db.js';
import type { TestDb } from '../support/db.js';
import { openTestDb } from '../support/db.js';
import { freePort } from '../support/ports.js';
import { postSlack, teamJoin } from '../support/slack.js';
import { countReceivedEvents, memberIdByEmail, onboardingRunsFor } from '../support/observe.js';

const secret = 'webhook-test-secret';
const logger = createLogger('test');
logger.level = 'silent';
const onboarding: OnboardingConfig = { enabled: true, steps: [{ type: 'wait', ms: 3_600_000 }] };
const taskQueue = `webhook-test-${randomBytes(4).toString('hex')}`;

let t: TestDb;
let temporal: Client;
let downTemporal: Client;
let downDb: Db;
const servers: Server[] = [];

/** A real townhall server on a free port, wired to the given store and Temporal client. */
async function serve(db: Db, client: Client): Promise<string> {
  const route = createEventRouter({
    db,
    temporal: client,
    taskQueue,
    workflows: { onboarding },
    logger,
    startTimeoutMs: 1_500,
  });
  const app = createApp({
    logger,
    webhooks: webhookRoutes({ slack: { signingSecret: secret } }, { community: route }, logger),
    checks: { store: storeCheck(db), temporal: temporalCheck(client) },
  });
  const port = await freePort();
  await new Promise<void>((resolve) =>
    servers.push(app.listen(port, '127.0.0.1', () => resolve())),
  );
  return `http://127.0.0.1:${port}`;
}

const countEvents = () => countReceivedEvents(t.db);

const onboardingRuns = async (email: string) =>
  onboardingRunsFor(temporal, await memberIdByEmail(t.db, email));

let url: string;
beforeAll(async () => {
  t = await openTestDb();
  temporal = createTemporalClient(inject('temporalAddress'), 'default');
  downTemporal = createTemporalClient(`127.0.0.1:${await freePort()}`, 'default');
  downDb = (await openDb({ url: `postgres://nobody@127.0.0.1:${await freePort()}/none` })).db;
  url = await serve(t.db, temporal);
});
afterAll(async () => {
  for (const server of servers) server.close();
  await downDb.destroy();
  await t.close();
});

describe('POST /webhooks/slack', () => {
  it('answers the url_verification handshake', async () => {
    const response = await postSlack(url, secret, {
      token: 't',
      challenge: 'abc123',
      type: 'url_verification',
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ challenge: 'abc123' });
  });

  it('rejects forged and stale signatures with 401 and records nothing', async () => {
    const before = await countEvents();
    const body = teamJoin('UFORGED', 'forged@example.com', 'EvForged1');
    expect((await postSlack(url, 'not-the-secret', body)).status).toBe(401);
    expect((await postSlack(url, secret, body, { signature: 'v0=deadbeef' })).status).toBe(401);
    const stale = Math.floor(Date.now() / 1000) - 600;
    expect((await postSlack(url, secret, body, { timestamp: stale })).status).toBe(401);
    expect(await countEvents()).toBe(before);
    expect(await onboardingRuns('forged@example.com')).toBe(0);
  });

  it('rejects a signed but malformed body with 400 and records nothing', async () => {
    const before = await countEvents();
    const notJson = await postSlack(url, secret, '{"type":"event_callback",');
    expect(notJson.status).toBe(400);
    const noUser = await postSlack(url, secret, {
      ...teamJoin('U1', 'a@b.co', 'EvBad'),
      event: { type: 'team_join' },
    });
    expect(noUser.status).toBe(400);
    expect(((await noUser.json()) as { error: string }).error).toContain('user');
    expect(await countEvents()).toBe(before);
  });

  it('refuses bodies over 1 MiB with 413', async () => {
    const response = await postSlack(url, secret, { padding: 'x'.repeat(1024 * 1024) });
    expect(response.status).toBe(413);
  });

  it('acknowledges event types no workflow wants with 200', async () => {
    const body = {
      ...teamJoin('U1', 'a@b.co', 'EvEmoji'),
      event: { type: 'emoji_changed', event_ts: '1.1' },
    };
    const response = await postSlack(url, secret, body);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      ignored: expect.stringContaining('emoji_changed'),
    });
  });

  it('starts one onboarding journey per member, however often the join arrives', async () => {
    const first = await postSlack(url, secret, teamJoin('UJOIN', 'join@example.com', 'EvJoin1'));
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ ok: true, outcome: 'started' });

    const retry = await postSlack(url, secret, teamJoin('UJOIN', 'join@example.com', 'EvJoin1'));
    expect(await retry.json()).toEqual({ ok: true, outcome: 'duplicate' });
    const again = await postSlack(url, secret, teamJoin('UJOIN', 'join@example.com', 'EvJoin2'));
    expect(await again.json()).toEqual({ ok: true, outcome: 'started' });

    expect(await onboardingRuns('join@example.com')).toBe(1);
  });

  it('answers 503 while Temporal is down, keeps the event, and starts it on the retry', async () => {
    const downUrl = await serve(t.db, downTemporal);
    const body = teamJoin('UDOWN', 'down@example.com', 'EvDown1');
    const started = Date.now();
    const refused = await postSlack(downUrl, secret, body);
    expect(refused.status).toBe(503);
    // Within Slack's 3 s, so Slack records a failure and retries rather than timing out.
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(refused.headers.get('retry-after')).toBe('5');
    const row = await t.db
      .selectFrom('received_events')
      .selectAll()
      .where('event_id', '=', 'slack:EvDown1')
      .executeTakeFirstOrThrow();
    expect(row.processed_at).toBeNull();

    // Slack retries the same delivery; Temporal is back.
    const retried = await postSlack(url, secret, body);
    expect(await retried.json()).toEqual({ ok: true, outcome: 'started' });
    // Temporal's run list is eventually consistent: a run just started may show a moment later.
    await waitFor('the run in the list', async () =>
      (await onboardingRuns('down@example.com')) > 0 ? true : undefined,
    );
    expect(await onboardingRuns('down@example.com')).toBe(1);
  });

  it('answers 503 while the store is down', async () => {
    const downUrl = await serve(downDb, temporal);
    const response = await postSlack(
      downUrl,
      secret,
      teamJoin('USTORE', 'store@example.com', 'EvStoreDown'),
    );
    expect(response.status).toBe(503);
  });
});

describe('health', () => {
  it('/healthz says the process is up', async () => {
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });

  it('/readyz is 200 only when the store and Temporal answer', async () => {
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    const noTemporal = await fetch(`${await serve(t.db, downTemporal)}/readyz`);
    expect(noTemporal.status).toBe(503);
    expect(await noTemporal.json()).toEqual({ status: 'not ready', failing: ['temporal'] });
    const noStore = await fetch(`${await serve(downDb, temporal)}/readyz`);
    expect(await noStore.json()).toEqual({ status: 'not ready', failing: ['store'] });
  });
});
