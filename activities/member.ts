import { ApplicationFailure } from '@temporalio/common';
import type { Db } from '../store/db.js';
import { getCurrentMember } from '../store/member-ref.js';
import type { MemberRecord } from '../store/members.js';

/**
 * The member a step acts on. A member an operator merged into another is followed to the kept
 * one (members.merged_into), so journeys already running for either keep working after a merge.
 * A member id that is not in the store can never succeed: fail the step for good.
 */
export async function requireMember(db: Db, memberId: string): Promise<MemberRecord> {
  const member = await getCurrentMember(db, memberId);
  if (!member)
    throw ApplicationFailure.nonRetryable(`member ${memberId} not found`, 'MemberNotFound');
  return member;
}
