import type { Kysely, Migration } from 'kysely';
import { sql } from 'kysely';

/**
 * The single member view: an activity ledger (one row per source event, pointing at the identity
 * that acted, so a merge moves activity without rewriting it), roll-ups kept current at ingest,
 * milestones, CRM links and sync state, and reversible merges with their audit trail.
 */
export const memberView: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('activity')
      .addColumn('event_id', 'text', (c) => c.primaryKey())
      .addColumn('platform', 'text', (c) => c.notNull())
      .addColumn('community_id', 'text', (c) => c.notNull())
      .addColumn('platform_user_id', 'text', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('channel_id', 'text')
      .addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
      .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .execute();
    await db.schema
      .createIndex('activity_identity_time')
      .on('activity')
      .columns(['platform', 'community_id', 'platform_user_id', 'occurred_at'])
      .execute();

    await db.schema
      .alterTable('identities')
      .addColumn('staff', 'boolean', (c) => c.notNull().defaultTo(false))
      .addColumn('display_name', 'text')
      .addColumn('last_seen_at', 'timestamptz')
      .execute();
    await db.schema
      .alterTable('members')
      .addColumn('merged_into', 'uuid', (c) => c.references('members.id'))
      .execute();

    await db.schema
      .createTable('member_stats')
      .addColumn('member_id', 'uuid', (c) =>
        c.primaryKey().references('members.id').onDelete('cascade'),
      )
      .addColumn('first_seen_at', 'timestamptz')
      .addColumn('last_active_at', 'timestamptz')
      .addColumn('total', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('by_type', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
      .addColumn('by_platform', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
      .addColumn('level', 'text')
      .addColumn('level_since', 'timestamptz')
      .addColumn('below_since', 'timestamptz')
      // What the CRM sync's watermark reads: when anything a CRM shows of this member changed.
      .addColumn('changed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .execute();
    await db.schema
      .createIndex('member_stats_changed')
      .on('member_stats')
      .columns(['changed_at', 'member_id'])
      .execute();

    await db.schema
      .createTable('milestones')
      .addColumn('member_id', 'uuid', (c) =>
        c.notNull().references('members.id').onDelete('cascade'),
      )
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('reached_at', 'timestamptz', (c) => c.notNull())
      .addColumn('event_id', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('milestones_pkey', ['member_id', 'name'])
      .execute();

    await db.schema
      .createTable('crm_links')
      .addColumn('member_id', 'uuid', (c) =>
        c.notNull().references('members.id').onDelete('cascade'),
      )
      .addColumn('crm', 'text', (c) => c.notNull())
      .addColumn('person_id', 'text', (c) => c.notNull())
      .addColumn('synced_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .addPrimaryKeyConstraint('crm_links_pkey', ['member_id', 'crm'])
      .execute();
    await sql`create unique index crm_links_person on crm_links (crm, person_id)`.execute(db);

    await db.schema
      .createTable('merges')
      .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
      .addColumn('kept_member_id', 'uuid', (c) => c.notNull())
      .addColumn('merged_member_id', 'uuid', (c) => c.notNull())
      .addColumn('backup', 'jsonb', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('actor', 'text', (c) => c.notNull())
      .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .addColumn('undone_at', 'timestamptz')
      .addColumn('undone_by', 'text')
      .execute();

    await db.schema
      .createTable('audit')
      .addColumn('id', 'bigserial', (c) => c.primaryKey())
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('actor', 'text', (c) => c.notNull())
      .addColumn('reason', 'text')
      .addColumn('subject', 'jsonb', (c) => c.notNull())
      .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .execute();

    // Existing members start with roll-ups of their own (activity was not recorded before).
    await sql`insert into member_stats (member_id, first_seen_at)
              select id, created_at from members on conflict do nothing`.execute(db);
  },
  async down(db: Kysely<unknown>) {
    for (const table of ['audit', 'merges', 'crm_links', 'milestones', 'member_stats', 'activity'])
      await db.schema.dropTable(table).execute();
    await db.schema.alterTable('members').dropColumn('merged_into').execute();
    await db.schema
      .alterTable('identities')
      .dropColumn('staff')
      .dropColumn('display_name')
      .dropColumn('last_seen_at')
      .execute();
  },
};
