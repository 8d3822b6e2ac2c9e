import { sql } from 'kysely';
import type { MembersConfig } from '../config/members.js';
import { DEFAULT_MEMBERS_CONFIG } from '../config/members.js';
import { LEVEL_WINDOW_DAYS, settleLevel, windowCounts } from './activity.js';
import type { Db } from './db.js';

/**
 * Rebuilds a member's roll-ups from the activity ledger, over the identities the member has now
 * (staff identities left out, as at ingest): last active, total, counts by type and by platform.
 * What ingest keeps incrementally (store/activity.ts), computed from scratch: a merge or an unmerge
 * moves identities, and the ledger rows follow them without being rewritten.
 *
 * First seen stays the earlier of the stored value and the first activity: a member is seen when
 * an identity first appears (a join), which may be before any activity was recorded. The
 * engagement level is graded against the new counts (a promotion applies at once, a demotion
 * waits, store/engagement.ts); a member with no counted activity and no level keeps none until
 * something is counted. `changed_at` moves, so the CRM sync writes the member again.
 */
export async function recomputeStats(
  db: Db,
  memberId: string,
  options: { config?: MembersConfig; now?: Date } = {},
): Promise<void> {
  const config = options.config ?? DEFAULT_MEMBERS_CONFIG;
  const now = options.now ?? new Date();
  const result = await sql<{
    total: number;
    level: string | null;
    level_since: Date | null;
    below_since: Date | null;
  }>`
    with counted as (
      select a.type, a.platform, a.occurred_at
      from activity a
      join identities i
        on i.platform = a.platform
       and i.community_id = a.community_id
       and i.platform_user_id = a.platform_user_id
      where i.member_id = ${memberId} and not i.staff
    )
    insert into member_stats
      (member_id, first_seen_at, last_active_at, total, by_type, by_platform, changed_at)
    select ${memberId}, min(occurred_at), max(occurred_at), count(*)::int,
      coalesce((select jsonb_object_agg(type, n)
                from (select type, count(*)::int as n from counted group by type) t), '{}'::jsonb),
      coalesce((select jsonb_object_agg(platform, n)
                from (select platform, count(*)::int as n from counted group by platform) p), '{}'::jsonb),
      ${now}
    from counted
    on conflict (member_id) do update set
      first_seen_at = least(member_stats.first_seen_at, excluded.first_seen_at),
      last_active_at = excluded.last_active_at,
      total = excluded.total,
      by_type = excluded.by_type,
      by_platform = excluded.by_platform,
      changed_at = excluded.changed_at
    returning total, level, level_since, below_since`.execute(db);
  const row = result.rows[0];
  if (!row || (row.level === null && row.total === 0)) return;

  await settleLevel(
    db,
    memberId,
    row,
    await windowCounts(db, memberId, now, LEVEL_WINDOW_DAYS),
    config,
    now,
  );
}
