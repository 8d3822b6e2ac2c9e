import { sql } from 'kysely';
import type { Db } from './db.js';
import type { ErasureOutcome } from './schema.js';

export type { ErasureOutcome };

/** An erasure as `townhall forget --status` and the API show it: hashes and outcomes only. */
export interface ErasureRecord {
  id: string;
  memberHash: string;
  requestedBy: string;
  source: string;
  reason: string | null;
  requestedAt: string;
  completedAt: string | null;
  /** Per system (`crm:<id>`, `helpdesk:<id>`, `runs`, `store`): what it did. */
  outcomes: Record<string, ErasureOutcome>;
  /** Systems still to answer: pending or failed. */
  pending: string[];
  /** What townhall cannot erase (messages on the community platforms), by platform. */
  notErasable: string[];
}

type Row = {
  id: string;
  member_hash: string;
  requested_by: string;
  source: string;
  reason: string | null;
  requested_at: Date;
  completed_at: Date | null;
  outcomes: Record<string, ErasureOutcome>;
  not_erasable: string[];
};

const toRecord = (row: Row): ErasureRecord => ({
  id: row.id,
  memberHash: row.member_hash,
  requestedBy: row.requested_by,
  source: row.source,
  reason: row.reason,
  requestedAt: row.requested_at.toISOString(),
  completedAt: row.completed_at?.toISOString() ?? null,
  outcomes: row.outcomes,
  pending: Object.entries(row.outcomes)
    .filter(([, outcome]) => outcome.status !== 'done')
    .map(([system]) => system),
  notErasable: row.not_erasable,
});

const columns = [
  'id',
  'member_hash',
  'requested_by',
  'source',
  'reason',
  'requested_at',
  'completed_at',
  'outcomes',
  'not_erasable',
] as const;

/** Records a request once: a second request for the same erasure id keeps the first. */
export async function openErasure(
  db: Db,
  request: {
    id: string;
    memberId: string;
    memberHash: string;
    emailHashes: string[];
    requestedBy: string;
    source: string;
    reason?: string | undefined;
  },
): Promise<void> {
  await db
    .insertInto('erasures')
    .values({
      id: request.id,
      member_id: request.memberId,
      member_hash: request.memberHash,
      email_hashes: JSON.stringify(request.emailHashes),
      requested_by: request.requestedBy,
      source: request.source,
      reason: request.reason ?? null,
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}

export async function getErasure(db: Db, id: string): Promise<ErasureRecord | undefined> {
  const row = await db
    .selectFrom('erasures')
    .select(columns)
    .where('id', '=', id)
    .executeTakeFirst();
  return row && toRecord(row);
}

/** The erasure of a member no longer in the store, found by the hash of their id or an address. */
export async function findErasure(
  db: Db,
  hashes: { memberHash?: string; emailHash?: string },
): Promise<ErasureRecord | undefined> {
  const row = await db
    .selectFrom('erasures')
    .select(columns)
    .where((eb) =>
      eb.or([
        ...(hashes.memberHash ? [eb('member_hash', '=', hashes.memberHash)] : []),
        ...(hashes.emailHash
          ? [
              sql<boolean>`${eb.ref('email_hashes')} @> ${JSON.stringify([hashes.emailHash])}::jsonb`,
            ]
          : []),
      ]),
    )
    .orderBy('requested_at', 'desc')
    .executeTakeFirst();
  return row && toRecord(row);
}

/** Sets one system's outcome (safe to repeat: the last word about a system wins). */
export async function recordErasureOutcome(
  db: Db,
  id: string,
  outcomes: Record<string, Omit<ErasureOutcome, 'at'>>,
): Promise<void> {
  const at = new Date().toISOString();
  const stamped = Object.fromEntries(
    Object.entries(outcomes).map(([system, outcome]) => [system, { ...outcome, at }]),
  );
  await db
    .updateTable('erasures')
    .set({ outcomes: sql`outcomes || ${JSON.stringify(stamped)}::jsonb` })
    .where('id', '=', id)
    .execute();
}

/** The end of an erasure: what could not be erased is listed, and the member id goes. */
export async function completeErasure(db: Db, id: string, notErasable: string[]): Promise<void> {
  await db
    .updateTable('erasures')
    .set({ completed_at: new Date(), member_id: null, not_erasable: JSON.stringify(notErasable) })
    .where('id', '=', id)
    .where('completed_at', 'is', null)
    .execute();
}

export async function suppress(db: Db, emailHashes: string[], erasureId: string): Promise<void> {
  if (emailHashes.length === 0) return;
  await db
    .insertInto('suppressions')
    .values(emailHashes.map((email_hash) => ({ email_hash, erasure_id: erasureId })))
    .onConflict((oc) => oc.column('email_hash').doNothing())
    .execute();
}

export async function isSuppressed(db: Db, emailHash: string): Promise<boolean> {
  const row = await db
    .selectFrom('suppressions')
    .select('email_hash')
    .where('email_hash', '=', emailHash)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * The address hashes of erasures requested since `since` (none nearly always: one small read).
 * A CRM write that read its people before then checks its addresses against them afterwards.
 */
export async function emailHashesErasedSince(db: Db, since: Date): Promise<Set<string>> {
  const rows = await db
    .selectFrom('erasures')
    .select('email_hashes')
    .where('requested_at', '>=', since)
    .execute();
  return new Set(rows.flatMap((row) => row.email_hashes));
}
