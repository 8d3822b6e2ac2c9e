// syncChangedPage resumed by Temporal after a crash, on the real store and the sandbox HubSpot:
// what an earlier attempt wrote (its heartbeat) is skipped only when the attempt reads the same
// page. One that crashed after moving the watermark reads the next page, where a member changed
// again since must be written again, not taken for done. The attempt runs in the SDK's activity
// context harness (MockActivityEnvironment), the one way to hand it a crashed attempt's
// heartbeat; the store and HubSpot behind it are real.
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../sandbox/index.js';
import { seedMembers } from '../support/backfill.js';
import type { TestDb } from '../support/db.js';
import { openTestDb } from '../support/db.js';
import { activitiesWithSandboxHubSpot } from '../support/hubspot-activities.js';
import { startTestSandbox } from '../support/sandbox.js';

let t: TestDb;
let sandbox: Sandbox;
let activities: ReturnType<typeof activitiesWithSandboxHubSpot>;
let ids: string[];

beforeAll(async () => {
  t = await openTestDb();
  sandbox = await startTestSandbox();
  activities = activitiesWithSandboxHubSpot(t.db, sandbox.url);
  ids = await seedMembers(t.db, 3);
  // Changed one after another: the page is the three in this order.
  await t.db
    .insertInto('member_stats')
    .values(ids.map((id, i) => ({ member_id: id, changed_at: new Date(Date.UTC(2026, 0, 1, i)) })))
    .execute();
});
beforeEach(async () => {
  // The page read again from the start. The portal is not reset: its community fields stay made.
  await t.db.deleteFrom('sync_state').execute();
});
afterAll(async () => {
  await sandbox?.stop();
  await t?.close();
});

/** One attempt of syncChangedPage as Temporal would resume it, with `heartbeatDetails`. */
const attempt = (heartbeatDetails: unknown) =>
  new MockActivityEnvironment({ attempt: 2, heartbeatDetails }).run(() =>
    activities.syncChangedPage({ crm: 'hubspot', total: { written: 0, failed: 0 } }),
  );

/** The member ids the attempt sent to HubSpot (its batch upserts after `mark` requests). */
const sentSince = (mark: number) =>
  sandbox.emulators.hubspot
    .requests()
    .slice(mark)
    .filter((r) => r.path.endsWith('/batch/upsert'))
    .flatMap((r) =>
      (r.body as { inputs: { properties: { townhall_member_id: string } }[] }).inputs.map(
        (input) => input.properties.townhall_member_id,
      ),
    )
    .sort();

describe('syncChangedPage, resumed', () => {
  it('skips what an earlier attempt at the same page wrote', async () => {
    // The page read from no watermark: the earlier attempt's heartbeat names it so.
    const mark = sandbox.emulators.hubspot.requests().length;
    const result = await attempt({ done: [ids[1]], page: JSON.stringify(null) });
    expect(result).toEqual({ written: 3, failed: 0, more: false });
    expect(sentSince(mark)).toEqual([ids[0], ids[2]].sort());
  });

  it('writes everyone when the earlier attempt was at another page', async () => {
    const other = JSON.stringify({ at: '2025-12-31 23:00:00+00', memberId: ids[2] });
    const mark = sandbox.emulators.hubspot.requests().length;
    const result = await attempt({ done: [ids[1]], page: other });
    expect(result).toEqual({ written: 3, failed: 0, more: false });
    expect(sentSince(mark)).toEqual([...ids].sort());
  });
});
