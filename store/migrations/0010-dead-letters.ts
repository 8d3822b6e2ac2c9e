import type { Kysely, Migration } from 'kysely';
import { sql } from 'kysely';

/**
 * Dead letters (store/dead-letters.ts): inbound events the router could not process, one row per
 * (source, event id), with what is needed to replay them. Numbered 0010, not 0009: migrations
 * run in name order and 0009 is taken by work under way elsewhere.
 */
export const deadLetters: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('dead_letters')
      .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
      // The connector id, and which router replays it (community or business events).
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('family', 'text', (c) =>
        c.notNull().check(sql`family in ('community', 'business')`),
      )
      .addColumn('event_id', 'text', (c) => c.notNull())
      .addColumn('event_type', 'text', (c) => c.notNull())
      // The normalized event as JSON text, not jsonb: the value jsonb refused (a lone surrogate)
      // must still be kept, and JSON.stringify escapes everything text refuses (U+0000). Null
      // once erased: it holds member text.
      .addColumn('event', 'text')
      // Whose event it is, so erasure finds the row: the platform identity (community events),
      // the author or contact id (business events).
      .addColumn('community_id', 'text')
      .addColumn('user_id', 'text')
      .addColumn('status', 'text', (c) =>
        c.notNull().check(sql`status in ('failing', 'quarantined', 'replayed')`),
      )
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('error_code', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('first_seen', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .addColumn('last_seen', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .addColumn('quarantined_at', 'timestamptz')
      .addColumn('replayed_at', 'timestamptz')
      .addColumn('replay_outcome', 'text')
      .execute();
    // By a digest of the id: an event id too long for a btree entry (one way an event is poison)
    // must not make its dead letter unstorable too.
    await sql`create unique index dead_letters_event on dead_letters (source, md5(event_id))`.execute(
      db,
    );
    await sql`create index dead_letters_open on dead_letters (status, last_seen) where status <> 'replayed'`.execute(
      db,
    );
    await db.schema
      .createIndex('dead_letters_identity')
      .on('dead_letters')
      .columns(['source', 'user_id'])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('dead_letters').execute();
  },
};
