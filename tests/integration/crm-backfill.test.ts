// `townhall sync backfill` end to end: 10,000 members to the sandbox HubSpot through a separate
// `townhall worker` process, under a burst limit of N requests per 10 s. The worker is SIGKILLed
// in the middle and another one finishes: every member written, none twice beyond what was in
// flight, no request over the limit, and the pace within 10% of the ceiling.
import { describe, expect, it } from 'vitest';
import { hubClient } from '../support/payload-keys.js';
import type { SandboxRequest } from '../../sandbox/hubspot/index.js';
import { backfillProgress } from '../../workflows/crm-backfill/workflow.js';
import { crmBackfillWorkflowId } from '../../workflows/crm-backfill/types.js';
import { townhallCommand } from '../support/backfill.js';
import { sandbox, setUp, useHubSpotBackfill, WINDOW_MS } from '../support/hubspot-backfill.js';
import { waitFor } from '../support/sandbox.js';

const MEMBERS = 10_000;
/** The sandbox portal's burst limit: requests per 10 s. */
const LIMIT = 40;
const BATCH_UPSERT = '/crm/v3/objects/contacts/batch/upsert';

useHubSpotBackfill();

/** The most requests that arrived within any `WINDOW_MS`. */
function busiestWindow(times: number[]): number {
  let most = 0;
  for (let i = 0, j = 0; j < times.length; j++) {
    while (times[j]! - times[i]! >= WINDOW_MS) i++;
    most = Math.max(most, j - i + 1);
  }
  return most;
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

    const client = hubClient();
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
    // Up to 8 pushes of 100 are in flight at once (workflows/crm-backfill, PUSHES_IN_FLIGHT).
    expect(sent - MEMBERS).toBeLessThanOrEqual(8 * 100);

    // The pace, measured before the kill: at least 0.9 of the ceiling.
    const before = upserts.filter((r) => r.at < killedAt).map((r) => r.at);
    const ceilingPerMs = LIMIT / WINDOW_MS;
    const achievedPerMs = (before.length - 1) / (before.at(-1)! - before[0]!);
    // The slowest gap tells a stall (one long gap) from a slow pace (every gap long).
    const slowest = Math.max(...before.slice(1).map((at, i) => at - before[i]!));
    console.log(
      `backfill pace: ${(achievedPerMs * 1000).toFixed(2)} requests/s against a ceiling of ${(ceilingPerMs * 1000).toFixed(2)} (${((achievedPerMs / ceilingPerMs) * 100).toFixed(1)}%); slowest gap ${slowest} ms`,
    );
    expect(achievedPerMs / ceilingPerMs).toBeGreaterThanOrEqual(0.9);

    // sync status reads an ended backfill from its history, with or without a worker up, and
    // the store (PGlite is one process's: there, only once the worker has stopped).
    const status = async () =>
      JSON.parse(
        (await townhallCommand(['sync', 'status', '--json', '--config', config], env)).stdout,
      ) as { crm: string; lastRunAt: string | null; backfill: unknown }[];
    const ended = [
      expect.objectContaining({
        crm: 'hubspot',
        backfill: {
          status: 'COMPLETED',
          progress: expect.objectContaining({ done: MEMBERS, finished: true }),
        },
      }),
    ];
    if (store.url) expect(await status()).toEqual(ended);
    second.child.kill('SIGINT');
    expect(await second.exited).toBe(0);
    if (!store.url) expect(await status()).toEqual(ended);
  }, 300_000);
});
