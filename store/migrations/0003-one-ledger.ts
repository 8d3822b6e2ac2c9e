import type { Kysely, Migration } from 'kysely';
import { sql } from 'kysely';

/**
 * One effect ledger: Slack posts are guarded by `deliveries` like every other effect
 * (activities/send-once.ts), so the separate slack_posts table goes. A post it recorded as begun
 * and never confirmed becomes an unconfirmed delivery, so its retry still searches Slack first.
 */
export const oneLedger: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`
      insert into deliveries (idempotency_key, channel, status, attempts, detail, created_at)
      select dedup_key, 'slack',
             case when ts is null then 'unconfirmed' else 'sent' end,
             attempts,
             case when ts is null then null else channel || ':' || ts end,
             created_at
      from slack_posts
      on conflict (idempotency_key) do nothing`.execute(db);
    // A DM was claimed in both: the activity's row may say failed while the post's fate is unknown.
    await sql`
      update deliveries set status = 'unconfirmed'
      where status in ('sending', 'failed')
        and idempotency_key in (select dedup_key from slack_posts where ts is null)`.execute(db);
    await db.schema.dropTable('slack_posts').execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema
      .createTable('slack_posts')
      .addColumn('dedup_key', 'text', (c) => c.primaryKey())
      .addColumn('channel', 'text', (c) => c.notNull())
      .addColumn('thread_ts', 'text')
      .addColumn('ts', 'text')
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .addColumn('posted_at', 'timestamptz')
      .execute();
  },
};
