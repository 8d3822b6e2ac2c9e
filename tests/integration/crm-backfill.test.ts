// `townhall sync backfill` end to end: 10,000 members to the sandbox HubSpot through a separate
// `townhall worker` process, under a burst limit of N requests per 10 s. The worker is SIGKILLed
// in the middle and another one finishes: every member written, none twice beyond what was in
// flight, no request over the limit, and the pace within 10% of the ceiling.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTemporalClient } from '../../runtime/temporal.js';
import type { Sandbox } from '../../sandbox/index.js';
import type { SandboxRequest } from '../../sandbox/hubspot/index.js';
import { backfillProgress } from '../../workflows/crm-backfill/workflow.js';
import { crmBackfillWorkflowId } from '../../workflows/crm-backfill/types.js';
import type { Db } from '../../store/db.js';
import type { SharedStore } from '../support/backfill.js';
import { openSharedStore, seedMembers, townhallCommand } from '../support/backfill.js';
import { SANDBOX_HUBSPOT_TOKEN, startTestSandbox, waitFor } from '../support/sandbox.js';
import type { TownhallProcess } from '../support/townhall-process.js';
import { spawnTownhall } from '../support/townhall-process.js';

const MEMBERS = 10_000;
/** The sandbox portal's burst limit: requests per 10 s. */
const LIMIT = 40;
const WINDOW_MS = 10_000;
const BATCH_UPSERT = '/crm/v3/objects/contacts/batch/upsert';

let sandbox: Sandbox;
const running: TownhallProcess[] = [];
const stores: SharedStore[] = [];
beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(async () => {
  for (const child of running) child.child.kill('SIGKILL');
  await sandbox?.stop();
  for (const store of stores) if (store.url) await store.close();
});

/** The most requests that arrived within any `WINDOW_MS`. */
function busiestWindow(times: number[]): number {
  let most = 0;
  for (let i = 0, j = 0; j < times.length; j++) {
    while (times[j]! - times[i]! >= WINDOW_MS) i++;
    most = Math.max(most, j - i + 1);
  }
  return most;
}

/**
 * A store seeded with `members` members, a config whose HubSpot budget is `townhallLimit` per
 * 10 s, and the sandbox portal limited to `portalLimit`; `worker()` starts a `townhall worker`.
 */
async function setUp(
  members: number,
  townhallLimit: number,
  portalLimit: number,
  prepare: (db: Db, memberIds: string[]) => Promise<void> = () => Promise.resolve(),
) {
  await fetch(`${sandbox.url}/_sandbox/reset`, { method: 'POST' });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'townhall-backfill-'));
  const dataDir = path.join(dir, 'data');
  const store = await openSharedStore(dataDir);
  stores.push(store);
  const memberIds = await seedMembers(store.db, members);
  await prepare(store.db, memberIds);
  // PGlite is one process's at a time: the worker's, from here on.
  if (!store.url) await store.close();

  const config = path.join(dir, 'townhall.config.yaml');
  writeFileSync(
    config,
    `
connectors:
  hubspot:
    accessToken: ${SANDBOX_HUBSPOT_TOKEN}
    baseUrl: ${sandbox.url}
    requestLimit: { max: ${townhallLimit}, intervalMs: ${WINDOW_MS} }
workflows:
  crmSync: { enabled: false }
`,
  );
  await fetch(`${sandbox.url}/_sandbox/hubspot/limits`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ burst: { max: portalLimit, intervalMs: WINDOW_MS } }),
  });
  const env = {
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_TASK_QUEUE: `backfill-${randomBytes(4).toString('hex')}`,
    TOWNHALL_DATA_DIR: dataDir,
    DATABASE_URL: store.url ?? '',
  };
  const worker = async () => {
    const started = await spawnTownhall(['worker', '--config', config], env);
    running.push(started);
    return started;
  };
  return { store, memberIds, config, env, worker };
}

