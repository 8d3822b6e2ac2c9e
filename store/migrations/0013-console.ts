import type { Kysely, Migration } from 'kysely';
import { sql } from 'kysely';

/**
 * What the console shows that nothing kept before: each member's engagement level changes (the
 * single member view's level history), and each connector's health as the workers saw their
 * vendor calls go (last success, last error and its code, rate-limited until).
 */
export const consoleTables: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('level_changes')
      .addColumn('member_id', 'uuid', (c) =>
        c.notNull().references('members.id').onDelete('cascade'),
      )
      .addColumn('level', 'text')
      .addColumn('at', 'timestamptz', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('level_changes_member')
      .on('level_changes')
      .columns(['member_id', 'at'])
      .execute();
    // Levels reached before this table existed: their start is known, so history begins there.
    await sql`insert into level_changes (member_id, level, at)
      select member_id, level, level_since from member_stats
      where level is not null and level_since is not null`.execute(db);
    await db.schema
      .createTable('connector_health')
      .addColumn('connector', 'text', (c) => c.primaryKey())
      .addColumn('last_success_at', 'timestamptz')
      .addColumn('last_error_at', 'timestamptz')
      .addColumn('last_error_code', 'text')
      .addColumn('rate_limited_until', 'timestamptz')
      .addColumn('calls', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('errors', 'bigint', (c) => c.notNull().defaultTo(0))
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('connector_health').execute();
    await db.schema.dropTable('level_changes').execute();
  },
};
