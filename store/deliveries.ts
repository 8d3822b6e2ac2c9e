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

export interface DeliveryInDoubt {
  /** `<workflow id>/<activity id>`: the run (and through its id, the member) and the step. */
  key: string;
  channel: string;
  status: 'unconfirmed' | 'sending' | 'committing';
  attempts: number;
  /** The last error code, where an attempt reported one. */
  detail: string | null;
  since: string;
  updatedAt: string;
}

/**
 * Effects nobody knows the outcome of: 'unconfirmed' ones (an attempt vanished past its point of
 * no return, or the vendor could not tell), and attempts still 'sending' or 'committing' after
 * `staleAfterMs` (their worker is gone and no retry has come yet). Ops check these by hand (the
 * recipient's mailbox, the relay's log): townhall never sends them again.
 */
export async function listDeliveriesInDoubt(
  db: Db,
  options: { staleAfterMs?: number; limit?: number } = {},
): Promise<DeliveryInDoubt[]> {
  const staleBefore = new Date(Date.now() - (options.staleAfterMs ?? 5 * 60_000));
  const rows = await db
    .selectFrom('deliveries')
    .select([
      'idempotency_key',
      'channel',
      'status',
      'attempts',
      'detail',
      'created_at',
      'updated_at',
    ])
    .where((eb) =>
      eb.or([
        eb('status', '=', 'unconfirmed'),
        eb.and([eb('status', 'in', ['sending', 'committing']), eb('updated_at', '<', staleBefore)]),
      ]),
    )
    .orderBy('created_at', 'desc')
    .limit(options.limit ?? 100)
    .execute();
  return rows.map((row) => ({
    key: row.idempotency_key,
    channel: row.channel,
    status: row.status as DeliveryInDoubt['status'],
    attempts: row.attempts,
    detail: row.detail,
    since: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  }));
}
