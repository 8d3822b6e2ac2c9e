import { sql } from 'kysely';
import type { Db } from './db.js';

/** Any normalized event: community (platform) or business (system). */
export interface StoredEvent {
  eventId: string;
  type: string;
}

/**
 * Records an inbound event once by its source id. Returns whether it was already processed, so
 * a redelivery of a fully handled event is acknowledged without doing anything again, while a
 * redelivery of one whose handling failed half-way is handled again. `processed`: the caller
 * handles it in this same transaction, so a new row is stored as processed at once (one write
 * fewer); `inserted` says whether it was new, since a stored row still needs markEventProcessed.
 */
export async function recordEvent(
  db: Db,
  /** The platform or system the event came from. */
  source: string,
  event: StoredEvent,
  options: { processed?: boolean } = {},
): Promise<{ alreadyProcessed: boolean; inserted: boolean }> {
  // One round trip on the hot path: the insert, or (for a redelivery) the stored row's state.
  const payload = storablePayload(event);
  const processedAt = options.processed ? new Date() : null;
  const { rows } = await sql<{ processed_at: Date | null; inserted: boolean }>`
    with inserted as (
      insert into received_events (event_id, platform, type, payload, processed_at)
      values (${event.eventId}, ${source}, ${event.type}, ${payload}, ${processedAt})
      on conflict (event_id) do nothing
      returning processed_at
    )
    select processed_at, true as inserted from inserted
    union all
    select processed_at, false as inserted from received_events
    where event_id = ${event.eventId} and not exists (select 1 from inserted)`.execute(db);
  // A concurrent copy's insert committed after this statement's snapshot: read it anew.
  const row =
    rows[0] ??
    (await db
      .selectFrom('received_events')
      .select((eb) => ['processed_at', eb.lit(false).as('inserted')])
      .where('event_id', '=', event.eventId)
      .executeTakeFirstOrThrow());
  return { alreadyProcessed: !row.inserted && row.processed_at !== null, inserted: row.inserted };
}

/** The event as jsonb text. PostgreSQL cannot store U+0000 in jsonb; a stray NUL must not make
 * the event unstorable. */
export const storablePayload = (event: StoredEvent) =>
  JSON.stringify(event).replace(/\\u0000/g, '');

export async function markEventProcessed(db: Db, eventId: string): Promise<void> {
  await db
    .updateTable('received_events')
    .set({ processed_at: new Date() })
    .where('event_id', '=', eventId)
    .where('processed_at', 'is', null)
    .execute();
}
