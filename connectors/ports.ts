/**
 * The capabilities workflows and activities ask for, never a vendor. A connector descriptor says
 * which of these it provides; the config says which connector serves a capability where several
 * could (`providers: { crm: hubspot }`).
 *
 * Every effect that must happen once carries `dedupKey` (workflow id + step path, the same on
 * every attempt). The activity layer's ledger (activities/send-once.ts) answers repeats of a
 * confirmed effect itself; `earlierAttemptSince` tells the vendor side that an attempt began at
 * that time and never confirmed (a crash, a lost answer), so it must look for that attempt's
 * result before acting again.
 */
import type { TicketStatus } from './business-events.js';

/** What the ledger knows about earlier attempts at one effect. */
export interface EffectAttempt {
  dedupKey: string;
  /** Set when an earlier attempt began then and never confirmed: it may or may not have acted. */
  earlierAttemptSince?: Date | undefined;
  /**
   * Called right before the point of no return, where the effect supports one (SMTP: before
   * the final dot). Rejects when a newer attempt took the effect over: then abort, do not act.
   */
  commit?: (() => Promise<void>) | undefined;
}

/** A message a platform holds: its id, and whether this call made it. */
export interface PostReceipt {
  messageId: string;
  /** False when an earlier attempt had made it; undefined when the platform cannot tell. */
  created?: boolean | undefined;
  /** The thread id a reply to this post takes (ThreadPoster), where it is not the messageId. */
  threadId?: string | undefined;
}

/** Who to message, as the member's platform identity knows them. */
export interface DirectMessageTarget {
  /** The platform's user id (Slack U…, Discord snowflake, Discourse numeric id). */
  userId: string;
  /** Username, where the platform addresses people by name (Discourse). */
  handle?: string | undefined;
}

/**
 * A platform whose posts are markup (Slack mrkdwn, Discord and Discourse Markdown). Member text
 * inside a post is the member's: `escape` makes a value inert there (no mentions, no links, no
 * formatting) before a template inserts it.
 */
export interface ChatMarkup {
  escape: (value: string) => string;
}

/** A platform that can send a member a private message. */
export interface DirectMessenger extends ChatMarkup {
  sendDirectMessage(
    input: EffectAttempt & {
      to: DirectMessageTarget;
      text: string;
      /** A title, for platforms whose private messages have one (Discourse). */
      subject: string;
    },
  ): Promise<PostReceipt>;
}

/** A platform that can reply in a thread (a Slack thread, a Discord thread, a Discourse topic). */
export interface ThreadPoster extends ChatMarkup {
  replyInThread(
    input: EffectAttempt & {
      /** The channel holding the thread (Slack, Discord); a Discourse topic needs only threadId. */
      channelId: string;
      /** Slack thread_ts, Discord thread channel id, Discourse topic id. */
      threadId: string;
      text: string;
    },
  ): Promise<PostReceipt>;
}

/** One message of a thread as the platform holds it, oldest first in a transcript. */
export interface ThreadMessage {
  messageId: string;
  /** The platform's user id of the author. */
  authorId: string;
  authorName?: string | undefined;
  text: string;
  postedAt: string;
  /** Posted by a bot or app (townhall's own acknowledgements among them). */
  bot?: boolean | undefined;
}

/**
 * A platform that can read a thread back and link to it: the transcript and permalink a ticket
 * starts from. A thread is where ThreadPoster replies: Slack channel + root ts, a Discord thread
 * channel (or a message a thread can start from), a Discourse topic.
 */
export interface ThreadReader {
  /** The thread's messages, oldest first, at most `limit` (the newest kept when cut). */
  readThread(input: {
    channelId: string;
    threadId: string;
    limit: number;
  }): Promise<ThreadMessage[]>;
  /** A link to the thread from the platform's API, where it has one. */
  permalink(input: { channelId: string; threadId: string }): Promise<string | undefined>;
}

