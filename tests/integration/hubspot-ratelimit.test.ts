import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { hubspotCrm } from '../../connectors/hubspot/capabilities.js';
import { createHubSpotConnector } from '../../connectors/hubspot/client.js';
import { createLogger } from '../../runtime/logger.js';
import type { RunningWorker } from '../../runtime/temporal.js';
import { createTemporalClient } from '../../runtime/temporal.js';
import type { Sandbox } from '../../sandbox/index.js';
import { upsertMemberFromIdentity } from '../../store/members.js';
import type { OnboardingInput, OnboardingResult } from '../../workflows/onboarding/types.js';
import type { TestDb } from '../support/db.js';
import { openTestDb } from '../support/db.js';
import { SANDBOX_HUBSPOT_TOKEN, startTestSandbox } from '../support/sandbox.js';
import { startTestWorker } from '../support/worker.js';

/**
 * 429 storms driven the production way: the onboarding workflow's crm.upsert_contact step on a
 * real worker, so the wait comes from ConnectorError.retryAfterMs → ApplicationFailure
 * nextRetryDelay, not from a test loop. The retry policy alone (VENDOR_CALL: 1 s, then 2 s)
 * would retry sooner than HubSpot asks.
 */
const logger = createLogger('test');
logger.level = 'silent';
const taskQueue = `hubspot-ratelimit-${randomBytes(4).toString('hex')}`;

let t: TestDb;
let sandbox: Sandbox;
let client: Client;
let worker: RunningWorker;

beforeAll(async () => {
  t = await openTestDb();
  sandbox = await startTestSandbox();
  client = createTemporalClient(inject('temporalAddress'), 'default');
  worker = await startTestWorker({
    taskQueue,
    activities: createActivities({
      db: t.db,
      logger,
      publicUrl: 'http://127.0.0.1:3000',
      crm: hubspotCrm(
        createHubSpotConnector({ accessToken: SANDBOX_HUBSPOT_TOKEN, baseUrl: sandbox.url }),
      ),
    }),
  });
});
beforeEach(async () => {
  await fetch(`${sandbox.url}/_sandbox/reset`, { method: 'POST' });
});
afterAll(async () => {
  await worker?.shutdown();
  await sandbox?.stop();
  await t?.close();
});

const post = (route: string, body: unknown) =>
  fetch(`${sandbox.url}${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

async function onboard(name: string): Promise<OnboardingResult> {
  const { memberId } = await upsertMemberFromIdentity(t.db, 'slack', {
    userId: `U-${name}`,
    communityId: 'T-hubspot',
    email: `${name}@example.com`,
    name,
  });
  return (await client.workflow.execute('onboarding', {
    taskQueue,
    workflowId: `hubspot-ratelimit:${memberId}`,
    args: [
      {
        memberId,
        steps: [{ type: 'crm.upsert_contact', properties: { lifecyclestage: 'subscriber' } }],
      } satisfies OnboardingInput,
    ],
  })) as OnboardingResult;
}

const upsertStatuses = () =>
  sandbox.emulators.hubspot
    .requests()
    .filter((r) => r.path === '/crm/v3/objects/contacts/batch/upsert')
    .map((r) => r.status);

describe('HubSpot 429 storms, through a real Temporal worker', () => {
  it('two 429s with Retry-After: 3 → one contact, after at least 6 s', async () => {
    const fault = await post('/_sandbox/faults', {
      vendor: 'hubspot',
      status: 429,
      count: 2,
      retryAfterSeconds: 3,
    });
    expect(fault.status).toBe(201);
    const started = Date.now();
    const result = await onboard('storm');
    const elapsed = Date.now() - started;

    expect(result.steps[0]?.outcome).toMatch(/^created contact \d+$/);
    expect(sandbox.faults.list()).toEqual([]);
    expect(sandbox.emulators.hubspot.list().map((c) => c.properties.email)).toEqual([
      'storm@example.com',
    ]);
    expect(upsertStatuses()).toEqual([200]);
    // 3 s + 3 s advertised; the retry policy alone would have waited 1 s + 2 s.
    expect(elapsed).toBeGreaterThanOrEqual(6_000);
  });

  it('the emulator’s own burst limit (2 per 2 s): every contact written once, after the window', async () => {
    expect(
      (await post('/_sandbox/hubspot/limits', { burst: { max: 2, intervalMs: 2_000 } })).status,
    ).toBe(200);
    const names = ['ada', 'grace', 'alan', 'edsger'];
    const started = Date.now();
    const results = await Promise.all(names.map(onboard));
    const elapsed = Date.now() - started;

    for (const result of results) expect(result.steps[0]?.outcome).toMatch(/^created contact/);
    const emails = sandbox.emulators.hubspot.list().map((c) => c.properties.email);
    expect(emails.sort()).toEqual(names.map((n) => `${n}@example.com`).sort());
    const statuses = upsertStatuses();
    expect(statuses.filter((s) => s === 200)).toHaveLength(names.length);
    // Two calls got through, two were refused once each and then waited the advertised interval
    // (X-HubSpot-RateLimit-Interval-Milliseconds: 2000). Retried after the policy's 1 s instead,
    // they would have hit the still-full window a second time.
    expect(statuses.filter((s) => s === 429)).toHaveLength(2);
    expect(statuses).toHaveLength(names.length + 2);
    expect(elapsed).toBeGreaterThanOrEqual(2_000);
  });
});
