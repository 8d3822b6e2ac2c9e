import { sql } from 'kysely';
import type { CommunityMember } from '../connectors/events.js';
import type { Db } from './db.js';

export interface MemberRecord {
  id: string;
  email: string | null;
  name: string | null;
}

/**
 * Finds or creates the member behind a platform identity. A new identity whose email already
 * belongs to a member joins that member. Serialised per identity with an advisory lock, so
 * concurrent duplicate deliveries resolve to one member.
 */
export async function upsertMemberFromIdentity(
  db: Db,
  platform: string,
  member: CommunityMember,
  /** `staff` from config `members.staff` (undefined: unknown, keep what is stored); `seenAt` when the identity acted. */
  options: { staff?: boolean | undefined; seenAt?: Date } = {},
): Promise<{ memberId: string; created: boolean; staff: boolean }> {
  const identityKey = `${platform}:${member.communityId}:${member.userId}`;
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext(${identityKey}))`.execute(trx);

    const known = await trx
      .updateTable('identities')
      .set({
        ...(options.staff !== undefined ? { staff: options.staff } : {}),
        display_name: sql`coalesce(${member.name ?? null}, display_name)`,
        handle: sql`coalesce(${member.handle ?? null}, handle)`,
        last_seen_at: sql`greatest(last_seen_at, ${options.seenAt ?? null})`,
        timezone: sql`coalesce(${member.timezone ?? null}, timezone)`,
      })
      .where('platform', '=', platform)
      .where('community_id', '=', member.communityId)
      .where('platform_user_id', '=', member.userId)
      .returning(['member_id', 'staff'])
      .executeTakeFirst();
    if (known) return { memberId: known.member_id, created: false, staff: known.staff };
    const staff = options.staff ?? false;

    const email = member.email ?? null;
    const name = member.name ?? member.handle ?? null;
    const inserted = email
      ? await sql<{ id: string; created: boolean }>`
          insert into members (email, name) values (${email}, ${name})
          on conflict (lower(email)) where email is not null
          do update set name = coalesce(members.name, excluded.name), updated_at = now()
          returning id, (xmax = 0) as created`.execute(trx)
      : await sql<{ id: string; created: boolean }>`
          insert into members (name) values (${name}) returning id, true as created`.execute(trx);
    const row = inserted.rows[0];
    if (!row) throw new Error('member insert returned no row');
    // The email may belong to a member an operator merged into another (store/merges.ts): the
    // new identity joins the kept member, as the merged member's identities did.
    const memberId = row.created ? row.id : await keptMemberId(trx, row.id);

    await trx
      .insertInto('identities')
      .values({
        platform,
        community_id: member.communityId,
        platform_user_id: member.userId,
        member_id: memberId,
        email,
        handle: member.handle ?? null,
        staff,
        display_name: member.name ?? null,
        last_seen_at: options.seenAt ?? null,
        timezone: member.timezone ?? null,
      })
      .execute();
    // Every member has roll-ups from the start, so the CRM sync's watermark sees new members.
    await trx
      .insertInto('member_stats')
      .values({ member_id: memberId, first_seen_at: options.seenAt ?? new Date() })
      .onConflict((oc) => oc.column('member_id').doNothing())
      .execute();
    return { memberId, created: row.created, staff };
  });
}

/** Where a merged member lives now: merges keep members.merged_into one hop deep. */
async function keptMemberId(db: Db, memberId: string): Promise<string> {
  const row = await db
    .selectFrom('members')
    .select('merged_into')
    .where('id', '=', memberId)
    .executeTakeFirst();
  return row?.merged_into ?? memberId;
}

export async function getMember(db: Db, memberId: string): Promise<MemberRecord | undefined> {
  return db
    .selectFrom('members')
    .select(['id', 'email', 'name'])
    .where('id', '=', memberId)
    .executeTakeFirst();
}

export interface IdentityRecord {
  platform: string;
  communityId: string;
  userId: string;
  handle: string | null;
}

/** The member's earliest identity on `platform` (the one they joined with), if any. */
export async function getIdentity(
  db: Db,
  memberId: string,
  platform: string,
): Promise<IdentityRecord | undefined> {
  const row = await db
    .selectFrom('identities')
    .select(['platform', 'community_id', 'platform_user_id', 'handle'])
    .where('member_id', '=', memberId)
    .where('platform', '=', platform)
    .orderBy('created_at')
    .limit(1)
    .executeTakeFirst();
  return (
    row && {
      platform: row.platform,
      communityId: row.community_id,
      userId: row.platform_user_id,
      handle: row.handle,
    }
  );
}
