import { sql } from 'kysely';
import type { CommunityMember } from '../connectors/events.js';
import type { Db } from './db.js';
import { inTransaction } from './db.js';
import { emailConfirmed } from './member-facts.js';

export interface MemberRecord {
  id: string;
  email: string | null;
  name: string | null;
}

/**
 * Finds or creates the member behind a platform identity. A new identity whose email already
 * belongs to a member joins that member, unless its platform says the address is unconfirmed. Serialised per identity with an advisory lock, so
 * concurrent duplicate deliveries resolve to one member.
 */
export async function upsertMemberFromIdentity(
  db: Db,
  platform: string,
  member: CommunityMember,
  /** `staff` from config `members.staff` (undefined: unknown, keep what is stored); `seenAt` when the identity acted. */
  options: { staff?: boolean | undefined; seenAt?: Date } = {},
): Promise<{ memberId: string; created: boolean; staff: boolean }> {
  // Known identities (nearly every event) are one statement: the row lock orders concurrent
  // updates, and only a new identity needs the advisory lock that makes creation happen once.
  const updateKnown = (trx: Db) =>
    refreshKnownIdentity(trx, platform, member, options)
      .returning(['member_id', 'staff'])
      .executeTakeFirst();
  const seen = await updateKnown(db);
  if (seen) return { memberId: seen.member_id, created: false, staff: seen.staff };
  const identityKey = `${platform}:${member.communityId}:${member.userId}`;
  return inTransaction(db, async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext(${identityKey}))`.execute(trx);
    // Again under the lock: a concurrent delivery may have created the identity meanwhile.
    const known = await updateKnown(trx);
    if (known) return { memberId: known.member_id, created: false, staff: known.staff };
    const staff = options.staff ?? false;

    const email = member.email ?? null;
    const name = member.name ?? member.handle ?? null;
    if (email !== null && member.emailVerified === true) await releaseUnconfirmedHold(trx, email);
    const inserted = await insertMember(trx, email, name, member.emailVerified !== false);
    const row = inserted.rows[0];
    if (!row) throw new Error('member insert returned no row');
    // The email may belong to a member an operator merged into another (store/merges.ts): the
    // new identity joins the kept member, as the merged member's identities did.
    const memberId = row.created ? row.id : await keptMemberId(trx, row.id);

    // The identity and the member's roll-ups (every member has them from the start, so the CRM
    // sync's watermark sees new members) in one statement: one round trip, not two.
    await sql`
      with identity as (
        insert into identities (platform, community_id, platform_user_id, member_id, email,
          handle, staff, display_name, last_seen_at, timezone, email_verified)
        values (${platform}, ${member.communityId}, ${member.userId}, ${memberId}, ${email},
          ${member.handle ?? null}, ${staff}, ${member.name ?? null}, ${options.seenAt ?? null},
          ${member.timezone ?? null}, ${email === null ? null : (member.emailVerified ?? null)}))
      insert into member_stats (member_id, first_seen_at)
      values (${memberId}, ${options.seenAt ?? new Date()})
      on conflict (member_id) do nothing`.execute(trx);
    return { memberId, created: row.created, staff };
  });
}

/**
 * The UPDATE that refreshes a known identity from a delivery: its profile where the delivery
 * says something, when it was last seen, and its staff flag (undefined: keep what is stored).
 * Also a step of the one-statement path for known identities (store/known-identity-event.ts).
 */
export function refreshKnownIdentity(
  db: Db,
  platform: string,
  member: CommunityMember,
  options: { staff?: boolean | undefined; seenAt?: Date } = {},
) {
  return db
    .updateTable('identities')
    .set({
      ...(options.staff !== undefined ? { staff: options.staff } : {}),
      display_name: sql`coalesce(${member.name ?? null}, display_name)`,
      handle: sql`coalesce(${member.handle ?? null}, handle)`,
      last_seen_at: sql`greatest(last_seen_at, ${options.seenAt ?? null})`,
      timezone: sql`coalesce(${member.timezone ?? null}, timezone)`,
      // A confirmation sticks: a later profile that says nothing, or "unconfirmed", keeps it.
      ...(member.emailVerified !== undefined
        ? {
            email_verified: sql<boolean>`coalesce(email_verified, false) or ${member.emailVerified}`,
          }
        : {}),
    })
    .where('platform', '=', platform)
    .where('community_id', '=', member.communityId)
    .where('platform_user_id', '=', member.userId);
}

type MemberRow = { id: string; created: boolean };

/**
 * The member a new identity belongs to: the one holding its address, else a new one. An address
 * the platform says is unconfirmed (`claimable` false) proves nothing, so it never joins the
 * member that holds it (anyone can sign up with someone else's address): the identity then gets a
 * member of its own, without the address when another member has it; an operator can merge the
 * two (store/merges.ts).
 */
async function insertMember(
  db: Db,
  email: string | null,
  name: string | null,
  claimable: boolean,
): Promise<{ rows: MemberRow[] }> {
  if (email === null)
    return sql<MemberRow>`
      insert into members (name) values (${name}) returning id, true as created`.execute(db);
  if (claimable)
    return sql<MemberRow>`
      insert into members (email, name) values (${email}, ${name})
      on conflict (lower(email)) where email is not null
      do update set name = coalesce(members.name, excluded.name), updated_at = now()
      returning id, (xmax = 0) as created`.execute(db);
  const own = await sql<MemberRow>`
    insert into members (email, name) values (${email}, ${name})
    on conflict (lower(email)) where email is not null do nothing
    returning id, true as created`.execute(db);
  return own.rows.length > 0 ? own : insertMember(db, null, name, false);
}

/**
 * An identity whose platform confirms `email` arrives while another member holds the address on
 * the word of unconfirmed sign-ups alone (someone may have signed up with another's address):
 * that member lets the address go, so the confirmed identity gets it and is not joined to them.
 * Their identities keep the address; if one of them confirms it later, it joins the confirmed
 * member (store/confirmed-identity.ts).
 */
async function releaseUnconfirmedHold(db: Db, email: string): Promise<void> {
  const holder = await memberHolding(db, email);
  if (holder && holder.merged_into === null && !(await emailConfirmed(db, holder.id)))
    await db
      .updateTable('members')
      .set({ email: null, updated_at: new Date() })
      .where('id', '=', holder.id)
      .execute();
}

/** The member whose address `email` is (case aside), and where it was merged, if it was. */
export function memberHolding(db: Db, email: string) {
  return db
    .selectFrom('members')
    .select(['id', 'merged_into'])
    .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
    .executeTakeFirst();
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
