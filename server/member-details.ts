import type { MembersConfig } from '../config/members.js';
import type { AnyConnector } from '../connectors/descriptor.js';
import type { Db } from '../store/db.js';
import { levelHistory } from '../store/level-changes.js';
import { mergesOf } from '../store/merges.js';
import { dailyActivity, memberJourneys, memberTickets } from '../store/member-timeline.js';
import { platformWindows } from '../store/member-platform-windows.js';
import type { Counts, IdentityView, MemberView } from '../store/member-view.js';
import { memberView } from '../store/member-view.js';

/**
 * The single member view as `townhall members show` and `GET /api/members/:id` give it: the
 * store's view, with a profile link per identity where the platform's connector can make one,
 * counts by platform over the same windows as by type, the member's merges, and the journeys and
 * tickets sections later issues fill.
 */
export interface MemberDetails extends Omit<MemberView, 'identities' | 'activity'> {
  identities: (IdentityView & { profileUrl: string | null })[];
  activity: MemberView['activity'] & {
    byPlatformLast7Days: Counts;
    byPlatformLast30Days: Counts;
    byPlatformLast90Days: Counts;
  };
  merges: {
    id: string;
    keptMemberId: string;
    mergedMemberId: string;
    reason: string;
    actor: string;
    at: string;
    undoneAt: string | null;
    undoneBy: string | null;
  }[];
  /** Journey runs the member entered, newest first. */
  journeys: Awaited<ReturnType<typeof memberJourneys>>;
  /** Help-desk tickets opened for threads the member started. */
  tickets: Awaited<ReturnType<typeof memberTickets>>;
  /** Activity per UTC day over the last 90 days (the console's chart). */
  activityByDay: { day: string; count: number }[];
  /** Each engagement level change, oldest first. */
  levelHistory: { level: string | null; at: string }[];
}

export interface MemberDetailsDeps {
  db: Db;
  members: MembersConfig;
  /** The config's `connectors:` sections, by connector id (for profile links). */
  connectors: Readonly<Record<string, unknown>>;
  registry: readonly AnyConnector[];
}

export async function memberDetails(
  deps: MemberDetailsDeps,
  memberId: string,
  now = new Date(),
): Promise<MemberDetails | undefined> {
  const view = await memberView(deps.db, memberId, deps.members, now);
  if (!view) return undefined;
  const [windows, merges, journeys, tickets, activityByDay, levels] = await Promise.all([
    platformWindows(deps.db, memberId, now),
    mergesOf(deps.db, memberId),
    memberJourneys(deps.db, memberId),
    memberTickets(deps.db, memberId),
    dailyActivity(deps.db, memberId, now),
    levelHistory(deps.db, memberId),
  ]);
  const profileUrl = (identity: IdentityView) => {
    const connector = deps.registry.find((c) => c.id === identity.platform);
    return connector?.profileUrl?.(deps.connectors[identity.platform], identity) ?? null;
  };
  return {
    ...view,
    identities: view.identities.map((identity) => ({
      ...identity,
      profileUrl: profileUrl(identity),
    })),
    activity: {
      ...view.activity,
      byPlatformLast7Days: windows.last7Days,
      byPlatformLast30Days: windows.last30Days,
      byPlatformLast90Days: windows.last90Days,
    },
    merges: merges.map((merge) => ({
      id: merge.id,
      keptMemberId: merge.kept_member_id,
      mergedMemberId: merge.merged_member_id,
      reason: merge.reason,
      actor: merge.actor,
      at: merge.created_at.toISOString(),
      undoneAt: merge.undone_at?.toISOString() ?? null,
      undoneBy: merge.undone_by,
    })),
    journeys,
    tickets,
    activityByDay,
    levelHistory: levels,
  };
}
