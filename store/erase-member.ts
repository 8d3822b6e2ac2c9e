import { sql } from 'kysely';
import type { Db } from './db.js';
import { eraseDeadLetters } from './dead-letters.js';

/** A member as an erasure sees them: every record that is theirs, merged-in members included. */
export interface ErasureScope {
  /** The member and every member merged into them (the same person, by an operator's word). */
  memberIds: string[];
  /** Every address townhall knows for them, as stored (members and identities). */
  emails: string[];
  identities: { platform: string; communityId: string; platformUserId: string }[];
}

/** Every member merged into `memberId`, directly or through another merge, and the member. */
async function mergedFamily(db: Db, memberId: string): Promise<string[]> {
  const family = new Set([memberId]);
  let frontier = [memberId];
  while (frontier.length > 0) {
    const rows = await db
      .selectFrom('members')
      .select('id')
      .where('merged_into', 'in', frontier)
      .execute();
    frontier = rows.map((row) => row.id).filter((id) => !family.has(id));
    for (const id of frontier) family.add(id);
  }
  return [...family];
}

/** What the store holds of a member; empty when they are not (or no longer) in it. */
export async function erasureScope(db: Db, memberId: string): Promise<ErasureScope> {
  const exists = await db
    .selectFrom('members')
    .select('id')
    .where('id', '=', memberId)
    .executeTakeFirst();
  if (!exists) return { memberIds: [], emails: [], identities: [] };
  const memberIds = await mergedFamily(db, memberId);
  const members = await db
    .selectFrom('members')
    .select('email')
    .where('id', 'in', memberIds)
    .execute();
  const identities = await db
    .selectFrom('identities')
    .select(['platform', 'community_id', 'platform_user_id', 'email'])
    .where('member_id', 'in', memberIds)
    .execute();
  const emails = new Map<string, string>();
  for (const email of [...members, ...identities].map((row) => row.email))
    if (email) emails.set(email.trim().toLowerCase(), email.trim());
  return {
    memberIds,
    emails: [...emails.values()],
    identities: identities.map((row) => ({
      platform: row.platform,
      communityId: row.community_id,
      platformUserId: row.platform_user_id,
    })),
  };
}

/**
 * Deletes the member from townhall's store, in one transaction: the member rows (and with them,
 * by cascade, identities, consent, stats, milestones, CRM links, journey runs, send slots and
 * sync failures), their activity, the merges that name them and the backups those hold; the
 * events they sent keep their id (so a redelivery is still a duplicate) with the payload
 * replaced, and quarantined ones lose theirs; audit entries that name them keep the action but point at the erasure instead; the effect
 * ledger's rows for their runs keep their keys and lose their details.
 * Safe to repeat: a member already gone erases nothing.
 */
export async function eraseMemberFromStore(
  db: Db,
  scope: ErasureScope,
  erasureId: string,
): Promise<{ members: number; activity: number; events: number }> {
  if (scope.memberIds.length === 0) return { members: 0, activity: 0, events: 0 };
  const redacted = JSON.stringify({ redacted: true, erasure: erasureId });
  return db.transaction().execute(async (tx) => {
    let activity = 0;
    let events = 0;
    for (const identity of scope.identities) {
      const gone = await tx
        .deleteFrom('activity')
        .where('platform', '=', identity.platform)
        .where('community_id', '=', identity.communityId)
        .where('platform_user_id', '=', identity.platformUserId)
        .executeTakeFirst();
      activity += Number(gone.numDeletedRows);
      const blanked = await tx
        .updateTable('received_events')
        .set({ payload: redacted })
        .where('platform', '=', identity.platform)
        .where(sql<boolean>`payload->'member'->>'userId' = ${identity.platformUserId}`)
        .executeTakeFirst();
      events += Number(blanked.numUpdatedRows);
      // Events set aside as unprocessable (store/dead-letters.ts) hold the member's text too.
      events += await eraseDeadLetters(tx, {
        source: identity.platform,
        userId: identity.platformUserId,
      });
    }
    await tx
      .deleteFrom('merges')
      .where((eb) =>
        eb.or([
          eb('kept_member_id', 'in', scope.memberIds),
          eb('merged_member_id', 'in', scope.memberIds),
        ]),
      )
      .execute();
    for (const id of scope.memberIds)
      await tx
        .updateTable('audit')
        .set({ subject: JSON.stringify({ erasure: erasureId }), reason: null })
        .where(
          (eb) =>
            sql<boolean>`${eb.ref('subject')}->>'keptMemberId' = ${id}
              or ${eb.ref('subject')}->>'mergedMemberId' = ${id}
              or ${eb.ref('subject')}->>'memberId' = ${id}`,
        )
        .execute();
    // The effect ledger keeps its keys (nothing is sent twice) but not what it noted of them.
    for (const id of scope.memberIds)
      await tx
        .updateTable('deliveries')
        .set({ detail: null })
        .where('idempotency_key', 'like', `%${id}%`)
        .execute();
    // merged_into points between the members erased: cleared first, so no delete waits on another.
    await tx
      .updateTable('members')
      .set({ merged_into: null })
      .where('id', 'in', scope.memberIds)
      .execute();
    const members = await tx
      .deleteFrom('members')
      .where('id', 'in', scope.memberIds)
      .executeTakeFirst();
    return { members: Number(members.numDeletedRows), activity, events };
  });
}
