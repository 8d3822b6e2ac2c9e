import { sql } from 'kysely';
import type { Db } from './db.js';

export type Claim =
  /** This attempt owns the send. */
  | { kind: 'claimed' }
  /** An earlier attempt already sent it. */
  | { kind: 'sent' }
  /**
   * An earlier attempt started sending and never reported back (it crashed mid-send), so
   * nobody knows whether the message left. Sending again could duplicate it: we do not.
   */
  | { kind: 'unconfirmed' };

/**
 * Takes the right to perform one effect. A definite earlier failure ('failed') may be retried; a
 * row left in 'sending' by a crashed attempt becomes 'unconfirmed' and is never sent again.
 */
export async function claimDelivery(db: Db, key: string, channel: string): Promise<Claim> {
  const inserted = await db
    .insertInto('deliveries')
    .values({ idempotency_key: key, channel, status: 'sending' })
    .onConflict((oc) => oc.column('idempotency_key').doNothing())
    .returning('status')
    .executeTakeFirst();
  if (inserted) return { kind: 'claimed' };

  const retried = await db
    .updateTable('deliveries')
    .set({ status: 'sending', attempts: sql`attempts + 1`, updated_at: new Date() })
    .where('idempotency_key', '=', key)
    .where('status', '=', 'failed')
    .returning('status')
    .executeTakeFirst();
  if (retried) return { kind: 'claimed' };

  const row = await db
    .updateTable('deliveries')
    .set({
      status: sql`case when status = 'sending' then 'unconfirmed' else status end`,
      updated_at: new Date(),
    })
    .where('idempotency_key', '=', key)
    .returning('status')
    .executeTakeFirstOrThrow();
  return row.status === 'sent' ? { kind: 'sent' } : { kind: 'unconfirmed' };
}

export async function completeDelivery(
  db: Db,
  key: string,
  status: 'sent' | 'failed',
  detail?: string,
): Promise<void> {
  await db
    .updateTable('deliveries')
    .set({ status, detail: detail ?? null, updated_at: new Date() })
    .where('idempotency_key', '=', key)
    .execute();
}

export interface DeliveryRecord {
  status: 'sending' | 'sent' | 'failed' | 'unconfirmed';
  /** What the effect left: the message id once sent, the error code once failed. */
  detail: string | null;
  /** When the first attempt claimed it. */
  createdAt: Date;
}

/** What the ledger holds for one key, or undefined when no attempt was ever made. */
export async function getDelivery(db: Db, key: string): Promise<DeliveryRecord | undefined> {
  const row = await db
    .selectFrom('deliveries')
    .select(['status', 'detail', 'created_at'])
    .where('idempotency_key', '=', key)
    .executeTakeFirst();
  return row && { status: row.status, detail: row.detail, createdAt: row.created_at };
}

/** An attempt ended without knowing whether the effect happened (a timeout, a lost answer). */
export async function markUnconfirmed(db: Db, key: string, detail: string): Promise<void> {
  await db
    .updateTable('deliveries')
    .set({ status: 'unconfirmed', detail, updated_at: new Date() })
    .where('idempotency_key', '=', key)
    .where('status', '=', 'sending')
    .execute();
}
