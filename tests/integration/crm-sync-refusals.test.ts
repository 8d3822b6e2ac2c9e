// The CRM sync's refusals and pauses end to end, through a `townhall worker` and the sandbox
// HubSpot: 429s from a portal busier than townhall knows are waited out, not failed; records
// HubSpot refuses are reported by `townhall sync status`, one failed for now is retried.
import { describe, expect, it } from 'vitest';
import { hubClient } from '../support/payload-keys.js';
import { crmBackfillWorkflowId } from '../../workflows/crm-backfill/types.js';
import { townhallCommand } from '../support/backfill.js';
import { sandbox, setUp, useHubSpotBackfill } from '../support/hubspot-backfill.js';

useHubSpotBackfill();

describe('the CRM sync, refused and paused', () => {
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
    const client = hubClient();
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
      backfill: unknown;
    }[];
    // With no worker up, the ended backfill is read from its history.
    expect(hubspot!.backfill).toEqual({
      status: 'COMPLETED',
      progress: expect.objectContaining({ done: 97, failed: 3, finished: true }),
    });
    expect(hubspot!.failures.map((f) => f.memberId).sort()).toEqual(
      refused.map((i) => memberIds[i]!).sort(),
    );
    for (const failure of hubspot!.failures) expect(failure.reason).toContain('INVALID_EMAIL');
  }, 120_000);
});
