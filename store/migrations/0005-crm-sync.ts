import type { Kysely, Migration } from 'kysely';
import { sql } from 'kysely';

/**
 * CRM sync state: per CRM, the watermark the incremental sync has written up to (changed_at,
 * member id: a total order over member_stats), its last run, and the members a CRM refused for
 * good, with the reason, for `townhall sync status`. And the request budget of each vendor account.
 */
export const crmSync: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('sync_state')
      .addColumn('crm', 'text', (c) => c.primaryKey())
      .addColumn('watermark_at', 'timestamptz')
      .addColumn('watermark_member', 'uuid')
      .addColumn('last_run_at', 'timestamptz')
      .addColumn('last_run_written', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('last_run_failed', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .execute();
    await db.schema
      .createTable('sync_failures')
      .addColumn('crm', 'text', (c) => c.notNull())
      .addColumn('member_id', 'uuid', (c) =>
        c.notNull().references('members.id').onDelete('cascade'),
      )
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('failed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .addPrimaryKeyConstraint('sync_failures_pkey', ['crm', 'member_id'])
      .execute();
    // The next free request slot per vendor account (epoch ms): store/rate-budget.ts.
    await db.schema
      .createTable('rate_budgets')
      .addColumn('account', 'text', (c) => c.primaryKey())
      .addColumn('next_at', 'double precision', (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('rate_budgets').execute();
    await db.schema.dropTable('sync_failures').execute();
    await db.schema.dropTable('sync_state').execute();
  },
};
