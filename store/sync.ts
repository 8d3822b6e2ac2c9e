import { sql } from 'kysely';
import type { Db } from './db.js';
import { anyId } from './id-lists.js';

/**
 * Where the incremental sync has written up to: a position in (changed_at, member id) order.
 * `at` is PostgreSQL's own text of the timestamp, so its microseconds survive the round trip
 * (a JavaScript Date would cut them, and the same change would be synced again and again).
 */
export interface Watermark {
  at: string;
  memberId: string;
}

/** The sync's watermark for a CRM; undefined before its first run (everything is new). */
export async function readWatermark(db: Db, crm: string): Promise<Watermark | undefined> {
  const row = await db
    .selectFrom('sync_state')
    .select([sql<string | null>`watermark_at::text`.as('at'), 'watermark_member'])
    .where('crm', '=', crm)
    .executeTakeFirst();
  return row?.at && row.watermark_member
    ? { at: row.at, memberId: row.watermark_member }
    : undefined;
}

/**
 * Members whose view changed after `after` (or all, without one), oldest change first, at most
 * `limit`: the incremental sync's next page. Merged-away members are skipped: their identities
 * now count for the member they were merged into.
 */
export async function changedSince(
  db: Db,
  after: Watermark | undefined,
  limit: number,
): Promise<{ memberIds: string[]; last: Watermark | undefined }> {
  let query = db
    .selectFrom('member_stats as s')
    .innerJoin('members as m', 'm.id', 's.member_id')
    .select(['s.member_id', sql<string>`s.changed_at::text`.as('changed_at')])
    .where('m.merged_into', 'is', null)
    .orderBy('s.changed_at')
    .orderBy('s.member_id')
    .limit(limit);
  if (after)
    query = query.where((eb) =>
      eb.or([
        // As text cast in SQL: a Date would drop the microseconds and re-read the last row.
        eb('s.changed_at', '>', sql<Date>`${after.at}::timestamptz`),
        eb.and([
          eb('s.changed_at', '=', sql<Date>`${after.at}::timestamptz`),
          eb('s.member_id', '>', after.memberId),
        ]),
      ]),
    );
  const rows = await query.execute();
  const tail = rows.at(-1);
  return {
    memberIds: rows.map((row) => row.member_id),
    last: tail && { at: tail.changed_at, memberId: tail.member_id },
  };
}

/** Moves the watermark forward (never back: a slow run must not undo a later one). */
export async function advanceWatermark(db: Db, crm: string, to: Watermark): Promise<void> {
  await sql`
    insert into sync_state (crm, watermark_at, watermark_member, updated_at)
    values (${crm}, ${to.at}::timestamptz, ${to.memberId}, now())
    on conflict (crm) do update set
      watermark_at = excluded.watermark_at,
      watermark_member = excluded.watermark_member,
      updated_at = now()
    where (sync_state.watermark_at, sync_state.watermark_member) is null
       or (sync_state.watermark_at, sync_state.watermark_member)
          < (excluded.watermark_at, excluded.watermark_member)`.execute(db);
}

/** The end of a run: what it wrote and what the CRM refused, for `townhall sync status`. */
export async function recordRun(
  db: Db,
  crm: string,
  run: { written: number; failed: number },
): Promise<void> {
  await db
    .insertInto('sync_state')
    .values({
      crm,
      last_run_at: new Date(),
      last_run_written: run.written,
      last_run_failed: run.failed,
    })
    .onConflict((oc) =>
      oc.column('crm').doUpdateSet({
        last_run_at: new Date(),
        last_run_written: run.written,
        last_run_failed: run.failed,
        updated_at: new Date(),
      }),
    )
    .execute();
}

/** A member the CRM refused for good; cleared once a later push writes them. */
export async function recordFailures(
  db: Db,
  crm: string,
  failures: readonly { memberId: string; reason: string }[],
): Promise<void> {
  if (failures.length === 0) return;
  await db
    .insertInto('sync_failures')
    .values(failures.map((f) => ({ crm, member_id: f.memberId, reason: f.reason })))
    .onConflict((oc) =>
      oc.columns(['crm', 'member_id']).doUpdateSet((eb) => ({
        reason: eb.ref('excluded.reason'),
        failed_at: new Date(),
      })),
    )
    .execute();
}

export async function clearFailures(db: Db, crm: string, memberIds: readonly string[]) {
  if (memberIds.length === 0) return;
  await db
    .deleteFrom('sync_failures')
    .where('crm', '=', crm)
    .where('member_id', '=', anyId(memberIds))
    .execute();
}

/** Members in id order after `afterId`: the backfill's pages. */
export async function membersAfter(db: Db, afterId: string | undefined, limit: number) {
  let query = db
    .selectFrom('members')
    .select('id')
    .where('merged_into', 'is', null)
    .orderBy('id')
    .limit(limit);
  if (afterId) query = query.where('id', '>', afterId);
  return (await query.execute()).map((row) => row.id);
}

export async function countMembers(db: Db): Promise<number> {
  const { n } = await db
    .selectFrom('members')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('merged_into', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(n);
}

/** What `townhall sync status` shows for one CRM. */
export async function syncStatus(db: Db, crm: string, now = new Date()) {
  const state = await db
    .selectFrom('sync_state')
    .selectAll()
    .where('crm', '=', crm)
    .executeTakeFirst();
  const watermark = state?.watermark_at ?? new Date(0);
  const oldest = await db
    .selectFrom('member_stats')
    .select((eb) => eb.fn.min('changed_at').as('at'))
    .where('changed_at', '>', watermark)
    .executeTakeFirst();
  const failures = await db
    .selectFrom('sync_failures')
    .select(['member_id', 'reason', 'failed_at'])
    .where('crm', '=', crm)
    .orderBy('failed_at', 'desc')
    .limit(20)
    .execute();
  const oldestAt = oldest?.at ? new Date(oldest.at) : undefined;
  return {
    crm,
    lastRunAt: state?.last_run_at?.toISOString() ?? null,
    lastRunWritten: state?.last_run_written ?? 0,
    lastRunFailed: state?.last_run_failed ?? 0,
    watermark: state?.watermark_at?.toISOString() ?? null,
    /** How long the oldest change not yet written has waited. */
    lagMs: oldestAt ? Math.max(0, now.getTime() - oldestAt.getTime()) : 0,
    failures: failures.map((f) => ({
      memberId: f.member_id,
      reason: f.reason,
      failedAt: f.failed_at.toISOString(),
    })),
  };
}
