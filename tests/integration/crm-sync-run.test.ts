// The incremental CRM sync end to end, through a `townhall worker` on its schedule and the
// sandbox HubSpot: members whose view changed are written once each, a page at a time, each page
// one activity (syncChangedPage) that also moves the watermark and, on the last page, records
// the run `townhall sync status` shows; a member changed later is written again, alone.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { sql } from 'kysely';
import { createTemporalClient } from '../../runtime/temporal.js';
import type { OwnNamespace } from '../support/namespace.js';
import { ownNamespace } from '../support/namespace.js';
import { testCodec } from '../support/payload-keys.js';
import { townhallCommand } from '../support/backfill.js';
import { sandbox, setUp, useHubSpotBackfill } from '../support/hubspot-backfill.js';
import { waitFor } from '../support/sandbox.js';

useHubSpotBackfill();

let namespace: OwnNamespace;
beforeAll(async () => {
  namespace = await ownNamespace(inject('temporalAddress'));
});
afterAll(() => namespace?.drop());

const MEMBERS = 250;

describe('the incremental CRM sync', () => {
  it('writes every changed member once, a page an activity, and again only the one changed since', async () => {
    const { store, memberIds, config, env, worker } = await setUp(
      MEMBERS,
      100,
      100,
      // Their view changed just now: the sync's watermark reads member_stats.changed_at.
      (db, ids) =>
        sql`insert into member_stats (member_id) select unnest(${ids}::uuid[])`
          .execute(db)
          .then(() => undefined),
      // The sync's schedule id is the namespace's: other files' hubs would take it over.
      { crmSync: '{ interval: 1s, batchSize: 100 }', namespace: namespace.name },
    );
    const hub = await worker();
    const hubspot = sandbox.emulators.hubspot;
    await waitFor(
      'every member in HubSpot',
      () => (hubspot.list().length === MEMBERS ? true : undefined),
      60_000,
    );
    const contacts = hubspot.list();
    expect(new Set(contacts.map((c) => c.properties.townhall_member_id))).toEqual(
      new Set(memberIds),
    );

    // The run that wrote them: one activity a page (100, 100, 50), nothing else scheduled.
    const client = createTemporalClient(inject('temporalAddress'), namespace.name, testCodec());
    const query = `WorkflowType = 'crmSync' AND TaskQueue = '${env.TEMPORAL_TASK_QUEUE}' AND ExecutionStatus = 'Completed'`;
    const written = await waitFor('a completed run that wrote them', async () => {
      for await (const run of client.workflow.list({ query })) {
        const result = (await client.workflow.getHandle(run.workflowId, run.runId).result()) as {
          written: number;
        };
        if (result.written > 0) return run;
      }
      return undefined;
    });
    const history = await client.workflow
      .getHandle(written.workflowId, written.runId)
      .fetchHistory();
    const scheduled = (history.events ?? [])
      .map((event) => event.activityTaskScheduledEventAttributes?.activityType?.name)
      .filter((name) => name !== undefined);
    expect(scheduled).toEqual(['syncChangedPage', 'syncChangedPage', 'syncChangedPage']);

    if (store.url) {
      // The run is recorded with its count, and a member changed since is written again, alone.
      const status = async () =>
        JSON.parse(
          (await townhallCommand(['sync', 'status', '--json', '--config', config], env)).stdout,
        ) as { lastRunAt: string | null; lagMs: number }[];
      expect((await status())[0]!.lastRunAt).not.toBeNull();
      const requestsBefore = hubspot.requests().length;
      await store.db
        .updateTable('members')
        .set({ name: 'Ada Renamed' })
        .where('id', '=', memberIds[7]!)
        .execute();
      await sql`update member_stats set changed_at = now() where member_id = ${memberIds[7]!}`.execute(
        store.db,
      );
      await waitFor('the renamed member written', () =>
        hubspot.list().find((c) => c.properties.townhall_member_id === memberIds[7])?.properties
          .firstname === 'Ada'
          ? true
          : undefined,
      );
      expect(hubspot.list()).toHaveLength(MEMBERS);
      // Written alone: one batch upsert of one contact since, nobody else again.
      const upserts = hubspot
        .requests()
        .slice(requestsBefore)
        .filter((r) => r.path.endsWith('/batch/upsert'));
      expect(upserts.map((r) => (r.body as { inputs: unknown[] }).inputs.length)).toEqual([1]);
    }
    hub.child.kill('SIGINT');
    expect(await hub.exited).toBe(0);
  }, 120_000);
});
