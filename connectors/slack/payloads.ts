import { z } from 'zod';
import { epochSeconds } from '../inbound-parsing.js';

/**
 * Slack Events API and slash-command bodies, as documented on docs.slack.dev (events/*,
 * interactivity/implementing-slash-commands) and in sandbox/specs/slack. Only what townhall
 * reads is declared; everything else passes through (looseObject), as Slack adds fields freely.
 */

/** A message timestamp: seconds, a dot, microseconds ("1355517523.000005"). Unique per channel. */
export const slackTs = z
  .string()
  .regex(/^\d{1,12}\.\d{1,9}$/, 'expected a Slack ts like 1355517523.000005');

/** The Slack user object as delivered in team_join and user_change (only what townhall reads). */
export const slackUser = z.looseObject({
  id: z.string().min(1),
  team_id: z.string().optional(),
  name: z.string().optional(),
  real_name: z.string().optional(),
  /** IANA zone, e.g. Europe/London; read as unknown when malformed. */
  tz: z.string().optional().catch(undefined),
  is_bot: z.boolean().optional(),
  /** Whether the member confirmed the profile's email; read as unknown when malformed. */
  is_email_confirmed: z.boolean().optional().catch(undefined),
  /** A deactivated account: how a member leaving the workspace shows up (user_change). */
  deleted: z.boolean().optional(),
  /**
   * Workspace admin, owner and primary owner. Optional and read as unknown when malformed: a
   * strange flag must not cost the member event it rides on.
   */
  is_admin: z.boolean().optional().catch(undefined),
  is_owner: z.boolean().optional().catch(undefined),
  is_primary_owner: z.boolean().optional().catch(undefined),
  profile: z
    .looseObject({
      email: z.string().optional(),
      real_name: z.string().optional(),
      display_name: z.string().optional(),
    })
    .optional(),
});
export type SlackUser = z.infer<typeof slackUser>;

export const urlVerification = z.looseObject({
  type: z.literal('url_verification'),
  challenge: z.string().min(1),
});

/** The Events API outer envelope (see sandbox/specs/slack/event-wrapper.schema.json). */
export const eventCallback = z.looseObject({
  type: z.literal('event_callback'),
  team_id: z.string().min(1),
  api_app_id: z.string().optional(),
  event_id: z.string().min(1),
  event_time: epochSeconds,
  event: z.looseObject({ type: z.string().min(1) }),
});
export type EventCallback = z.infer<typeof eventCallback>;

export const slackEnvelope = z.discriminatedUnion('type', [urlVerification, eventCallback]);

export const teamJoinEvent = z.looseObject({ type: z.literal('team_join'), user: slackUser });
export const userChangeEvent = z.looseObject({ type: z.literal('user_change'), user: slackUser });

/**
 * What decides whether a `message` event is a person's message at all, read before anything
 * else: edits, deletions, joins and bot posts have other shapes (message_changed has no `user`).
 */
export const messageKind = z.looseObject({
  type: z.enum(['message', 'app_mention']),
  subtype: z.string().optional(),
  bot_id: z.string().nullish(),
  hidden: z.boolean().optional(),
});

/** A person's message: `message` (channels, threads, DMs) and `app_mention` share this shape. */
export const postedMessage = z.looseObject({
  type: z.enum(['message', 'app_mention']),
  subtype: z.string().optional(),
  channel: z.string().min(1),
  user: z.string().min(1),
  /** Empty for a file shared without a comment; never absent on a person's message. */
  text: z.string(),
  ts: slackTs,
  /** The thread root's ts; equal to `ts` on the root itself. */
  thread_ts: slackTs.optional(),
  /** The author's workspace (differs from the envelope's in Slack Connect channels). */
  user_team: z.string().optional(),
  team: z.string().optional(),
  bot_id: z.string().nullish(),
});
export type PostedMessage = z.infer<typeof postedMessage>;

export const reactionAddedEvent = z.looseObject({
  type: z.literal('reaction_added'),
  user: z.string().min(1),
  reaction: z.string().min(1),
  item_user: z.string().optional(),
  /** A message (channel + ts) or a file / file comment, which townhall does not track. */
  item: z.looseObject({
    type: z.string().min(1),
    channel: z.string().min(1).optional(),
    ts: slackTs.optional(),
  }),
  event_ts: z.string().min(1),
});

/**
 * A slash command: an application/x-www-form-urlencoded POST (docs.slack.dev,
 * interactivity/implementing-slash-commands). `token` (the deprecated verification token) is not
 * read: the v0 signature is what proves the sender.
 */
export const slashCommand = z.looseObject({
  team_id: z.string().min(1),
  team_domain: z.string().optional(),
  enterprise_id: z.string().optional(),
  channel_id: z.string().min(1),
  channel_name: z.string().optional(),
  user_id: z.string().min(1),
  user_name: z.string().optional(),
  command: z.string().regex(/^\/[^\s/]+$/, 'expected a command such as /ticket'),
  text: z.string(),
  api_app_id: z.string().optional(),
  response_url: z.url().optional(),
  trigger_id: z.string().min(1),
});
export type SlashCommand = z.infer<typeof slashCommand>;
