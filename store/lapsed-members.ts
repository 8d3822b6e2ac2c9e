import { sql } from 'kysely';
import type { Db } from './db.js';
import { anyText } from './id-lists.js';

export interface LapsedMember {
  memberId: string;
  lastActiveAt: Date;
  /** The platform of their last activity: where a DM reaches them. */
  platform: string;
}

export interface LapsedQuery {
  journey: string;
  /** No activity since this moment. */
  cutoff: Date;
  /** Only members at one of these engagement levels; any level when absent. */
  levels?: readonly string[] | undefined;
  /** `entry: once_per`: nobody who entered the journey after this moment. */
  enteredSince?: Date | undefined;
  /** `entry: once`: nobody who ever entered the journey (a run may start once per member). */
  enteredEver?: boolean | undefined;
  /**
   * Entries recorded at exactly this moment keep nobody out: they are an earlier attempt's at
   * the same page, whose runs may not have started (the attempt died between the two).
   */
  ownEntriesAt?: Date | undefined;
  afterId?: string | undefined;
  limit: number;
}

/**
 * Members of the member view who went quiet: active before (something besides joining), nothing
 * since `cutoff`, not gone (their last event is not member.left), and not entered into this
 * journey since their last activity, so a lapse that every scan finds again enters it once. In
 * member id order, for paging.
 */
export async function lapsedMembers(db: Db, query: LapsedQuery): Promise<LapsedMember[]> {
  const rows = await sql<{ member_id: string; last_active_at: Date; platform: string }>`
    select ms.member_id, ms.last_active_at, last.platform
    from member_stats ms
    join lateral (
      select a.platform, a.type
      from identities i
      join activity a on a.platform = i.platform and a.community_id = i.community_id
        and a.platform_user_id = i.platform_user_id
      where i.member_id = ms.member_id
      order by a.occurred_at desc
      limit 1
    ) last on true
    where ms.last_active_at < ${query.cutoff}
      and ms.total - coalesce((ms.by_type ->> 'member.joined')::int, 0) > 0
      and last.type <> 'member.left'
      ${query.levels ? sql`and ms.level = ${anyText(query.levels)}` : sql``}
      ${query.afterId ? sql`and ms.member_id > ${query.afterId}` : sql``}
      and not exists (
        select 1 from journey_runs jr
        where jr.journey = ${query.journey} and jr.member_id = ms.member_id
          ${query.ownEntriesAt ? sql`and jr.entered_at <> ${query.ownEntriesAt}` : sql``}
          and (jr.entered_at >= ms.last_active_at
            ${query.enteredSince ? sql`or jr.entered_at >= ${query.enteredSince}` : sql``}
            ${query.enteredEver ? sql`or true` : sql``})
      )
    order by ms.member_id
    limit ${query.limit}`.execute(db);
  return rows.rows.map((row) => ({
    memberId: row.member_id,
    lastActiveAt: new Date(row.last_active_at),
    platform: row.platform,
  }));
}
