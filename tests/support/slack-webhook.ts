// A townhall (the real app, event router and store) behind the sandbox's Slack emitter, for
// slack-webhook-*.test.ts: started once per file by useSlackWebhook; the helpers read what it
// stored and what reached it. The emitter retries on short delays.
import type { Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import express from 'express';
import { afterAll, beforeAll, expect, inject } from 'vitest';
import type { OnboardingConfig } from '../../workflows/onboarding/index.js';
import type { CommunityEvent } from '../../connectors/events.js';
import { signSlackRequest } from '../../connectors/slack/signature.js';
import { createLogger } from '../../runtime/logger.js';
import { createTemporalClient } from '../../runtime/temporal.js';
import type { Sandbox } from '../../sandbox/index.js';
import { startSandbox } from '../../sandbox/index.js';
import { createApp } from '../../server/app.js';
import type { EventRouter } from '../../server/router.js';
import { createEventRouter } from '../../server/router.js';
import { webhookRoutes } from '../../server/webhooks.js';
import type { TestDb } from './db.js';
import { openTestDb } from './db.js';
import { freePort } from './ports.js';
import { countReceivedEvents, memberIdByEmail, onboardingRunsFor } from './observe.js';

export const secret = 'slack-webhook-test-secret';
export const logger = createLogger('test');
logger.level = 'silent';
export const onboarding: OnboardingConfig = {
  enabled: true,
  steps: [{ type: 'wait', ms: 3_600_000 }],
};
export const taskQueue = `slack-webhook-${randomBytes(4).toString('hex')}`;
export const GENERAL = 'C0GENERAL';
export const ADA = 'U0ADALOVE';

// Set by useSlackWebhook's beforeAll. Exported bindings are live: importers see the values.
export let t: TestDb;
export let temporal: Client;
export let sandbox: Sandbox;
export let url: string;
const servers: Server[] = [];

/** The real event router: what the webhooks reach unless a test file routes them elsewhere. */
export let up: EventRouter;

/** Slack's retry headers as townhall received them, per delivery. */
export const received: { path: string; retryNum?: string; retryReason?: string }[] = [];

export async function listen(app: express.Express): Promise<string> {
  const port = await freePort();
  await new Promise<void>((resolve) =>
    servers.push(app.listen(port, '127.0.0.1', () => resolve())),
  );
  return `http://127.0.0.1:${port}`;
}

export async function storedEvent(eventId: string) {
  const row = await t.db
    .selectFrom('received_events')
    .selectAll()
    .where('event_id', '=', eventId)
    .executeTakeFirst();
  return row && { ...row, event: row.payload as CommunityEvent };
}
export const countEvents = () => countReceivedEvents(t.db);

export const onboardingRuns = async (email: string) =>
  onboardingRunsFor(temporal, await memberIdByEmail(t.db, email));

export interface Emitted {
  status: number;
  eventId: string;
  response: string;
  ts?: string;
  channel?: string;
  attempts: { retryNum: number; retryReason?: string; status?: number; failure?: string }[];
}
export async function emit(event: Record<string, unknown>, base = sandbox.url): Promise<Emitted> {
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
export function post(
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

/**
 * For this file: a test database, a townhall whose webhooks hand each event to `route` (the real
 * router unless the file passes another), and a sandbox whose Slack emitter delivers to it.
 */
export function useSlackWebhook(route: EventRouter = (event) => up(event)) {
  beforeAll(async () => {
    t = await openTestDb();
    temporal = createTemporalClient(inject('temporalAddress'), 'default');
    up = createEventRouter({ db: t.db, temporal, taskQueue, workflows: { onboarding }, logger });

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
          { community: (e) => route(e) },
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
    await t?.close();
  });
}
