import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { DEFAULT_MEMBERS_CONFIG } from '../../config/members.js';
import type { CommunityEvent } from '../../connectors/events.js';
import { recordActivity } from '../../store/activity.js';
import type { Db } from '../../store/db.js';
import { upsertMemberFromIdentity } from '../../store/members.js';

const DAY = 86_400_000;

type Row = Record<string, unknown>;

export interface Person {
  platform: string;
  userId: string;
  communityId?: string;
  email?: string;
  handle?: string;
  name?: string;
  staff?: boolean;
}

const communityOf = (person: Person) => person.communityId ?? `${person.platform}-community`;

/** The identity's member (created when new), as the router makes it at ingest. */
export async function seedIdentity(db: Db, person: Person, seenAt?: Date): Promise<string> {
  const { memberId } = await upsertMemberFromIdentity(
    db,
    person.platform,
    {
      userId: person.userId,
      communityId: communityOf(person),
      ...(person.email ? { email: person.email } : {}),
      ...(person.name ? { name: person.name } : {}),
      ...(person.handle ? { handle: person.handle } : {}),
    },
    { staff: person.staff ?? false, ...(seenAt ? { seenAt } : {}) },
  );
  return memberId;
}

/**
 * Things a person did, `daysAgo` each, recorded as the router records them: the identity first,
 * then one ledger row per event. Returns the member id.
 */
export async function act(
  db: Db,
  person: Person,
  events: { type: 'message.posted' | 'reaction.added' | 'member.joined'; daysAgo: number }[],
  now = Date.now(),
): Promise<string> {
  let memberId = '';
  for (const { type, daysAgo } of events) {
    const at = new Date(now - daysAgo * DAY);
    memberId = await seedIdentity(db, person, at);
    const member = {
      userId: person.userId,
      communityId: communityOf(person),
      ...(person.email ? { email: person.email } : {}),
    };
    const base = { eventId: randomUUID(), platform: person.platform, occurredAt: at.toISOString() };
    const event: CommunityEvent =
      type === 'member.joined'
        ? { ...base, type, member }
        : type === 'message.posted'
          ? { ...base, type, member, channelId: 'C1', messageId: base.eventId, text: 'hello' }
          : { ...base, type, member, channelId: 'C1', messageId: 'M1', emoji: 'tada' };
    await recordActivity(db, event, memberId, {
      staff: person.staff ?? false,
      config: DEFAULT_MEMBERS_CONFIG,
    });
  }
  return memberId;
}

/**
 * Every row that makes up a member, as PostgreSQL prints it (to_jsonb: timestamps to the
 * microsecond): the members row, identities, roll-ups, milestones, consent and CRM links.
 * member_stats leaves out changed_at, the one column that must move when roll-ups are
 * recomputed (it is what tells the CRM sync to write the member again).
 */
export async function dumpMember(db: Db, memberId: string) {
  const rows = async (table: string, order: string) =>
    (
      await sql<{ row: Row }>`select to_jsonb(t) as row from ${sql.table(table)} as t
        where t.member_id = ${memberId} order by ${sql.raw(order)}`.execute(db)
    ).rows.map((r) => r.row);
  const member = await sql<{ row: Row }>`select to_jsonb(m) as row from members m
    where m.id = ${memberId}`.execute(db);
  const stats = await sql<{ row: Row }>`select to_jsonb(s) - 'changed_at' as row
    from member_stats s where s.member_id = ${memberId}`.execute(db);
  return {
    member: member.rows[0]?.row,
    identities: await rows('identities', 't.platform, t.community_id, t.platform_user_id'),
    member_stats: stats.rows[0]?.row,
    milestones: await rows('milestones', 't.name'),
    consent: await rows('consent', 't.channel'),
    crm_links: await rows('crm_links', 't.crm'),
  };
}

/** A CRM link, as the CRM sync records one. */
export async function linkCrm(db: Db, memberId: string, crm: string, personId: string) {
  await db
    .insertInto('crm_links')
    .values({ member_id: memberId, crm, person_id: personId })
    .execute();
}
