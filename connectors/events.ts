import { z } from 'zod';

/**
 * The community platform an event came from: the id of its connector (connectors/index.ts), so a
 * new platform needs no change here.
 */
export const platform = z.string().regex(/^[a-z][a-z0-9-]*$/, 'expected a connector id');
export type Platform = z.infer<typeof platform>;

const member = z.object({
  /** The platform's own user id (Slack U…, Discord snowflake, Discourse user id). */
  userId: z.string().min(1),
  /** Workspace, guild or site the user belongs to. */
  communityId: z.string().min(1),
  email: z.email().optional(),
  /**
   * Whether the platform says the member confirmed `email`: true or false where it says so, absent
   * where it does not. An unconfirmed address is anyone's to type: someone else's inbox.
   */
  emailVerified: z.boolean().optional(),
  name: z.string().optional(),
  handle: z.string().optional(),
  /**
   * Roles or groups the platform says the member has, as it names them (Discord role ids,
   * Discourse groups, Slack's admin/owner): `members.staff.roles` matches them.
   */
  roles: z.array(z.string().min(1)).optional(),
  /** IANA time zone from the profile, where the platform gives one: send windows use it. */
  timezone: z.string().min(1).optional(),
});

/** Where a message lives: channel (or Discourse topic category), thread (or topic), message. */
const location = {
  channelId: z.string().min(1),
  /** Thread root (Slack thread_ts, Discord thread channel, Discourse topic id); absent at top level. */
  threadId: z.string().min(1).optional(),
  messageId: z.string().min(1),
  url: z.url().optional(),
};

const base = {
  /** Globally unique id of the delivery's source event, e.g. `slack:Ev0123`. Duplicates share it. */
  eventId: z.string().min(1),
  platform,
  occurredAt: z.iso.datetime(),
};

/** The normalized event every inbound connector produces; the router only sees these. */
export const communityEvent = z.discriminatedUnion('type', [
  z.object({ ...base, type: z.literal('member.joined'), member }),
  z.object({ ...base, type: z.literal('member.left'), member }),
  z.object({ ...base, type: z.literal('member.updated'), member }),
  z.object({
    ...base,
    type: z.literal('message.posted'),
    member,
    ...location,
    text: z.string(),
    /** The message opens a thread: a top-level post, a forum post's first message, a new topic. */
    startsThread: z.boolean().optional(),
  }),
  z.object({
    ...base,
    type: z.literal('reaction.added'),
    member,
    ...location,
    emoji: z.string().min(1),
  }),
  z.object({
    ...base,
    type: z.literal('command.invoked'),
    member,
    /** The command without its slash, e.g. `ticket`. */
    command: z.string().min(1),
    text: z.string(),
    channelId: z.string().min(1),
    threadId: z.string().min(1).optional(),
  }),
]);

export type CommunityEvent = z.infer<typeof communityEvent>;
export type CommunityEventType = CommunityEvent['type'];
export type CommunityMember = z.infer<typeof member>;

/** Every normalized event type, for config fields that name one. */
export const COMMUNITY_EVENT_TYPES = communityEvent.options.map(
  (option) => option.shape.type.value,
) as [CommunityEventType, ...CommunityEventType[]];
