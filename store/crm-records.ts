import { sql } from 'kysely';
import type { CrmPerson } from '../connectors/ports.js';
import type { Db } from './db.js';
import { identityActivity } from './identity-activity.js';
import { anyId, anyText } from './id-lists.js';

const DAY_MS = 86_400_000;

/** first_post, posts_10, posts_100 ... in the order a member reaches them. */
const milestoneRank = (name: string) =>
  name === 'first_post' ? 1 : Number(/^posts_(\d+)$/.exec(name)?.[1] ?? Number.MAX_SAFE_INTEGER);

/**
 * What a CRM shows of a page of members: townhall's community properties (connectors/ports.ts
 * COMMUNITY_PROPERTIES) plus the configured extras, read with a handful of queries for the whole
 * page rather than a member view each, so a backfill of many thousands keeps up with the CRM's
 * rate. Values are text; each CRM adapter formats them for its fields.
 */
export async function crmRecords(
  db: Db,
  memberIds: readonly string[],
  extras: Record<string, string> = {},
  now = new Date(),
): Promise<CrmPerson[]> {
  if (memberIds.length === 0) return [];
  const ids = [...memberIds];
  const [members, platforms, milestones, recent] = await Promise.all([
    db
      .selectFrom('members as m')
      .leftJoin('member_stats as s', 's.member_id', 'm.id')
      .select(['m.id', 'm.email', 'm.name', 's.first_seen_at', 's.last_active_at', 's.level'])
      .where('m.id', '=', anyId(ids))
      // A member being erased is not written back to the CRM the erasure just deleted them from.
      .where((eb) =>
        eb.not(
          eb.exists(
            eb.selectFrom('erasures').select('id').whereRef('erasures.member_id', '=', 'm.id'),
          ),
        ),
      )
      .execute(),
    db
      .selectFrom('identities')
      .select([
        'member_id',
        sql<string>`string_agg(distinct platform, ';' order by platform)`.as('list'),
      ])
      .where('member_id', '=', anyId(ids))
      .groupBy('member_id')
      .execute(),
    db
      .selectFrom('milestones')
      .select(['member_id', 'name'])
      .where('member_id', '=', anyId(ids))
      .execute(),
    identityActivity(db)
      .select(['i.member_id', (eb) => eb.fn.countAll<string>().as('n')])
      .where('i.member_id', '=', anyId(ids))
      .where('i.staff', '=', false)
      .where('a.occurred_at', '>=', new Date(now.getTime() - 30 * DAY_MS))
      .groupBy('i.member_id')
      .execute(),
  ]);
  const platformsOf = new Map(platforms.map((row) => [row.member_id, row.list]));
  const recentOf = new Map(recent.map((row) => [row.member_id, Number(row.n)]));
  const milestonesOf = new Map<string, string[]>();
  for (const row of milestones)
    milestonesOf.set(row.member_id, [...(milestonesOf.get(row.member_id) ?? []), row.name]);

  const byId = new Map(members.map((member) => [member.id, member]));
  return ids.flatMap((id) => {
    const member = byId.get(id);
    if (!member) return [];
    const reached = (milestonesOf.get(id) ?? []).sort(
      (a, b) => milestoneRank(a) - milestoneRank(b),
    );
    return [
      {
        memberId: id,
        email: member.email ?? undefined,
        name: member.name ?? undefined,
        properties: {
          ...extras,
          townhall_member_id: id,
          community_platforms: platformsOf.get(id) ?? '',
          community_first_seen: member.first_seen_at?.toISOString() ?? '',
          community_last_active: member.last_active_at?.toISOString() ?? '',
          community_activity_30d: String(recentOf.get(id) ?? 0),
          community_engagement_level: member.level ?? '',
          community_milestones: reached.join(';'),
        },
      },
    ];
  });
}

/** The CRM record of each written member, replacing whatever link that record had before. */
export async function recordLinks(
  db: Db,
  crm: string,
  links: readonly { memberId: string; personId: string }[],
): Promise<void> {
  if (links.length === 0) return;
  const members = links.map((link) => link.memberId);
  const people = links.map((link) => link.personId);
  await db.transaction().execute(async (trx) => {
    // A CRM record belongs to one member: a record re-used (a merge in the CRM) moves here.
    await trx
      .deleteFrom('crm_links')
      .where('crm', '=', crm)
      .where('person_id', '=', anyText(people))
      .execute();
    // Rows from two arrays (unnest): two parameters for the page, not three per link.
    await sql`
      insert into crm_links (member_id, crm, person_id)
      select link.member_id, ${crm}, link.person_id
      from unnest(${sql.val(members)}::uuid[], ${sql.val(people)}::text[])
        as link(member_id, person_id)
      -- A member erased since the write (store/erase-member.ts) has nothing left to link.
      where exists (select 1 from members where members.id = link.member_id)
      on conflict (member_id, crm)
        do update set person_id = excluded.person_id, synced_at = ${new Date()}`.execute(trx);
  });
}
