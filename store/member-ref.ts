import type { Db } from './db.js';
import type { MemberRecord } from './members.js';
import { getMember } from './members.js';

/** A reference that names no member, names several, or is not a reference at all. */
export class MemberRefError extends Error {
  override name = 'MemberRefError';
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EMAIL = /^[^\s@:]+@[^\s@]+$/;
const PLATFORM_REF = /^([a-z][a-z0-9-]*):(.+)$/;

/** How an operator names a member: `<email>`, `<member id>` or `<platform>:<user id>`. */
export type MemberRef =
  | { kind: 'id'; id: string }
  | { kind: 'email'; email: string }
  | { kind: 'identity'; platform: string; userId: string };

export function parseMemberRef(text: string): MemberRef {
  const ref = text.trim();
  if (UUID.test(ref)) return { kind: 'id', id: ref.toLowerCase() };
  if (EMAIL.test(ref)) return { kind: 'email', email: ref };
  const platform = PLATFORM_REF.exec(ref);
  if (platform) return { kind: 'identity', platform: platform[1]!, userId: platform[2]! };
  throw new MemberRefError(
    `"${text}" is not a member reference: write an email, a member id (uuid) or <platform>:<user id>`,
  );
}

/**
 * The member a merged member now lives in: follows `members.merged_into` (store/merges.ts keeps
 * it one hop, but a loop guard costs nothing). Undefined when the id is not in the store.
 */
export async function currentMemberId(db: Db, memberId: string): Promise<string | undefined> {
  let id = memberId;
  for (let hop = 0; hop < 10; hop += 1) {
    const row = await db
      .selectFrom('members')
      .select('merged_into')
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) return undefined;
    if (row.merged_into === null) return id;
    id = row.merged_into;
  }
  throw new Error(`member ${memberId} is in a merge loop`);
}

/** getMember, following a merge: running journeys of a merged member act on the kept one. */
export async function getCurrentMember(
  db: Db,
  memberId: string,
): Promise<MemberRecord | undefined> {
  const id = await currentMemberId(db, memberId);
  return id === undefined ? undefined : getMember(db, id);
}

export interface ResolvedMember {
  /** The member the reference leads to, after following merges. */
  id: string;
  /** Set when the reference named a member that was merged into `id`. */
  mergedFrom?: string;
}

/**
 * Finds the member an operator means. Emails match case-insensitively (the member's, then any
 * identity's); a platform reference matches the user id in any community of that platform. A
 * member merged into another resolves to the kept one. Throws MemberRefError when nothing, or
 * more than one member, matches.
 */
export async function resolveMember(db: Db, text: string): Promise<ResolvedMember> {
  const ref = parseMemberRef(text);
  let ids: string[];
  if (ref.kind === 'id') {
    ids = (await db.selectFrom('members').select('id').where('id', '=', ref.id).execute()).map(
      (row) => row.id,
    );
  } else if (ref.kind === 'email') {
    const email = ref.email.toLowerCase();
    ids = (
      await db
        .selectFrom('members')
        .select('id')
        .where((eb) => eb(eb.fn('lower', ['email']), '=', email))
        .execute()
    ).map((row) => row.id);
    if (ids.length === 0)
      ids = (
        await db
          .selectFrom('identities')
          .select('member_id')
          .distinct()
          .where((eb) => eb(eb.fn('lower', ['email']), '=', email))
          .execute()
      ).map((row) => row.member_id);
  } else {
    ids = (
      await db
        .selectFrom('identities')
        .select('member_id')
        .distinct()
        .where('platform', '=', ref.platform)
        .where('platform_user_id', '=', ref.userId)
        .execute()
    ).map((row) => row.member_id);
  }

  const current = [
    ...new Set(
      (await Promise.all(ids.map((id) => currentMemberId(db, id)))).filter(
        (id): id is string => id !== undefined,
      ),
    ),
  ];
  if (current.length === 0) throw new MemberRefError(`no member matches "${text}"`);
  if (current.length > 1)
    throw new MemberRefError(
      `"${text}" matches ${current.length} members (${current.join(', ')}): use a member id`,
    );
  const id = current[0]!;
  const named = ids.length === 1 ? ids[0] : undefined;
  return named !== undefined && named !== id ? { id, mergedFrom: named } : { id };
}
