import type { ColumnType, Generated } from 'kysely';

type CreatedAt = ColumnType<Date, never, never>;

/** What one system (a CRM, a help desk, the store, the runs) did with an erasure. */
export interface ErasureOutcome {
  status: 'done' | 'pending' | 'failed';
  /** What it did or why not, without personal data. */
  detail: string;
  at: string;
}

/** The hub's own tables (see store/migrations/). */
export interface Database {
  members: {
    id: Generated<string>;
    email: string | null;
    name: string | null;
    created_at: CreatedAt;
    updated_at: ColumnType<Date, never, Date>;
    /** Set when an operator merged this member into another; a member view follows it. */
    merged_into: string | null;
  };
  identities: {
    platform: string;
    community_id: string;
    platform_user_id: string;
    member_id: string;
    email: string | null;
    handle: string | null;
    created_at: CreatedAt;
    /** Staff (config `members.staff`): their activity is recorded but left out of roll-ups. */
    staff: Generated<boolean>;
    display_name: string | null;
    last_seen_at: Date | null;
    /** IANA zone from the platform profile, where it gives one (Slack's tz). */
    timezone: string | null;
    /** Whether the platform says `email` is confirmed; null where it does not say. */
    email_verified: boolean | null;
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
    status: 'sending' | 'committing' | 'sent' | 'failed' | 'unconfirmed';
    attempts: Generated<number>;
    detail: string | null;
    created_at: CreatedAt;
    updated_at: ColumnType<Date, never, Date>;
  };
  /** Threads the support handoff serves, with their ticket once made (store/handoff.ts). */
  handoff_threads: {
    workflow_id: string;
    platform: string;
    helpdesk: string;
    ticket_id: string | null;
    requester_member_id: string | null;
    created_at: Date;
  };
  /** The activity ledger: one row per source event, pointing at the identity that acted. */
  activity: {
    event_id: string;
    platform: string;
    community_id: string;
    platform_user_id: string;
    type: string;
    channel_id: string | null;
    occurred_at: Date;
    received_at: CreatedAt;
  };
  /** Roll-ups over a member's identities, kept current at ingest (store/activity.ts). */
  member_stats: {
    member_id: string;
    first_seen_at: Date | null;
    last_active_at: Date | null;
    total: Generated<number>;
    by_type: ColumnType<Record<string, number>, string | undefined, string>;
    by_platform: ColumnType<Record<string, number>, string | undefined, string>;
    level: string | null;
    level_since: Date | null;
    below_since: Date | null;
    changed_at: Generated<Date>;
  };
  milestones: {
    member_id: string;
    name: string;
    reached_at: Date;
    event_id: string;
  };
  /** Each change of a member's engagement level (null: the member lost their level). */
  level_changes: {
    member_id: string;
    level: string | null;
    at: Date;
  };
  /** Each connector's vendor calls as the workers saw them (runtime/connector-health.ts). */
  connector_health: {
    connector: string;
    last_success_at: Date | null;
    last_error_at: Date | null;
    last_error_code: string | null;
    rate_limited_until: Date | null;
    calls: Generated<string>;
    errors: Generated<string>;
  };
  crm_links: {
    member_id: string;
    crm: string;
    person_id: string;
    synced_at: Generated<Date>;
  };
  merges: {
    id: Generated<string>;
    kept_member_id: string;
    merged_member_id: string;
    backup: ColumnType<unknown, string, string>;
    reason: string;
    actor: string;
    created_at: CreatedAt;
    undone_at: Date | null;
    undone_by: string | null;
  };
  audit: {
    id: Generated<string>;
    action: string;
    actor: string;
    reason: string | null;
    subject: ColumnType<unknown, string, string>;
    at: CreatedAt;
  };
  sync_state: {
    crm: string;
    watermark_at: Date | null;
    watermark_member: string | null;
    last_run_at: Date | null;
    last_run_written: Generated<number>;
    last_run_failed: Generated<number>;
    updated_at: Generated<Date>;
  };
  sync_failures: {
    crm: string;
    member_id: string;
    reason: string;
    failed_at: Generated<Date>;
  };
  rate_budgets: {
    account: string;
    next_at: number;
  };
  journey_runs: {
    workflow_id: string;
    journey: string;
    member_id: string;
    exit_when: ColumnType<string[], string, string>;
    awaits: ColumnType<string[], string, string>;
    entered_at: Date;
    ended_at: Date | null;
  };
  /** Messages journeys sent or hold a place for, per member and channel: what caps count. */
  send_slots: {
    step_key: string;
    member_id: string;
    channel: string;
    taken_at: Date;
  };
  /** One per member erased (store/erasures.ts): the audit record of an erasure. */
  erasures: {
    id: string;
    /** Only while the erasure runs; cleared when it completes. */
    member_id: string | null;
    member_hash: string;
    email_hashes: ColumnType<string[], string | undefined, string>;
    requested_by: string;
    source: string;
    reason: string | null;
    requested_at: ColumnType<Date, Date | undefined, never>;
    completed_at: Date | null;
    outcomes: ColumnType<Record<string, ErasureOutcome>, string | undefined, string>;
    not_erasable: ColumnType<string[], string | undefined, string>;
  };
  /** Keyed hashes of erased addresses: not mailed again unless they opt in. */
  suppressions: {
    email_hash: string;
    erasure_id: string;
    created_at: CreatedAt;
  };
  privacy_key: { id: number; key: string };
  /** Inbound events the router could not process (store/dead-letters.ts). */
  dead_letters: {
    id: Generated<number>;
    source: string;
    family: 'community' | 'business';
    event_id: string;
    event_type: string;
    /** The normalized event as JSON text; null once erased. */
    event: string | null;
    community_id: string | null;
    user_id: string | null;
    status: 'failing' | 'quarantined' | 'replayed';
    reason: string;
    error_code: string;
    attempts: Generated<number>;
    first_seen: Generated<Date>;
    last_seen: Generated<Date>;
    quarantined_at: Date | null;
    replayed_at: Date | null;
    replay_outcome: string | null;
  };
}
