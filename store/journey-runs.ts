import { sql } from 'kysely';
import type { Db } from './db.js';

export interface JourneyRunRow {
  workflowId: string;
  journey: string;
  memberId: string;
  exitWhen: string[];
  /** The events its wait_until steps wait for. */
  awaits: string[];
  enteredAt: Date;
}

/** Records a run before it starts; a repeat (a redelivered event) changes nothing. */
export async function recordJourneyRun(db: Db, run: JourneyRunRow): Promise<void> {
  await db
    .insertInto('journey_runs')
    .values({
      workflow_id: run.workflowId,
      journey: run.journey,
      member_id: run.memberId,
      exit_when: JSON.stringify(run.exitWhen),
      awaits: JSON.stringify(run.awaits),
      entered_at: run.enteredAt,
    })
    .onConflict((oc) => oc.column('workflow_id').doNothing())
    .execute();
}

/**
 * Takes back the record of a run that could not be started (the inactivity scan failed to start
 * it): the member is found again by the next scan instead of being kept out as entered.
 */
export async function forgetJourneyRun(db: Db, workflowId: string): Promise<void> {
  await db.deleteFrom('journey_runs').where('workflow_id', '=', workflowId).execute();
}

/** The member's latest entry into a journey: `entry: once_per` compares against it. */
export async function lastJourneyEntry(
  db: Db,
  journey: string,
  memberId: string,
): Promise<{ workflowId: string; enteredAt: Date } | undefined> {
  const row = await db
    .selectFrom('journey_runs')
    .select(['workflow_id', 'entered_at'])
    .where('journey', '=', journey)
    .where('member_id', '=', memberId)
    .orderBy('entered_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row && { workflowId: row.workflow_id, enteredAt: new Date(row.entered_at) };
}

export interface HearingRun {
  workflowId: string;
  /** The event ends it (its exit_when names it, or the member left). */
  exits: boolean;
}

/**
 * The member's runs, not known to have ended, that hear an event of one of `kinds`: those it
 * ends, and those whose wait_until steps wait for it. `leaving`: the member left, which ends
 * every run.
 */
export async function runsHearing(
  db: Db,
  memberId: string,
  kinds: readonly string[],
  leaving: boolean,
): Promise<HearingRun[]> {
  const listed = sql.val([...kinds]);
  const rows = await sql<{ workflow_id: string; exits: boolean }>`
    select workflow_id, (${leaving} or exit_when ?| ${listed}::text[]) as exits
    from journey_runs
    where member_id = ${memberId} and ended_at is null
      and (${leaving} or exit_when ?| ${listed}::text[] or awaits ?| ${listed}::text[])`.execute(
    db,
  );
  return rows.rows.map((row) => ({ workflowId: row.workflow_id, exits: row.exits }));
}

/** The run has finished: later events no longer signal it. */
export async function markJourneyRunEnded(db: Db, workflowId: string): Promise<void> {
  await db
    .updateTable('journey_runs')
    .set({ ended_at: new Date() })
    .where('workflow_id', '=', workflowId)
    .where('ended_at', 'is', null)
    .execute();
}
