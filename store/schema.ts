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
  /** The effect ledger (activities/send-once.ts): one row per effect that must happen once. */
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
