import type { Crm } from '../connectors/ports.js';
import type { Db } from '../store/db.js';
import { emailHashesErasedSince } from '../store/erasures.js';
import { privacyHasher } from '../store/privacy-hash.js';

/**
 * Clock difference between the store and a worker that a write's read time is allowed: an
 * erasure requested up to this long before the read is checked too (erasures are rare, so the
 * read stays small).
 */
const CLOCK_MARGIN_MS = 60_000;

/**
 * A CRM write whose people were read before an erasure began can reach the CRM after the
 * erasure deleted them there: the read saw no erasure yet, and the person is back. An erasure's
 * record, with its address hashes, is written when it is requested (server/erasure.ts), before
 * its workflow deletes anything, so a write that checks after it is done finds every such
 * erasure and deletes the person again. Returns how many it deleted.
 */
export async function undoWritesOfErased(
  db: Db,
  crm: Pick<Crm, 'deletePerson'>,
  written: readonly { email?: string | undefined }[],
  readAt: Date,
): Promise<number> {
  const erased = await emailHashesErasedSince(db, new Date(readAt.getTime() - CLOCK_MARGIN_MS));
  if (erased.size === 0) return 0;
  const hash = await privacyHasher(db);
  let deleted = 0;
  for (const { email } of written)
    if (email && erased.has(hash('email', email)) && (await crm.deletePerson(email)).deleted)
      deleted += 1;
  return deleted;
}
