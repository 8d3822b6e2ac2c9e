import type { Kysely, Migration } from 'kysely';
import { sql } from 'kysely';

export const initial: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('members')
      .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
      .addColumn('email', 'text')
      .addColumn('name', 'text')
      .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .execute();
    // One member per address: a second platform identity with the same email joins the same member.
    await sql`create unique index members_email_key on members (lower(email)) where email is not null`.execute(
      db,
    );

    await db.schema
      .createTable('identities')
      .addColumn('platform', 'text', (c) => c.notNull())
      .addColumn('community_id', 'text', (c) => c.notNull())
      .addColumn('platform_user_id', 'text', (c) => c.notNull())
      .addColumn('member_id', 'uuid', (c) =>
        c.notNull().references('members.id').onDelete('cascade'),
      )
      .addColumn('email', 'text')
      .addColumn('handle', 'text')
      .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .addPrimaryKeyConstraint('identities_pkey', ['platform', 'community_id', 'platform_user_id'])
      .execute();
    await db.schema
      .createIndex('identities_member_idx')
      .on('identities')
      .column('member_id')
      .execute();

    await db.schema
      .createTable('received_events')
      .addColumn('event_id', 'text', (c) => c.primaryKey())
      .addColumn('platform', 'text', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('payload', 'jsonb', (c) => c.notNull())
      .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .addColumn('processed_at', 'timestamptz')
      .execute();

    await db.schema
      .createTable('consent')
      .addColumn('member_id', 'uuid', (c) =>
        c.notNull().references('members.id').onDelete('cascade'),
      )
      .addColumn('channel', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) =>
        c.notNull().check(sql`status in ('opted_in', 'opted_out')`),
      )
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .addPrimaryKeyConstraint('consent_pkey', ['member_id', 'channel'])
      .execute();

    // The ledger that keeps a retried or replayed activity from sending a second email or DM.
    await db.schema
      .createTable('deliveries')
      .addColumn('idempotency_key', 'text', (c) => c.primaryKey())
      .addColumn('channel', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) =>
        c.notNull().check(sql`status in ('sending', 'sent', 'failed', 'unconfirmed')`),
      )
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('detail', 'text')
      .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .execute();
  },
  async down(db: Kysely<unknown>) {
    for (const table of ['deliveries', 'consent', 'received_events', 'identities', 'members']) {
      await db.schema.dropTable(table).execute();
    }
  },
};
