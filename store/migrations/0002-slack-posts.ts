import type { Kysely, Migration } from 'kysely';
import { sql } from 'kysely';

/**
 * The Slack post ledger (connectors/slack/dedup.ts): one row per dedup key, written when an
 * attempt to post begins (ts null) and completed with the message's ts once Slack confirms it.
 */
export const slackPosts: Migration = {
  async up(db: Kysely<unknown>) {
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
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('slack_posts').execute();
  },
};