/** A platform where the bot can react to a message (✅ on a thread whose ticket is solved). */
export interface Reactor {
  /** Adds the bot's reaction; one already there is no error. `emoji` as the config names it. */
  addReaction(input: { channelId: string; messageId: string; emoji: string }): Promise<void>;
}

/**
 * A platform that can post in a channel: the community team's, for `notify` steps ("Ada went
 * quiet after 40 posts").
 */
export interface ChannelPoster extends ChatMarkup {
  postToChannel(input: EffectAttempt & { channelId: string; text: string }): Promise<PostReceipt>;
}

/**
 * The community properties every CRM gets, by townhall's names; each CRM adapter maps them to its
 * own field names (HubSpot contact properties as named, Salesforce custom fields
 * `Townhall_Member_Id__c`, `Community_Platforms__c` ...). Reports can rely on them.
 */
export const COMMUNITY_PROPERTIES = [
  'townhall_member_id',
  'community_platforms',
  'community_first_seen',
  'community_last_active',
  'community_activity_30d',
  'community_engagement_level',
  'community_milestones',
] as const;
export type CommunityProperty = (typeof COMMUNITY_PROPERTIES)[number];

/**
 * A person in the CRM: a member, keyed by townhall's member id (the record's external id) and
 * by email where the member has one. Properties go by townhall's names (COMMUNITY_PROPERTIES and
 * the ops-configured extras, e.g. lifecyclestage).
 */
export interface CrmPerson {
  /** townhall's member id; absent only for a person townhall knows by email alone. */
  memberId?: string | undefined;
  email?: string | undefined;
  /** The member's name, which the CRM keeps in its own fields (first and last name). */
  name?: string | undefined;
  properties: Record<string, string>;
}

/** Which person a result is about: the member id when the input had one, else the email. */
export const personKey = (person: Pick<CrmPerson, 'memberId' | 'email'>): string =>
  person.memberId ?? person.email ?? '';

export interface CrmUpsertResult {
  /** `key` is personKey() of the input. */
  upserted: { key: string; personId: string; created: boolean }[];
  /**
   * Records the CRM did not write. `retryable` false: refused for good (a bad address, an
   * unknown field); true: worth another try (a lock, a timeout on that record).
   */
  failed: { key: string; reason: string; retryable: boolean }[];
}

/** A CRM: people (contacts, leads) with townhall's community properties. */
export interface Crm {
  /**
   * Makes sure the custom properties townhall writes exist, or that they were created by an
   * admin (Salesforce): a read once they do; a missing one is a ConnectorError naming it.
   */
  ensureProperties(): Promise<void>;
  /** Creates or updates one person (by member id, else email): safe to repeat. */
  upsertPerson(person: CrmPerson): Promise<{ personId: string; created: boolean }>;
  /** Upserts at most `batchLimit` people in one call; partial failures are reported, not thrown. */
  upsertPeople(people: readonly CrmPerson[]): Promise<CrmUpsertResult>;
  /** The largest batch upsertPeople takes (HubSpot 100, Salesforce 200). */
  readonly batchLimit: number;
  /**
   * For many people at once, where the CRM has a bulk API (Salesforce Bulk API 2.0): one job,
   * polled to its end. Above `bulkThreshold` people a backfill uses it instead of batches.
   */
  bulkUpsert?(people: readonly CrmPerson[]): Promise<CrmUpsertResult>;
  readonly bulkThreshold?: number | undefined;
  /** People by email, with the properties asked for; emails the CRM does not know are missing. */
  readPeople(
    emails: readonly string[],
    properties: readonly string[],
  ): Promise<{
    found: { personId: string; email: string; properties: Record<string, string | null> }[];
    missing: string[];
  }>;
  /** Erases the person for good (GDPR); a person already gone is `deleted: false`, no error. */
  deletePerson(email: string): Promise<{ deleted: boolean }>;
}

export interface TicketRequester {
  email?: string | undefined;
  name: string;
  /** townhall's member id, where the help desk keeps an external id for people. */
  externalId?: string | undefined;
}

