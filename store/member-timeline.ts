import { sql } from 'kysely';
import type { Db } from './db.js';
import { identityActivity } from './identity-activity.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The member's activity per UTC day over the last `days` days, every day present (zero where
 * nothing happened) so a chart's axis is the calendar, across their non-staff identities.
 */
export async function dailyActivity(
  db: Db,
  memberId: string,
  now = new Date(),
  days = 90,
): Promise<{ day: string; count: number }[]> {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const first = new Date(today - (days - 1) * DAY_MS);
  const rows = await identityActivity(db)
    .select([
      sql<string>`to_char(a.occurred_at at time zone 'UTC', 'YYYY-MM-DD')`.as('day'),
      (eb) => eb.fn.countAll<string>().as('count'),
    ])
    .where('i.member_id', '=', memberId)
    .where('i.staff', '=', false)
    .where('a.occurred_at', '>=', first)
    .groupBy('day')
    .execute();
  const byDay = new Map(rows.map((row) => [row.day, Number(row.count)]));
  return Array.from({ length: days }, (_, i) => {
    const day = new Date(first.getTime() + i * DAY_MS).toISOString().slice(0, 10);
    return { day, count: byDay.get(day) ?? 0 };
  });
}

/** The journey runs the member entered, newest first. */
export async function memberJourneys(db: Db, memberId: string, limit = 50) {
  const rows = await db
    .selectFrom('journey_runs')
    .select(['workflow_id', 'journey', 'entered_at', 'ended_at'])
    .where('member_id', '=', memberId)
    .orderBy('entered_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    workflowId: row.workflow_id,
    journey: row.journey,
    enteredAt: row.entered_at.toISOString(),
    /** Set once the router found the run finished; a run may have ended before anyone looked. */
    endedAt: row.ended_at?.toISOString() ?? null,
  }));
}

/** Help-desk tickets opened for threads the member started, newest first. */
export async function memberTickets(db: Db, memberId: string, limit = 50) {
  const rows = await db
    .selectFrom('handoff_threads')
    .select(['workflow_id', 'platform', 'helpdesk', 'ticket_id', 'created_at'])
    .where('requester_member_id', '=', memberId)
    .where('ticket_id', 'is not', null)
    .orderBy('created_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    workflowId: row.workflow_id,
    platform: row.platform,
    helpdesk: row.helpdesk,
    ticketId: row.ticket_id!,
    openedAt: row.created_at.toISOString(),
  }));
}
