// The CRM backfill on the real dev server with townhall's own activities, store and the sandbox
// HubSpot (its request budget paced in the store): 30 members in pages of 2, so many pushes go
// out and overlap. RECORD_HISTORIES=<dir> also writes the run's history there: that is how
// tests/replay/histories/crm-backfill-rounds.json and crm-backfill-member-pages.json were made
// on the code of their time (see tests/replay/crm-backfill.test.ts).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RunningWorker } from '../../runtime/temporal.js';
import { createTemporalClient } from '../../runtime/temporal.js';
import type { Sandbox } from '../../sandbox/index.js';
import { crmBackfill } from '../../workflows/crm-backfill/workflow.js';
import { seedMembers } from '../support/backfill.js';
import type { TestDb } from '../support/db.js';
import { openTestDb } from '../support/db.js';
import { recordHistory } from '../support/replay.js';
import { activitiesWithSandboxHubSpot } from '../support/hubspot-activities.js';
import { startTestSandbox } from '../support/sandbox.js';
import { startTestWorker } from '../support/worker.js';

const taskQueue = `crm-backfill-${randomBytes(4).toString('hex')}`;
const MEMBERS = 30;

let t: TestDb;
let sandbox: Sandbox;
let worker: RunningWorker;
/** Pushes running now, and the most that ran at once. */
let inFlight = 0;
let mostInFlight = 0;

beforeAll(async () => {
  t = await openTestDb();
  sandbox = await startTestSandbox();
  // Paced, so pushes wait on the budget as they do against a real portal.
  const activities = activitiesWithSandboxHubSpot(t.db, sandbox.url, {
    max: 20,
    intervalMs: 1_000,
  });
  worker = await startTestWorker({
    taskQueue,
    activities: {
      ...activities,
      // The real push, counted.
      pushMemberRange: async (input: Parameters<typeof activities.pushMemberRange>[0]) => {
        inFlight += 1;
        mostInFlight = Math.max(mostInFlight, inFlight);
        try {
          return await activities.pushMemberRange(input);
        } finally {
          inFlight -= 1;
        }
      },
    },
  });
});
afterAll(async () => {
  await worker?.shutdown();
  await sandbox?.stop();
  await t?.close();
});

describe('crmBackfill', () => {
  it('writes every member to HubSpot once, several pushes in flight', async () => {
    const memberIds = await seedMembers(t.db, MEMBERS);
    const client = createTemporalClient(inject('temporalAddress'), 'default');
    const handle = await client.workflow.start(crmBackfill, {
      taskQueue,
      workflowId: `crm-backfill-tier-${randomBytes(4).toString('hex')}`,
      args: [{ crm: 'hubspot', batchSize: 2 }],
    });
    expect(await handle.result()).toMatchObject({
      crm: 'hubspot',
      total: MEMBERS,
      done: MEMBERS,
      failed: 0,
      finished: true,
    });
    const contacts = sandbox.emulators.hubspot.list();
    expect(contacts.map((c) => c.properties.townhall_member_id).sort()).toEqual(
      [...memberIds].sort(),
    );
    // A window of eight: more than the rounds of four ever had at once, never more than eight.
    expect(mostInFlight).toBeGreaterThan(4);
    expect(mostInFlight).toBeLessThanOrEqual(8);
    await recordHistory(handle, 'crm-backfill-ranges-hubspot');
  });
});
