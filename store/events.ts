import type { Db } from './db.js';

/** Any normalized event: community (platform) or business (system). */
export interface StoredEvent {
  eventId: string;
  type: string;
}

/**
 * Records an inbound event once by its source id. Returns whether it was already processed, so
 * a redelivery of a fully handled event is acknowledged without doing anything again, while a
 * redelivery of one whose handling failed half-way is handled again.
 */
export async function recordEvent(
  db: Db,
  /** The platform or system the event came from. */
  source: string,
  event: StoredEvent,
): Promise<{ alreadyProcessed: boolean }> {
  await db
    .insertInto('received_events')
    .values({
      event_id: event.eventId,
      platform: source,
      type: event.type,
      // PostgreSQL cannot store U+0000 in jsonb; a stray NUL must not make the event unstorable.
      payload: JSON.stringify(event).replace(/\\u0000/g, ''),
    })
    .onConflict((oc) => oc.column('event_id').doNothing())
    .execute();
  const row = await db
    .selectFrom('received_events')
    .select('processed_at')
    .where('event_id', '=', event.eventId)
    .executeTakeFirstOrThrow();
  return { alreadyProcessed: row.processed_at !== null };
}

export async function markEventProcessed(db: Db, eventId: string): Promise<void> {
  await db
    .updateTable('received_events')
    .set({ processed_at: new Date() })
    .where('event_id', '=', eventId)
    .where('processed_at', 'is', null)
    .execute();
}
