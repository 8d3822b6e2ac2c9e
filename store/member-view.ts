import { sql } from 'kysely';
import type { MembersConfig } from '../config/members.js';
import { moveLevel } from './level-changes.js';
import type { Db } from './db.js';
import { activityScore, nextLevel } from './engagement.js';
import { identityActivity } from './identity-activity.js';

const DAY_MS = 86_400_000;

export interface IdentityView {
  platform: string;
  communityId: string;
  userId: string;
  handle: string | null;
  displayName: string | null;
  staff: boolean;
  firstSeenAt: string;
  lastSeenAt: string | null;
}

/** Counts by activity type, over one window. */
export type Counts = Record<string, number>;

/** One person across every platform, as `townhall members show` and GET /api/members/:id show it. */
export interface MemberView {
  id: string;
  email: string | null;
  name: string | null;
  identities: IdentityView[];
  platforms: string[];
  firstSeenAt: string | null;
  lastActiveAt: string | null;
  activity: {
    total: number;
    byType: Counts;
    byPlatform: Counts;
    last7Days: Counts;
    last30Days: Counts;
    last90Days: Counts;
  };
  engagement: { score30Days: number; level: string | null; since: string | null };
  milestones: { name: string; reachedAt: string }[];
  consent: { channel: string; status: string; source: string; updatedAt: string }[];
  crm: { crm: string; personId: string; syncedAt: string }[];
}

/** first_post → 1, posts_10 → 10; other milestones after them. */
const milestoneRank = (name: string) =>
  name === 'first_post' ? 1 : Number(/^posts_(\d+)$/.exec(name)?.[1] ?? Number.MAX_SAFE_INTEGER);

const iso = (date: Date | null | undefined) => (date ? date.toISOString() : null);

/** Activity counts by type over 7, 30 and 90 days, across the member's non-staff identities. */
async function windows(db: Db, memberId: string, now: Date) {
  const since = (days: number) => new Date(now.getTime() - days * DAY_MS);
  const rows = await identityActivity(db)
    .select((eb) => [
      'a.type',
      eb.fn.countAll<string>().filterWhere('a.occurred_at', '>=', since(7)).as('d7'),
      eb.fn.countAll<string>().filterWhere('a.occurred_at', '>=', since(30)).as('d30'),
      eb.fn.countAll<string>().as('d90'),
    ])
    .where('i.member_id', '=', memberId)
    .where('i.staff', '=', false)
    .where('a.occurred_at', '>=', since(90))
    .groupBy('a.type')
    .execute();
  const pick = (key: 'd7' | 'd30' | 'd90'): Counts => {
    const counts: Counts = {};
    for (const row of rows) if (Number(row[key]) > 0) counts[row.type] = Number(row[key]);
    return counts;
  };
  return { last7Days: pick('d7'), last30Days: pick('d30'), last90Days: pick('d90') };
}

/**
 * The member's single view, read from the store (nothing held in memory). Reading it also brings
 * the engagement level up to date: a demotion is due when the score has stayed low long enough,
 * whether or not the member did anything since.
 */
export async function memberView(
  db: Db,
  memberId: string,
  config: MembersConfig,
  now = new Date(),
): Promise<MemberView | undefined> {
  const member = await db
    .selectFrom('members')
    .select(['id', 'email', 'name'])
    .where('id', '=', memberId)
    .executeTakeFirst();
  if (!member) return undefined;
  const [identities, stats, milestones, consent, crm, counts] = await Promise.all([
    db
      .selectFrom('identities')
      .selectAll()
      .where('member_id', '=', memberId)
      .orderBy('created_at')
      .execute(),
    db.selectFrom('member_stats').selectAll().where('member_id', '=', memberId).executeTakeFirst(),
    db
      .selectFrom('milestones')
      .select(['name', 'reached_at'])
      .where('member_id', '=', memberId)
      .orderBy('reached_at')
      .execute(),
    db.selectFrom('consent').selectAll().where('member_id', '=', memberId).execute(),
    db
      .selectFrom('crm_links')
      .selectAll()
      .where('member_id', '=', memberId)
      .orderBy('crm')
      .execute(),
    windows(db, memberId, now),
  ]);

  const score30Days = activityScore(counts.last30Days, config.scores);
  const level = nextLevel(
    {
      level: stats?.level ?? null,
      since: stats?.level_since ?? null,
      belowSince: stats?.below_since ?? null,
    },
    score30Days,
    config,
    now,
  );
  if (
    stats &&
    (level.level !== stats.level || level.belowSince?.getTime() !== stats.below_since?.getTime())
  ) {
    await moveLevel(
      db,
      db
        .updateTable('member_stats')
        .set({
          level: level.level,
          level_since: level.since,
          below_since: level.belowSince,
          // A new level is something the CRM shows: the sync picks the member up again.
          ...(level.level !== stats.level ? { changed_at: now } : {}),
        })
        .where('member_id', '=', memberId)
        // Only from the level read: two readers demoting at once record the change once.
        .where(sql<boolean>`level is not distinct from ${stats.level}`),
      { from: stats.level, to: level.level, at: now },
    );
  }

  return {
    id: member.id,
    email: member.email,
    name: member.name,
    identities: identities.map((identity) => ({
      platform: identity.platform,
      communityId: identity.community_id,
      userId: identity.platform_user_id,
      handle: identity.handle,
      displayName: identity.display_name,
      staff: identity.staff,
      firstSeenAt: identity.created_at.toISOString(),
      lastSeenAt: iso(identity.last_seen_at),
    })),
    platforms: [...new Set(identities.map((identity) => identity.platform))].sort(),
    firstSeenAt: iso(stats?.first_seen_at),
    lastActiveAt: iso(stats?.last_active_at),
    activity: {
      total: stats?.total ?? 0,
      byType: stats?.by_type ?? {},
      byPlatform: stats?.by_platform ?? {},
      ...counts,
    },
    engagement: { score30Days, level: level.level, since: iso(level.since) },
    // In the order they come in a member's life, whatever order the deliveries arrived in.
    milestones: milestones
      .map((m) => ({ name: m.name, reachedAt: m.reached_at.toISOString() }))
      .sort((a, b) => milestoneRank(a.name) - milestoneRank(b.name)),
    consent: consent.map((c) => ({
      channel: c.channel,
      status: c.status,
      source: c.source,
      updatedAt: c.updated_at.toISOString(),
    })),
    crm: crm.map((link) => ({
      crm: link.crm,
      personId: link.person_id,
      syncedAt: link.synced_at.toISOString(),
    })),
  };
}
