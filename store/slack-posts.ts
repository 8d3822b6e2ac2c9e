import { sql } from 'kysely';
import type { SlackPostLedger } from '../connectors/slack/dedup.js';
import type { Db } from './db.js';

/** The Slack post ledger over the slack_posts table (see connectors/slack/dedup.ts). */
export function createSlackPostLedger(db: Db): SlackPostLedger {
  return {
    async claim(dedupKey, target) {
      const inserted = await db
        .insertInto('slack_posts')
        .values({
          dedup_key: dedupKey,
          channel: target.channel,
          thread_ts: target.threadTs ?? null,
        })
        .onConflict((oc) => oc.column('dedup_key').doNothing())
        .returning('dedup_key')
        .executeTakeFirst();
      if (inserted) return { kind: 'new' };
      const row = await db
        .updateTable('slack_posts')
        .set({ attempts: sql`attempts + 1` })
        .where('dedup_key', '=', dedupKey)
        .returning(['channel', 'ts', 'created_at'])
        .executeTakeFirstOrThrow();
      return row.ts !== null
        ? { kind: 'posted', channel: row.channel, ts: row.ts }
        : { kind: 'unknown', since: row.created_at };
    },

    async posted(dedupKey, post) {
      await db
        .updateTable('slack_posts')
        .set({ channel: post.channel, ts: post.ts, posted_at: new Date() })
        .where('dedup_key', '=', dedupKey)
        .execute();
    },

    async release(dedupKey) {
      await db
        .deleteFrom('slack_posts')
        .where('dedup_key', '=', dedupKey)
        .where('ts', 'is', null)
        .execute();
    },
  };
}
