import type { Expression } from 'kysely';
import { sql } from 'kysely';
import type { MembersConfig } from '../config/members.js';
import type { CommunityEvent } from '../connectors/events.js';
import type { Db } from './db.js';
import { inTransaction } from './db.js';
import { moveLevel } from './level-changes.js';
import { activityScore, nextLevel, postMilestone } from './engagement.js';
import { identityActivity } from './identity-activity.js';

const DAY_MS = 86_400_000;

/** The days of activity that grade the engagement level. */
export const LEVEL_WINDOW_DAYS = 30;

export interface RecordedActivity {
  /** False for a redelivery: the ledger already had this source event, nothing was counted. */
  recorded: boolean;
  /** Milestones this event reached (first_post, posts_10 ...). */
  milestones: string[];
}

/**
 * Records one member activity in the ledger, once per source event, and keeps the member's
 * roll-ups current: first seen, last active, counts by type and platform, milestones and the
 * engagement level. Staff activity is recorded and counted nowhere. One transaction: a crash
 * leaves either all of it or none, and the redelivery that follows counts it then.
 */
export async function recordActivity(
  db: Db,
  event: CommunityEvent,
  memberId: string,
  options: { staff: boolean; config: MembersConfig; now?: Date },
): Promise<RecordedActivity> {
  const now = options.now ?? new Date();
  const occurredAt = new Date(event.occurredAt);
  return inTransaction(db, async (trx) => {
    const inserted = await trx
      .insertInto('activity')
      .values(activityRow(event))
      .onConflict((oc) => oc.column('event_id').doNothing())
      .returning('event_id')
      .executeTakeFirst();
    if (!inserted) return { recorded: false, milestones: [] };
    if (options.staff) return { recorded: true, milestones: [] };

    // The roll-ups and the 30-day counts that set the level, in one round trip: the counts
    // read the activity row inserted above (same transaction), not the roll-ups.
    const stats = await sql<RolledUp & { counts: Record<string, number | string> }>`
      with stats as (
      insert into member_stats ${ROLL_UP_COLUMNS}
      values (${memberId}, ${rollUpValues(event, now)})
      ${rollUpConflict(event)})
      select stats.*, ${levelCounts(trx, memberId, now)} as counts
      from stats`.execute(trx);
    const row = stats.rows[0]!;

    const milestones: string[] = [];
    const milestone = postMilestoneOf(event, row.posts, options.config);
    if (milestone) {
      const reached = await trx
        .insertInto('milestones')
        .values({
          member_id: memberId,
          name: milestone,
          reached_at: occurredAt,
          event_id: event.eventId,
        })
        .onConflict((oc) => oc.columns(['member_id', 'name']).doNothing())
        .returning('name')
        .executeTakeFirst();
      if (reached) milestones.push(milestone);
    }

    const counts = numericCounts(row.counts);
    await settleLevel(trx, memberId, row, counts, options.config, now);
    return { recorded: true, milestones };
  });
}

/** What the roll-ups' upsert returns: the posts that make milestones, and the stored level. */
export interface RolledUp {
  posts: number;
  level: string | null;
  level_since: Date | null;
  below_since: Date | null;
}

/** The member's level as stored with their roll-ups. */
export type StoredLevel = Pick<RolledUp, 'level' | 'level_since' | 'below_since'>;

/** The first instant of a `days`-day window of activity that ends at `now`. */
export const windowStart = (now: Date, days: number) => new Date(now.getTime() - days * DAY_MS);

/** The ledger row of a member event. */
export const activityRow = (event: CommunityEvent) => ({
  event_id: event.eventId,
  platform: event.platform,
  community_id: event.member.communityId,
  platform_user_id: event.member.userId,
  type: event.type,
  channel_id: 'channelId' in event ? event.channelId : null,
  occurred_at: new Date(event.occurredAt),
});

/** The roll-ups' upsert, in three parts: its columns, the values after the member id, and the rest. */
export const ROLL_UP_COLUMNS = sql`
  (member_id, first_seen_at, last_active_at, total, by_type, by_platform, changed_at)`;

export const rollUpValues = (event: CommunityEvent, now: Date) => {
  const occurredAt = new Date(event.occurredAt);
  // Typed: in a SELECT (store/known-identity-event.ts) a parameter is not typed by its column.
  return sql`${occurredAt}::timestamptz, ${occurredAt}::timestamptz, 1,
    jsonb_build_object(${event.type}::text, 1), jsonb_build_object(${event.platform}::text, 1),
    ${now}::timestamptz`;
};

/** One more event of its type on its platform for a member who has roll-ups already. */
export const rollUpConflict = (event: CommunityEvent) => sql`
  on conflict (member_id) do update set
    first_seen_at = least(member_stats.first_seen_at, excluded.first_seen_at),
    last_active_at = greatest(member_stats.last_active_at, excluded.last_active_at),
    total = member_stats.total + 1,
    by_type = member_stats.by_type || jsonb_build_object(${event.type}::text,
      coalesce((member_stats.by_type ->> ${event.type}::text)::int, 0) + 1),
    by_platform = member_stats.by_platform || jsonb_build_object(${event.platform}::text,
      coalesce((member_stats.by_platform ->> ${event.platform}::text)::int, 0) + 1),
    changed_at = excluded.changed_at
  returning coalesce((by_type ->> 'message.posted')::int, 0) as posts, level, level_since,
    below_since`;

