import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTemporalClient } from '../../runtime/temporal.js';
import { createSlackEmitter } from '../../sandbox/slack/events.js';
import type { EventRouter } from '../../server/router.js';
import { createEventRouter } from '../../server/router.js';
import type { Db } from '../../store/db.js';
import { openDb } from '../../store/db.js';
import { freePort } from '../support/ports.js';
import type { Emitted } from '../support/slack-webhook.js';
import {
  emit,
  listen,
  logger,
  onboarding,
  onboardingRuns,
  received,
  sandbox,
  secret,
  storedEvent,
  t,
  taskQueue,
  temporal,
  up,
  url,
  useSlackWebhook,
} from '../support/slack-webhook.js';

/** The sandbox emitter re-delivers as Slack does; townhall processes each event once. */

let downDb: Db;
/** What the webhooks reach: the real router, or one a test puts in front of it. */
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

useSlackWebhook((event) => current(event));
// What the failure tests put in front: an unreachable Temporal, and a database nobody serves.
beforeAll(async () => {
  const downTemporal = createTemporalClient(`127.0.0.1:${await freePort()}`, 'default');
  downDb = (await openDb({ url: `postgres://nobody@127.0.0.1:${await freePort()}/none` })).db;
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
});
afterAll(async () => {
  await downDb?.destroy();
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
