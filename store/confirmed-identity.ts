import type { MembersConfig } from '../config/members.js';
import type { CommunityMember } from '../connectors/events.js';
import type { Db } from './db.js';
import { memberHolding } from './members.js';
import { mergeMembers } from './merges.js';

/**
 * An identity whose address its platform has just confirmed joins the member that holds the
 * address. Until then it had a member of its own without the address (store/members.ts: an
 * unconfirmed address proves nothing); now the two are merged, as an operator's merge would, with
 * its backup, so `townhall members unmerge` can undo it. Safe to repeat: once merged, the identity
 * belongs to the address's member and nothing is left to do. Answers the member the identity
 * belongs to now.
 */
export async function joinConfirmedIdentity(
  db: Db,
  platform: string,
  member: CommunityMember,
  memberId: string,
  config?: MembersConfig,
): Promise<string> {
  if (member.emailVerified !== true) return memberId;
  const own = await db
    .selectFrom('identities')
    .innerJoin('members', 'members.id', 'identities.member_id')
    .select(['identities.email as identityEmail', 'members.email as memberEmail'])
    .where('identities.platform', '=', platform)
    .where('identities.community_id', '=', member.communityId)
    .where('identities.platform_user_id', '=', member.userId)
    .where('members.id', '=', memberId)
    .executeTakeFirst();
  // Only a member made without the address (someone else held it) waits to be joined.
  if (!own?.identityEmail || own.memberEmail !== null) return memberId;
  const holder = await memberHolding(db, own.identityEmail);
  if (!holder) return memberId;
  const keepId = holder.merged_into ?? holder.id;
  if (keepId === memberId) return memberId;
  await mergeMembers(db, keepId, memberId, {
    reason: `${platform} confirmed the address the identity signed up with`,
    actor: 'townhall',
    ...(config ? { config } : {}),
  });
  return keepId;
}