describe('townhall sync backfill', () => {
  it('writes 10,000 members at the rate ceiling, through a SIGKILLed worker, none lost or doubled', async () => {
    const { store, memberIds, config, env, worker } = await setUp(MEMBERS, LIMIT, LIMIT);
    const first = await worker();
    const started = await townhallCommand(
      ['sync', 'backfill', '--detach', '--config', config],
      env,
    );
    expect(started.stderr).toContain(crmBackfillWorkflowId('hubspot'));

    const client = createTemporalClient(inject('temporalAddress'), 'default');
    const handle = client.workflow.getHandle(crmBackfillWorkflowId('hubspot'));
    const written = () => sandbox.emulators.hubspot.list().length;
    await waitFor(
      'a third of the members in HubSpot',
      () => (written() >= MEMBERS / 3 ? true : undefined),
      120_000,
    );
    const progress = await handle.query(backfillProgress);
    expect(progress).toMatchObject({ crm: 'hubspot', total: MEMBERS, finished: false });
    expect(progress.done).toBeGreaterThan(0);

    // No graceful shutdown: batches in flight die with the process.
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    const killedAt = Date.now();
    const second = await worker();

    const result = await handle.result();
    expect(result).toMatchObject({ done: MEMBERS, failed: 0, total: MEMBERS, finished: true });

    // Every member is one contact, keyed by their member id.
    const contacts = sandbox.emulators.hubspot.list();
    expect(contacts).toHaveLength(MEMBERS);
    expect(new Set(contacts.map((c) => c.properties.townhall_member_id))).toEqual(
      new Set(memberIds),
    );

    // Nothing over the limit: HubSpot refused nothing, and no 10 s held more than N requests.
    const requests: SandboxRequest[] = sandbox.emulators.hubspot.requests();
    expect(sandbox.emulators.hubspot.limits().usage.rejected).toBe(0);
    expect(requests.filter((r) => r.status === 429)).toEqual([]);
    expect(busiestWindow(requests.map((r) => r.at))).toBeLessThanOrEqual(LIMIT);

    // Written once: records sent again are at most the batches in flight when the worker died.
    const upserts = requests.filter((r) => r.path === BATCH_UPSERT);
    const sent = upserts.reduce((n, r) => n + (r.body as { inputs: unknown[] }).inputs.length, 0);
    expect(sent).toBeGreaterThanOrEqual(MEMBERS);
    expect(sent - MEMBERS).toBeLessThanOrEqual(4 * 100);

    // The pace, measured before the kill: at least 0.9 of the ceiling.
    const before = upserts.filter((r) => r.at < killedAt).map((r) => r.at);
    const ceilingPerMs = LIMIT / WINDOW_MS;
    const achievedPerMs = (before.length - 1) / (before.at(-1)! - before[0]!);
    console.log(
      `backfill pace: ${(achievedPerMs * 1000).toFixed(2)} requests/s against a ceiling of ${(ceilingPerMs * 1000).toFixed(2)} (${((achievedPerMs / ceilingPerMs) * 100).toFixed(1)}%)`,
    );
    expect(achievedPerMs / ceilingPerMs).toBeGreaterThanOrEqual(0.9);

    // sync status reads the backfill from Temporal (a worker answers the query) and the store
    // (PGlite is one process's: there, only once the worker has stopped).
    const status = async () =>
      JSON.parse(
        (await townhallCommand(['sync', 'status', '--json', '--config', config], env)).stdout,
      ) as { crm: string; lastRunAt: string | null; backfill: unknown }[];
    if (store.url)
      expect(await status()).toEqual([
        expect.objectContaining({
          crm: 'hubspot',
          backfill: expect.objectContaining({ done: MEMBERS, finished: true }),
        }),
      ]);
    second.child.kill('SIGINT');
    expect(await second.exited).toBe(0);
    if (!store.url) expect(await status()).toEqual([expect.objectContaining({ crm: 'hubspot' })]);
  }, 300_000);

  it("pauses on the portal's 429s and Retry-After instead of failing, and finishes", async () => {
    // townhall is told 40 per 10 s; the portal allows 6: other apps spend the rest.
    const members = 1_000;
    const { config, env, worker } = await setUp(members, 40, 6);
    const hub = await worker();
    const { stderr } = await townhallCommand(['sync', 'backfill', '--config', config], env);
    expect(stderr).toMatch(/1,000\/1,000 100%/);
    const rejected = sandbox.emulators.hubspot.limits().usage.rejected;
    expect(rejected).toBeGreaterThan(0);
    const contacts = sandbox.emulators.hubspot.list();
    expect(contacts).toHaveLength(members);
    // Nobody refused: the 429s were waited out, not counted as failures.
    const client = createTemporalClient(inject('temporalAddress'), 'default');
    expect(
      await client.workflow.getHandle(crmBackfillWorkflowId('hubspot')).result(),
    ).toMatchObject({ done: members, failed: 0 });
    hub.child.kill('SIGINT');
    expect(await hub.exited).toBe(0);
  }, 180_000);

  it('writes 97 of a batch of 100 with 3 refused, retries the one failed for now, and reports the 3', async () => {
    const refused = [10, 50, 70];
    const { memberIds, config, env, worker } = await setUp(100, 100, 100, async (db, ids) => {
      for (const i of refused)
        await db
          .updateTable('members')
          .set({ email: `not-an-email-${i}` })
          .where('id', '=', ids[i]!)
          .execute();
    });
    // Another write to that contact at the same moment: HubSpot's CONFLICT, for now only.
    await fetch(`${sandbox.url}/_sandbox/hubspot/record-faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ids: ['member-90@example.com'] }),
    });
    const hub = await worker();
    const { stderr } = await townhallCommand(['sync', 'backfill', '--config', config], env);
    expect(stderr).toContain('3 refused (townhall sync status)');
    expect(sandbox.emulators.hubspot.list()).toHaveLength(97);
    expect(
      sandbox.emulators.hubspot.list().some((c) => c.properties.email === 'member-90@example.com'),
    ).toBe(true);
    hub.child.kill('SIGINT');
    expect(await hub.exited).toBe(0);

    const status = await townhallCommand(['sync', 'status', '--json', '--config', config], env);
    const [hubspot] = JSON.parse(status.stdout) as {
      failures: { memberId: string; reason: string }[];
    }[];
    expect(hubspot!.failures.map((f) => f.memberId).sort()).toEqual(
      refused.map((i) => memberIds[i]!).sort(),
    );
    for (const failure of hubspot!.failures) expect(failure.reason).toContain('INVALID_EMAIL');
  }, 120_000);
});
