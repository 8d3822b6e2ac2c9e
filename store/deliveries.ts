import { sql } from 'kysely';
import type { Db } from './db.js';

export type Claim =
  /**
   * This attempt owns the send. `fence` numbers it: only the newest attempt may reach the point
   * of no return (`markCommitting`) or record an outcome.
   */
  | { kind: 'claimed'; fence: number }
  /** An earlier attempt already sent it. */
  | { kind: 'sent' }
  /**
   * An earlier attempt started sending and never reported back (it crashed mid-send), so
   * nobody knows whether the message left. Sending again could duplicate it: we do not.
   */
  | { kind: 'unconfirmed'; fence: number };

/**
 * Takes the right to perform one effect. A definite earlier failure ('failed') may be retried.
 * A row left in 'sending' by a crashed attempt is taken over when the effect marks its point of
 * no return (`marksCommit`: it never got there, so it did nothing); otherwise, like a row left in
 * 'committing', it becomes 'unconfirmed' and is never sent again.
 */
export async function claimDelivery(
  db: Db,
  key: string,
  channel: string,
  options: { marksCommit?: boolean } = {},
): Promise<Claim> {
  const inserted = await db
    .insertInto('deliveries')
    .values({ idempotency_key: key, channel, status: 'sending' })
    .onConflict((oc) => oc.column('idempotency_key').doNothing())
    .returning('attempts')
    .executeTakeFirst();
  if (inserted) return { kind: 'claimed', fence: inserted.attempts };

  const retried = await db
    .updateTable('deliveries')
    .set({ status: 'sending', attempts: sql`attempts + 1`, updated_at: new Date() })
    .where('idempotency_key', '=', key)
    .where('status', 'in', options.marksCommit ? ['failed', 'sending'] : ['failed'])
    .returning('attempts')
    .executeTakeFirst();
  if (retried) return { kind: 'claimed', fence: retried.attempts };

  // In doubt: this attempt is numbered too, so an effect the vendor can look up for it (or an
  // operator's decision) records its outcome, and an older attempt's late answer does not.
  const row = await db
    .updateTable('deliveries')
    .set({
      status: sql`case when status in ('sending', 'committing') then 'unconfirmed' else status end`,
      attempts: sql`case when status = 'sent' then attempts else attempts + 1 end`,
      updated_at: new Date(),
    })
    .where('idempotency_key', '=', key)
    .returning(['status', 'attempts'])
    .executeTakeFirstOrThrow();
  return row.status === 'sent' ? { kind: 'sent' } : { kind: 'unconfirmed', fence: row.attempts };
}

/**
 * The attempt `fence` reaches its point of no return. False when a newer attempt took the send
 * over meanwhile: this one must abort before it acts.
 */
export async function markCommitting(db: Db, key: string, fence: number): Promise<boolean> {
  const row = await db
    .updateTable('deliveries')
    .set({ status: 'committing', updated_at: new Date() })
    .where('idempotency_key', '=', key)
    .where('status', '=', 'sending')
    .where('attempts', '=', fence)
    .returning('attempts')
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Records how the attempt `fence` ended; a superseded attempt records nothing. A failure after
 * the point of no return ('committing') leaves the doubt: it becomes 'unconfirmed'.
 */
export async function completeDelivery(
  db: Db,
  key: string,
  fence: number,
  status: 'sent' | 'failed',
  detail?: string,
): Promise<void> {
  await db
    .updateTable('deliveries')
    .set({
      status:
        status === 'sent'
          ? 'sent'
          : sql`case when status = 'committing' then 'unconfirmed' else 'failed' end`,
      detail: detail ?? null,
      updated_at: new Date(),
    })
    .where('idempotency_key', '=', key)
    .where('attempts', '=', fence)
    .execute();
}

export interface DeliveryRecord {
  status: 'sending' | 'committing' | 'sent' | 'failed' | 'unconfirmed';
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
export async function markUnconfirmed(
  db: Db,
  key: string,
  fence: number,
  detail: string,
): Promise<void> {
  await db
    .updateTable('deliveries')
    .set({ status: 'unconfirmed', detail, updated_at: new Date() })
    .where('idempotency_key', '=', key)
    .where('status', 'in', ['sending', 'committing'])
    .where('attempts', '=', fence)
    .execute();
}
