import { createHmac, randomBytes } from 'node:crypto';
import type { Db } from './db.js';

/** Shorter keys are refused: a keyed hash is only as unguessable as its key. */
const MIN_KEY_LENGTH = 32;

/**
 * Keyed hashes (HMAC-SHA256) of personal identifiers for what outlives an erasure: the
 * suppression list and the audit record can say "this address was erased" to someone who already
 * has the address, and cannot be reversed or matched by a dictionary without the key.
 *
 * The key is TOWNHALL_PRIVACY_KEY; without it, one generated on first use and kept in the store
 * (privacy_key), which still defeats a lookup table but not someone holding the whole store:
 * production deployments should set the variable (and keep it: a new key no longer matches the
 * hashes already kept).
 */
export async function privacyHasher(
  db: Db,
  env: NodeJS.ProcessEnv = process.env,
): Promise<(kind: 'email' | 'member', value: string) => string> {
  const key = env.TOWNHALL_PRIVACY_KEY || (await storedKey(db));
  if (key.length < MIN_KEY_LENGTH)
    throw new Error(
      `TOWNHALL_PRIVACY_KEY is too short (at least ${MIN_KEY_LENGTH} characters; try: openssl rand -hex 32)`,
    );
  return (kind, value) =>
    createHmac('sha256', key)
      .update(`${kind}:${kind === 'email' ? normalizeEmail(value) : value}`, 'utf8')
      .digest('hex');
}

/** Addresses differ only by case and surrounding space for every system townhall talks to. */
export const normalizeEmail = (email: string) => email.trim().toLowerCase();

/** The kept key: read, and made only the first time (two processes racing keep one). */
async function storedKey(db: Db): Promise<string> {
  const kept = db.selectFrom('privacy_key').select('key').where('id', '=', 1);
  const found = await kept.executeTakeFirst();
  if (found) return found.key;
  await db
    .insertInto('privacy_key')
    .values({ id: 1, key: randomBytes(32).toString('hex') })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  return (await kept.executeTakeFirstOrThrow()).key;
}
