import type { ColumnType, Generated } from 'kysely';

type CreatedAt = ColumnType<Date, never, never>;

/** The hub's own tables (see store/migrations/). */
export interface Database {
  members: {
    id: Generated<string>;
    email: string | null;
    name: string | null;
    created_at: CreatedAt;
    updated_at: ColumnType<Date, never, Date>;
  };
  identities: {
    platform: string;
    community_id: string;
    platform_user_id: string;
    member_id: string;
    email: string | null;
    handle: string | null;
    created_at: CreatedAt;
  };
  received_events: {
    event_id: string;
    platform: string;
    type: string;
    payload: ColumnType<unknown, string, string>;
    received_at: CreatedAt;
    processed_at: Date | null;
  };
  consent: {
    member_id: string;
    channel: string;
    status: 'opted_in' | 'opted_out';
    source: string;
    updated_at: ColumnType<Date, never, Date>;
  };
  /** Slack posts by dedup key (connectors/slack/dedup.ts); ts is null until Slack confirms. */
  slack_posts: {
    dedup_key: string;
    channel: string;
    thread_ts: string | null;
    ts: string | null;
    attempts: Generated<number>;
    created_at: CreatedAt;
    posted_at: Date | null;
  };
  deliveries: {
    idempotency_key: string;
    channel: string;
    status: 'sending' | 'sent' | 'failed' | 'unconfirmed';
    attempts: Generated<number>;
    detail: string | null;
    created_at: CreatedAt;
    updated_at: ColumnType<Date, never, Date>;
  };
}
