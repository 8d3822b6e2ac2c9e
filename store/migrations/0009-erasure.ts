import type { Kysely, Migration } from 'kysely';
import { sql } from 'kysely';

/**
 * Erasure ("delete me"): what survives a member's erasure, and nothing more.
 * - erasures: one per member erased, keyed by the erasure workflow's id. The audit record:
 *   keyed hashes of the member's identifiers, who asked, when, and each system's outcome. The
 *   member id is kept only while the erasure runs (the runs and the store need it), then cleared.
 * - suppressions: keyed hashes of erased addresses, so a re-join is not mailed unless they opt in.
 * - privacy_key: the key those hashes use when TOWNHALL_PRIVACY_KEY is not set (one row).
 */
export const erasure: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('erasures')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('member_id', 'uuid')
      .addColumn('member_hash', 'text', (c) => c.notNull())
      .addColumn('email_hashes', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
      .addColumn('requested_by', 'text', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('reason', 'text')
      .addColumn('requested_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .addColumn('completed_at', 'timestamptz')
      .addColumn('outcomes', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
      .addColumn('not_erasable', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
      .execute();
    await db.schema
      .createIndex('erasures_member_hash')
      .on('erasures')
      .column('member_hash')
      .execute();
    await db.schema
      .createTable('suppressions')
      .addColumn('email_hash', 'text', (c) => c.primaryKey())
      .addColumn('erasure_id', 'text', (c) => c.notNull())
      .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .execute();
    await db.schema
      .createTable('privacy_key')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('key', 'text', (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('privacy_key').execute();
    await db.schema.dropTable('suppressions').execute();
    await db.schema.dropTable('erasures').execute();
  },
};