export interface CreatedTicket {
  ticketId: string;
  /** What agents see, e.g. Intercom's ticket number; the id where the desk has no other. */
  number: string;
  /** Where the requester can follow the ticket, where the desk has a public page for it. */
  url?: string | undefined;
  /** Whether this call made it; false when an earlier attempt with the same externalId had. */
  created: boolean;
}

/** A help desk: tickets with an external id that makes their creation idempotent. */
export interface HelpDesk {
  /** One live ticket per externalId, however often this is retried. */
  createTicket(input: {
    externalId: string;
    requester: TicketRequester;
    subject: string;
    /** The first message (the thread's transcript), plain text. */
    body: string;
    tags?: string[] | undefined;
  }): Promise<CreatedTicket>;
  /**
   * A public reply (the requester sees it) or an internal note. `author: 'requester'` adds it as
   * the requester's own message (what they wrote in the community thread), always public.
   */
  addComment(input: {
    ticketId: string;
    body: string;
    public: boolean;
    author?: 'agent' | 'requester' | undefined;
  }): Promise<{ commentId: string }>;
  /** Opens a solved ticket again; a ticket already open stays as it is. Safe to repeat. */
  reopenTicket(ticketId: string): Promise<void>;
  /** The ticket's status in townhall's vocabulary, or undefined when there is no such ticket. */
  readStatus(ticketId: string): Promise<{ status: TicketStatus; vendorStatus: string } | undefined>;
  /** Erases the requester with this email and what the desk holds of them; none is no error. */
  deleteRequester(email: string): Promise<{ deleted: boolean }>;
}

export interface OutgoingEmail {
  from: string;
  to: string;
  subject: string;
  text: string;
  html?: string | undefined;
  /** Stable per intent, so receivers (and the sandbox) can tell a resend from a new message. */
  idempotencyKey: string;
  /** Extra headers, e.g. List-Unsubscribe. Values must not contain CR or LF. */
  headers?: Record<string, string> | undefined;
  /** Awaited once the whole message is with the server, before the final dot commits it. */
  commit?: (() => Promise<void>) | undefined;
}

/** Who townhall's mail comes from and how it is composed, whichever service carries it. */
export interface MailSender {
  /** e.g. "Townhall <hello@example.com>" */
  from: string;
  /** Folder of `<name>.txt.liquid` (and optional `<name>.html.liquid`) templates. */
  templatesDir: string;
  /** Signs the per-member one-click unsubscribe links; `mailto` is for RFC 2369 mail clients. */
  unsubscribe: { secret: string; mailto: string };
}

/** Sends email. SMTP has no idempotency of its own: callers guard each send with the ledger. */
export interface Mailer {
  readonly sender: MailSender;
  send(email: OutgoingEmail): Promise<{ messageId: string }>;
  close(): void;
}

/** The capabilities by name, as descriptors provide them and the config chooses them. */
export interface Capabilities {
  messenger: DirectMessenger;
  threadPoster: ThreadPoster;
  channelPoster: ChannelPoster;
  threadReader: ThreadReader;
  reactor: Reactor;
  crm: Crm;
  helpdesk: HelpDesk;
  mailer: Mailer;
}
export type CapabilityName = keyof Capabilities;

/**
 * Capabilities one configured connector serves for everyone (`providers:` chooses when several
 * could). The others are per platform: a DM or a thread reply goes out on the member's own.
 */
export const SHARED_CAPABILITIES = [
  'crm',
  'helpdesk',
  'mailer',
] as const satisfies readonly CapabilityName[];
export type SharedCapability = (typeof SHARED_CAPABILITIES)[number];

/** How each capability is named to people, in errors and summaries. */
export const CAPABILITY_LABELS: Record<CapabilityName, string> = {
  messenger: 'direct messages',
  threadPoster: 'thread replies',
  channelPoster: 'channel posts',
  threadReader: 'reading threads',
  reactor: 'reactions',
  crm: 'a CRM',
  helpdesk: 'a help desk',
  mailer: 'email',
};
