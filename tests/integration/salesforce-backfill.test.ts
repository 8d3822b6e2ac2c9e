// `townhall sync backfill --crm salesforce` through a separate `townhall worker`, jsforce talking
// to the sandbox org: one Bulk API 2.0 ingest job when the members reach bulkThreshold, sObject
// Collections upserts of 200 below it. Either way every member is one Contact, by member id.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { hubClient } from '../support/payload-keys.js';
import { crmBackfillWorkflowId } from '../../workflows/crm-backfill/types.js';
import type { SharedStore } from '../support/backfill.js';
import { openSharedStore, seedMembers, townhallCommand } from '../support/backfill.js';
import type { SalesforceSandbox } from '../support/salesforce.js';
import { CLIENT_ID, CLIENT_SECRET, startSalesforceSandbox } from '../support/salesforce.js';
import type { TownhallProcess } from '../support/townhall-process.js';
import { spawnTownhall } from '../support/townhall-process.js';

const MEMBERS = 2_500;
const COLLECTIONS = '/composite/sobjects/Contact/Townhall_Member_Id__c';

let sandbox: SalesforceSandbox;
const running: TownhallProcess[] = [];
const stores: SharedStore[] = [];
beforeAll(async () => {
  sandbox = await startSalesforceSandbox();
});
afterAll(async () => {
  for (const child of running) child.child.kill('SIGKILL');
  await sandbox?.stop();
  for (const store of stores) if (store.url) await store.close();
});

/** Seeds `members` members, runs a worker and the backfill to its end; returns the member ids. */
async function backfill(bulkThreshold: number, members = MEMBERS): Promise<string[]> {
  await fetch(`${sandbox.url}/_sandbox/reset`, { method: 'POST' });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'townhall-sf-backfill-'));
  const dataDir = path.join(dir, 'data');
  const store = await openSharedStore(dataDir);
  stores.push(store);
  const memberIds = await seedMembers(store.db, members);
  if (!store.url) await store.close();

  const config = path.join(dir, 'townhall.config.yaml');
  writeFileSync(
    config,
    `
connectors:
  salesforce:
    loginUrl: ${sandbox.url}
    clientId: ${CLIENT_ID}
    clientSecret: ${CLIENT_SECRET}
    bulkThreshold: ${bulkThreshold}
workflows:
  crmSync: { enabled: false }
`,
  );
  const env = {
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_TASK_QUEUE: `sf-backfill-${randomBytes(4).toString('hex')}`,
    TOWNHALL_DATA_DIR: dataDir,
    DATABASE_URL: store.url ?? '',
  };
  const worker = await spawnTownhall(['worker', '--config', config], env);
  running.push(worker);
  // Without --detach the command watches the backfill to its end, printing its progress.
  const { stderr } = await townhallCommand(
    ['sync', 'backfill', '--crm', 'salesforce', '--config', config],
    env,
  );
  const count = members.toLocaleString('en-US');
  expect(stderr).toContain(`${count}/${count} 100%`);

  const client = hubClient();
  const result: unknown = await client.workflow
    .getHandle(crmBackfillWorkflowId('salesforce'))
    .result();
  expect(result).toMatchObject({ done: members, failed: 0, total: members, finished: true });
  worker.child.kill('SIGINT');
  expect(await worker.exited).toBe(0);
  return memberIds;
}

/** Every member is exactly one Contact, found by its member id. */
function expectOneContactEach(memberIds: string[]) {
  const contacts = sandbox.emulators.salesforce.list();
  expect(contacts).toHaveLength(memberIds.length);
  expect(new Set(contacts.map((c) => c.Townhall_Member_Id__c))).toEqual(new Set(memberIds));
}

describe('the Salesforce backfill', () => {
  it('at or above bulkThreshold: one Bulk API 2.0 job, no Collections calls', async () => {
    const memberIds = await backfill(2_000);
    expectOneContactEach(memberIds);
    expect(sandbox.emulators.salesforce.jobs()).toEqual([
      expect.objectContaining({ state: 'JobComplete', numberRecordsProcessed: MEMBERS }),
    ]);
    const requests = sandbox.emulators.salesforce.requests();
    expect(requests.filter((r) => r.path.endsWith(COLLECTIONS))).toEqual([]);
  }, 180_000);

  it('pages of 5,000 in jobs of their own, never more than two at the org at once', async () => {
    // Four pages: three pushes are in flight, and the worker lets two of them hold a job.
    const memberIds = await backfill(2_000, 15_001);
    expectOneContactEach(memberIds);
    expect(sandbox.emulators.salesforce.jobs().map((job) => job.numberRecordsProcessed)).toEqual([
      5_000, 5_000, 5_000, 1,
    ]);
    // A job is at the org from its create until its last result read (failedResults).
    let open = 0;
    let most = 0;
    for (const request of sandbox.emulators.salesforce.requests()) {
      if (request.method === 'POST' && request.path.endsWith('/jobs/ingest')) open += 1;
      if (request.path.endsWith('/failedResults')) open -= 1;
      most = Math.max(most, open);
    }
    expect([most, open]).toEqual([2, 0]);
  }, 180_000);

  it('below it: sObject Collections upserts of 200, no bulk job', async () => {
    const memberIds = await backfill(5_000);
    expectOneContactEach(memberIds);
    expect(sandbox.emulators.salesforce.jobs()).toEqual([]);
    const upserts = sandbox.emulators.salesforce
      .requests()
      .filter((r) => r.path.endsWith(COLLECTIONS) && r.method === 'PATCH');
    expect(upserts).toHaveLength(Math.ceil(MEMBERS / 200));
  }, 180_000);
});