/** The milestone a post reaches, if the member's post count is one of the configured ones. */
export const postMilestoneOf = (event: CommunityEvent, posts: number, config: MembersConfig) =>
  event.type === 'message.posted' ? postMilestone(posts, config.milestones.posts) : undefined;

/** The counts that grade the level, as one jsonb value within a larger statement. */
export const levelCounts = (db: Db, memberId: string | Expression<string>, now: Date) =>
  sql<Record<string, number | string>>`(select coalesce(jsonb_object_agg(c.type, c.n), '{}'::jsonb)
    from (${windowCountsQuery(db, memberId, now, LEVEL_WINDOW_DAYS)}) as c)`;

/** Counts as the driver returns them (bigint as text), as numbers. */
export const numericCounts = (counts: Record<string, number | string>) =>
  Object.fromEntries(Object.entries(counts).map(([type, n]) => [type, Number(n)]));

/**
 * The level the counts give the member, from the level stored (store/engagement.ts); undefined
 * when it stays as it is, as it does for most events.
 */
export function regrade(
  stored: StoredLevel,
  counts: Record<string, number>,
  config: MembersConfig,
  now: Date,
) {
  const level = nextLevel(
    { level: stored.level, since: stored.level_since, belowSince: stored.below_since },
    activityScore(counts, config.scores),
    config,
    now,
  );
  const unchanged =
    level.level === stored.level &&
    level.since?.getTime() === stored.level_since?.getTime() &&
    level.belowSince?.getTime() === stored.below_since?.getTime();
  return unchanged ? undefined : level;
}

/**
 * Moves the member's level for their 30-day counts, from the level stored; most events leave it
 * as it was, and then nothing is written. The caller holds the member's roll-ups row.
 */
export async function settleLevel(
  db: Db,
  memberId: string,
  stored: StoredLevel,
  counts: Record<string, number>,
  config: MembersConfig,
  now: Date,
): Promise<void> {
  const level = regrade(stored, counts, config, now);
  if (!level) return;
  await moveLevel(
    db,
    db
      .updateTable('member_stats')
      .set({
        level: level.level,
        level_since: level.since,
        below_since: level.belowSince,
        // A new level is something the CRM shows: the sync picks the member up again, even
        // where the roll-ups that led to it committed before (store/known-identity-event.ts).
        ...(level.level !== stored.level ? { changed_at: now } : {}),
      })
      .where('member_id', '=', memberId),
    { from: stored.level, to: level.level, at: now },
  );
}

/**
 * Grades the member's level holding their roll-ups row, from the level stored and the counts
 * committed once the row is held: events whose roll-ups committed on their own take turns here,
 * each grading from what the one before it wrote.
 */
export async function settleLevelHeld(
  db: Db,
  memberId: string,
  config: MembersConfig,
  now: Date,
): Promise<void> {
  await inTransaction(db, async (trx) => {
    const stored = await trx
      .selectFrom('member_stats')
      .select(['level', 'level_since', 'below_since'])
      .where('member_id', '=', memberId)
      .forUpdate()
      .executeTakeFirst();
    if (!stored) return;
    const counts = await windowCounts(trx, memberId, now, LEVEL_WINDOW_DAYS);
    await settleLevel(trx, memberId, stored, counts, config, now);
  });
}

/** Activity counts by type over the last `days` days, across the member's non-staff identities. */
export async function windowCounts(
  db: Db,
  memberId: string,
  now: Date,
  days: number,
): Promise<Record<string, number>> {
  const rows = await windowCountsQuery(db, memberId, now, days).execute();
  return Object.fromEntries(rows.map((row) => [row.type, Number(row.n)]));
}

/** `memberId`: an id, or a column of the statement the counts are part of. */
const windowCountsQuery = (
  db: Db,
  memberId: string | Expression<string>,
  now: Date,
  days: number,
) =>
  identityActivity(db)
    .select(['a.type', (eb) => eb.fn.countAll<string>().as('n')])
    .where('i.member_id', '=', memberId)
    .where('i.staff', '=', false)
    .where('a.occurred_at', '>=', windowStart(now, days))
    .groupBy('a.type');

/**
 * The milestones an event reached, read back from the ledger: a redelivery of an event whose
 * journeys did not all start finds them again (recordActivity reports them only the first time).
 */
export async function milestonesReachedBy(db: Db, memberId: string, eventId: string) {
  const rows = await db
    .selectFrom('milestones')
    .select('name')
    .where('member_id', '=', memberId)
    .where('event_id', '=', eventId)
    .execute();
  return rows.map((row) => row.name);
}
