import { sql } from 'kysely';
import type { MembersConfig } from '../config/members.js';
import type { CommunityEvent } from '../connectors/events.js';
import type { RolledUp } from './activity.js';
import {
  activityRow,
  LEVEL_WINDOW_DAYS,
  levelCounts,
  numericCounts,
  postMilestoneOf,
  ROLL_UP_COLUMNS,
  rollUpConflict,
  rollUpValues,
  regrade,
  settleLevelHeld,
  windowStart,
} from './activity.js';
import type { Db } from './db.js';
import { storablePayload } from './events.js';
import { refreshKnownIdentity } from './members.js';

/**
 * Nearly every event comes from an identity the store knows. Such an event is stored in one
 * statement that commits on its own, instead of a transaction of six round trips: the event
 * row, the identity's refresh, the ledger row, the roll-ups and a milestone reached are the
 * parts of one statement, which PostgreSQL applies all or none.
 *
 * It returns undefined where the event needs the general path (server/router.ts): an identity
 * the store does not know, one whose staff flag changes, or an event stored already (a
 * redelivery, handled or not). Then it has written nothing, with one exception: an identity
 * erased while the statement runs leaves the event row, so the general path finds the event
 * stored and makes no new member of it.
 *
 * The level is graded after the statement, from the roll-ups it returned. Most events leave the
 * level as it was; a move is graded again holding the roll-ups row. A failure or a crash in
 * between leaves the level for the member's next event or view to grade. `staff`: from the
 * config's staff list (undefined: unknown, the stored flag stands). `processed`: nothing else
 * acts on the event, so it is stored as handled.
 */
export async function recordKnownIdentityEvent(
  db: Db,
  event: CommunityEvent,
  options: { staff: boolean | undefined; processed: boolean; config: MembersConfig; now?: Date },
): Promise<{ memberId: string; staff: boolean } | undefined> {
  const now = options.now ?? new Date();
  const row = activityRow(event);
  // The posts counts that reach a milestone with this event: none unless it is a post.
  const milestones = options.config.milestones.posts.flatMap((posts) => {
    const name = postMilestoneOf(event, posts, options.config);
    return name ? [{ posts, name }] : [];
  });
  // Parameters are typed where they stand in a SELECT: there a column does not type them.
  const { rows } = await sql<
    { member_id: string; staff: boolean; counts: Record<string, number | string> | null } & {
      [K in keyof RolledUp]: RolledUp[K] | null;
    }
  >`
    with known as (
      select member_id from identities
      where platform = ${row.platform} and community_id = ${row.community_id}
        and platform_user_id = ${row.platform_user_id}
        ${options.staff === undefined ? sql`` : sql`and staff = ${options.staff}`}
    ), stored as (
      insert into received_events (event_id, platform, type, payload, processed_at)
      select ${event.eventId}::text, ${event.platform}::text, ${event.type}::text,
        ${storablePayload(event)}::jsonb, ${options.processed ? now : null}::timestamptz
      from known
      on conflict (event_id) do nothing
      returning event_id
    ), refreshed as (
      ${refreshKnownIdentity(db, event.platform, event.member, {
        staff: options.staff,
        seenAt: row.occurred_at,
      })
        .where(sql<boolean>`exists (select 1 from stored)`)
        .returning(['member_id', 'staff'])}
    ), ledger as (
      insert into activity
        (event_id, platform, community_id, platform_user_id, type, channel_id, occurred_at)
      select ${row.event_id}::text, ${row.platform}::text, ${row.community_id}::text,
        ${row.platform_user_id}::text, ${row.type}::text, ${row.channel_id}::text,
        ${row.occurred_at}::timestamptz
      from refreshed
      on conflict (event_id) do nothing
      returning event_id
    ), stats as (
      insert into member_stats ${ROLL_UP_COLUMNS}
      select refreshed.member_id, ${rollUpValues(event, now)}
      from refreshed, ledger
      where not refreshed.staff
      ${rollUpConflict(event)}
    ), reached as (
      insert into milestones (member_id, name, reached_at, event_id)
      select refreshed.member_id, milestone.name, ${row.occurred_at}::timestamptz,
        ${event.eventId}::text
      from refreshed, stats
      join unnest(${milestones.map((m) => m.posts)}::int[], ${milestones.map((m) => m.name)}::text[])
        as milestone(posts, name) on milestone.posts = stats.posts
      on conflict (member_id, name) do nothing
    )
    select refreshed.member_id, refreshed.staff, stats.posts, stats.level, stats.level_since,
      stats.below_since,
      case when stats.posts is not null
        then ${levelCounts(db, sql<string>`refreshed.member_id`, now)} end as counts
    from refreshed left join stats on true`.execute(db);
  const stored = rows[0];
  if (!stored) return undefined;
  const member = { memberId: stored.member_id, staff: stored.staff };
  // No roll-ups moved: a staff identity (its activity counted nowhere), or a ledger row there
  // already.
  if (stored.counts === null || stored.posts === null) return member;

  // The statement's counts do not see its own ledger row.
  const counts = numericCounts(stored.counts);
  if (row.occurred_at >= windowStart(now, LEVEL_WINDOW_DAYS))
    counts[event.type] = (counts[event.type] ?? 0) + 1;
  // Nothing held the roll-ups row since the statement: a level to move is graded again
  // holding it, from the counts committed by then (other events of this member's included).
  if (regrade(stored, counts, options.config, now))
    await settleLevelHeld(db, member.memberId, options.config, now);
  return member;
}
