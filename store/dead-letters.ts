import { sql } from 'kysely';
import type { Db } from './db.js';
import type { Database } from './schema.js';

type Row = Database['dead_letters'];
export type DeadLetterStatus = Row['status'];
export type EventFamily = Row['family'];

/** Why an event failed: structured (`sqlstate:22P02`, `temporal:INVALID_ARGUMENT` ...) and told. */
export interface FailureNote {
  /** `poison`: it can never be processed as it is; `unknown`: counted towards quarantine. */
  kind: 'poison' | 'unknown';
  code: string;
  /** Masked: never an email address or a value the store refused. */
  reason: string;
}

export interface FailedEvent {
  /** The connector id the event came through. */
  source: string;
  family: EventFamily;
  eventId: string;
  type: string;
  /** The normalized event, as the router was given it. */
  event: unknown;
  /** Whose event it is: the platform identity, or the author or contact a business event names. */
  communityId?: string | undefined;
  userId?: string | undefined;
}

/** PostgreSQL text refuses U+0000; a dead letter must be storable whatever the event held. */
const storable = (text: string) => text.replaceAll('\u0000', '');

/**
 * Records one failed delivery of an event: the first makes its row, later ones count attempts on
 * it (one row per source and event id, whatever the vendor redelivers). A poison event is
 * quarantined at once; an unknown failure at its `quarantineAfter`-th attempt, until then the row
 * is `failing` (the sender is told to retry, and the row keeps the event should it give up). The
 * stored event is the first one seen: an operator's correction is never overwritten.
 */
export async function noteFailedEvent(
  db: Db,
  failed: FailedEvent,
  failure: FailureNote,
  quarantineAfter: number,
): Promise<{ id: number; status: DeadLetterStatus; attempts: number }> {
  const quarantineNow = failure.kind === 'poison' || quarantineAfter <= 1;
  const { rows } = await sql<{ id: number; status: DeadLetterStatus; attempts: number }>`
    insert into dead_letters
      (source, family, event_id, event_type, event, community_id, user_id, status, reason,
       error_code, quarantined_at)
    values (
      ${storable(failed.source)}, ${failed.family}, ${storable(failed.eventId)},
      ${storable(failed.type)}, ${JSON.stringify(failed.event)},
      ${failed.communityId === undefined ? null : storable(failed.communityId)},
      ${failed.userId === undefined ? null : storable(failed.userId)},
      ${quarantineNow ? 'quarantined' : 'failing'}, ${storable(failure.reason)},
      ${failure.code}, ${quarantineNow ? sql`now()` : null})
    on conflict (source, md5(event_id)) do update set
      attempts = dead_letters.attempts + 1,
      last_seen = now(),
      reason = excluded.reason,
      error_code = excluded.error_code,
      status = case
        when dead_letters.status <> 'failing' then dead_letters.status
        when ${failure.kind === 'poison'}::boolean or dead_letters.attempts + 1 >= ${quarantineAfter}::integer
          then 'quarantined'
        else 'failing' end,
      quarantined_at = case
        when dead_letters.status <> 'failing' then dead_letters.quarantined_at
        when ${failure.kind === 'poison'}::boolean or dead_letters.attempts + 1 >= ${quarantineAfter}::integer
          then now()
        end
    returning id, status, attempts`.execute(db);
  return rows[0]!;
}

export interface DeadLetterSummary {
  id: number;
  source: string;
  family: EventFamily;
  eventId: string;
  type: string;
  /** `failing` rows whose event a later delivery processed show as `processed`. */
  status: DeadLetterStatus | 'processed';
  reason: string;
  errorCode: string;
  attempts: number;
  firstSeen: string;
  lastSeen: string;
  quarantinedAt: string | null;
  replayedAt: string | null;
  replayOutcome: string | null;
  erased: boolean;
}

const iso = (value: Date | null) => (value ? new Date(value).toISOString() : null);

/**
 * Dead letters, newest first, without their events (member text): the open ones (failing and
 * quarantined), or with `all` the replayed ones too.
 */
export async function listDeadLetters(
  db: Db,
  options: { all?: boolean; limit?: number } = {},
): Promise<DeadLetterSummary[]> {
  const rows = await db
    .selectFrom('dead_letters as d')
    .leftJoin('received_events as r', 'r.event_id', 'd.event_id')
    .select([
      'd.id',
      'd.source',
      'd.family',
      'd.event_id',
      'd.event_type',
      'd.status',
      'd.reason',
      'd.error_code',
      'd.attempts',
      'd.first_seen',
      'd.last_seen',
      'd.quarantined_at',
      'd.replayed_at',
      'd.replay_outcome',
      sql<boolean>`d.event is null`.as('erased'),
      sql<boolean>`coalesce(r.processed_at is not null, false)`.as('processed'),
    ])
    .$if(!options.all, (q) => q.where('d.status', '<>', 'replayed'))
    .orderBy('d.last_seen', 'desc')
    .orderBy('d.id', 'desc')
    .limit(options.limit ?? 100)
    .execute();
  return rows.map((row) => ({
    id: row.id,
    source: row.source,
    family: row.family,
    eventId: row.event_id,
    type: row.event_type,
    status: row.status === 'failing' && row.processed ? 'processed' : row.status,
    reason: row.reason,
    errorCode: row.error_code,
    attempts: row.attempts,
    firstSeen: iso(row.first_seen)!,
    lastSeen: iso(row.last_seen)!,
    quarantinedAt: iso(row.quarantined_at),
    replayedAt: iso(row.replayed_at),
    replayOutcome: row.replay_outcome,
    erased: row.erased,
  }));
}

/** One dead letter with its stored event (JSON text; null once erased). */
export async function deadLetter(db: Db, id: number) {
  return db.selectFrom('dead_letters').selectAll().where('id', '=', id).executeTakeFirst();
}

/** A replay went through: the row stays, as the record of what happened. */
export async function markReplayed(db: Db, id: number, outcome: string): Promise<void> {
  await db
    .updateTable('dead_letters')
    .set({ status: 'replayed', replayed_at: new Date(), replay_outcome: outcome })
    .where('id', '=', id)
    .execute();
}

/** A replay failed again: the row keeps the event, with the latest reason. */
export async function noteReplayFailure(db: Db, id: number, failure: FailureNote): Promise<void> {
  await db
    .updateTable('dead_letters')
    .set({ reason: storable(failure.reason), error_code: failure.code, last_seen: new Date() })
    .where('id', '=', id)
    .execute();
}

/**
 * Erasure: drops the stored events of one identity (the platform user, or the author or contact
 * a business event names), keeping the rows' ids, reasons and times. Returns how many it erased.
 */
export async function eraseDeadLetters(
  db: Db,
  who: { source: string; userId: string },
): Promise<number> {
  const result = await db
    .updateTable('dead_letters')
    .set({ event: null })
    .where('source', '=', who.source)
    .where('user_id', '=', who.userId)
    .where('event', 'is not', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
