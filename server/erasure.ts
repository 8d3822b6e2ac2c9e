import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { Db } from '../store/db.js';
import type { ErasureRecord } from '../store/erasures.js';
import { findErasure, getErasure, openErasure } from '../store/erasures.js';
import { erasureScope } from '../store/erase-member.js';
import { MemberRefError, parseMemberRef, resolveMember } from '../store/member-ref.js';
import { privacyHasher } from '../store/privacy-hash.js';
import type { Routing } from '../workflows/steps/context.js';
import { erasureWorkflowId } from '../workflows/erasure/types.js';
import { memberErasure, retryErasureSignal } from '../workflows/erasure/workflow.js';

export interface ErasureRequestDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
  routing?: Routing | undefined;
  logger: Logger;
}

export interface ErasureRequest {
  /** Who asked: an operator's name, `api`, or the system whose deletion request started it. */
  requestedBy: string;
  /** `cli`, `api`, or `<connector id>` for a vendor's deletion request. */
  source: string;
  reason?: string | undefined;
}

export type ErasureRequestOutcome =
  { state: 'started'; erasureId: string } | { state: 'already-erased'; erasure: ErasureRecord };

/**
 * The erasure a reference leads to: an erasure id, or a member (id, email, platform user) that
 * is in the store or was erased before (found by the keyed hash of its id or address).
 */
export async function findErasureFor(db: Db, text: string): Promise<ErasureRecord | undefined> {
  if (text.startsWith('erasure-')) return getErasure(db, text);
  const hash = await privacyHasher(db);
  try {
    const { id } = await resolveMember(db, text);
    return getErasure(db, erasureWorkflowId(hash('member', id)));
  } catch (error) {
    if (!(error instanceof MemberRefError)) throw error;
    const ref = parseMemberRef(text);
    if (ref.kind === 'id') return findErasure(db, { memberHash: hash('member', ref.id) });
    if (ref.kind === 'email') return findErasure(db, { emailHash: hash('email', ref.email) });
    return undefined;
  }
}

/**
 * Starts (or joins) the member's one erasure: the request is recorded, then the workflow is
 * started with a `retry` signal, which a running erasure waiting on a system that refused for
 * good takes as "try again". A member erased before is a no-op that says when. Throws
 * MemberRefError when the reference names nobody, now or before.
 */
export async function requestErasure(
  deps: ErasureRequestDeps,
  memberRef: string,
  request: ErasureRequest,
): Promise<ErasureRequestOutcome> {
  let memberId: string;
  try {
    memberId = (await resolveMember(deps.db, memberRef)).id;
  } catch (error) {
    const before = error instanceof MemberRefError && (await findErasureFor(deps.db, memberRef));
    if (before) return { state: 'already-erased', erasure: before };
    throw error;
  }
  const hash = await privacyHasher(deps.db);
  const erasureId = erasureWorkflowId(hash('member', memberId));
  const existing = await getErasure(deps.db, erasureId);
  if (existing?.completedAt) return { state: 'already-erased', erasure: existing };
  const scope = await erasureScope(deps.db, memberId);
  await openErasure(deps.db, {
    id: erasureId,
    memberId,
    memberHash: hash('member', memberId),
    emailHashes: scope.emails.map((email) => hash('email', email)),
    ...request,
  });
  await deps.temporal.workflow.signalWithStart(memberErasure, {
    workflowId: erasureId,
    taskQueue: deps.taskQueue,
    args: [{ erasureId, memberId, routing: deps.routing }],
    signal: retryErasureSignal,
    signalArgs: [],
  });
  deps.logger.info({ erasureId, source: request.source }, 'erasure requested');
  return { state: 'started', erasureId };
}
