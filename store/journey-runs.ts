import { sql } from 'kysely';
import type { Db } from './db.js';

export interface JourneyRunRow {
  workflowId: string;
  journey: string;
  memberId: string;
  exitWhen: string[];
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
      entered_at: run.enteredAt,
    })
    .onConflict((oc) => oc.column('workflow_id').doNothing())
    .execute();
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

/**
 * The member's runs not known to have ended that an event of one of `kinds` ends; `all` for an
 * event that ends every run (the member left).
 */
export async function runsToEnd(
  db: Db,
  memberId: string,
  kinds: readonly string[] | 'all',
): Promise<string[]> {
  let query = db
    .selectFrom('journey_runs')
    .select('workflow_id')
    .where('member_id', '=', memberId)
    .where('ended_at', 'is', null);
  if (kinds !== 'all') {
    if (kinds.length === 0) return [];
    query = query.where(sql<boolean>`exit_when ?| ${sql.val(kinds)}::text[]`);
  }
  return (await query.execute()).map((row) => row.workflow_id);
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
