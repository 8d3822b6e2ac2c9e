import { ApplicationFailure } from '@temporalio/common';
import type { Db } from '../store/db.js';
import type { MemberRecord } from '../store/members.js';
import { getMember } from '../store/members.js';

/** A member id that is not in the store can never succeed: fail the step for good. */
export async function requireMember(db: Db, memberId: string): Promise<MemberRecord> {
  const member = await getMember(db, memberId);
  if (!member)
    throw ApplicationFailure.nonRetryable(`member ${memberId} not found`, 'MemberNotFound');
  return member;
}
