import { z } from 'zod';

/**
 * The Discord payloads townhall reads, from the Gateway events and Interactions references.
 * Only the fields used are declared; everything else passes through (looseObject), as Discord
 * adds fields freely.
 */

export const snowflake = z.string().regex(/^\d{1,20}$/, 'expected a snowflake (digits)');

/** User object. `bot` marks bot users (townhall's own included), `system` Discord's own. */
export const discordUser = z.looseObject({
  id: snowflake,
  username: z.string().min(1),
  global_name: z.string().nullish(),
  bot: z.boolean().optional(),
  system: z.boolean().optional(),
});

/**
 * Guild member object; `user` is absent where the member rides along with a user. `roles` (role
 * ids, @everyone not among them) rides along and is optional: a malformed list reads as unknown
 * rather than losing the event it came with.
 */
export const guildMember = z.looseObject({
  user: discordUser.optional(),
  nick: z.string().nullish(),
  roles: z.array(snowflake).optional().catch(undefined),
  joined_at: z.string().nullish(),
});

/** ISO 8601 with an offset and microseconds, e.g. 2026-11-24T12:00:00.123000+00:00. */
const timestamp = z.iso.datetime({ offset: true });

/** GUILD_MEMBER_ADD: a guild member with the extra `guild_id`. */
export const memberAddData = guildMember.extend({
  guild_id: snowflake,
  user: discordUser,
  joined_at: timestamp,
});

/** GUILD_MEMBER_REMOVE: only the guild and the user. */
export const memberRemoveData = z.looseObject({ guild_id: snowflake, user: discordUser });

/** MESSAGE_CREATE: a message object with the extra `guild_id`, `member`, `channel_type`. */
export const messageCreateData = z.looseObject({
  id: snowflake,
  channel_id: snowflake,
  guild_id: snowflake.optional(),
  author: discordUser,
  member: guildMember.optional(),
  content: z.string(),
  timestamp,
  type: z.number().int(),
  webhook_id: snowflake.optional(),
  channel_type: z.number().int().optional(),
});

/** Partial emoji: `id` null for Unicode emoji, whose `name` is the emoji itself. */
export const partialEmoji = z.looseObject({
  id: snowflake.nullable(),
  name: z.string().nullable(),
});

/** MESSAGE_REACTION_ADD. */
export const reactionAddData = z.looseObject({
  user_id: snowflake,
  channel_id: snowflake,
  message_id: snowflake,
  guild_id: snowflake.optional(),
  member: guildMember.optional(),
  emoji: partialEmoji,
});

/** Message types that are people talking: DEFAULT and REPLY. The rest are system notices. */
export const MESSAGE_TYPE = { default: 0, reply: 19 } as const;

/** Channel types that are threads: announcement, public and private threads. */
export const THREAD_CHANNEL_TYPES: ReadonlySet<number> = new Set([10, 11, 12]);

export interface CommandOption {
  name: string;
  type: number;
  value?: string | number | boolean | undefined;
  options?: CommandOption[] | undefined;
}

/** Application command option; sub-commands and groups nest further options. */
export const commandOption: z.ZodType<CommandOption> = z.lazy(() =>
  z.looseObject({
    name: z.string(),
    type: z.number().int(),
    value: z.union([z.string(), z.number(), z.boolean()]).optional(),
    options: z.array(commandOption).optional(),
  }),
);

/** Interaction types. */
export const INTERACTION_TYPE = {
  ping: 1,
  applicationCommand: 2,
  messageComponent: 3,
  autocomplete: 4,
  modalSubmit: 5,
} as const;

/** Interaction callback types townhall answers with. */
export const CALLBACK_TYPE = { pong: 1, channelMessage: 4, autocompleteResult: 8 } as const;

/** Message flag that shows a message only to the invoking user. */
export const EPHEMERAL = 1 << 6;

/** Any interaction: what every type shares. */
export const interactionEnvelope = z.looseObject({
  id: snowflake,
  application_id: snowflake,
  type: z.number().int(),
  token: z.string().min(1),
  version: z.number().int().optional(),
});

/** APPLICATION_COMMAND (type 2) as sent for a chat input (slash) command. */
export const commandInteraction = interactionEnvelope.extend({
  data: z.looseObject({
    id: snowflake,
    name: z.string().min(1),
    type: z.number().int().optional(),
    options: z.array(commandOption).optional(),
  }),
  guild_id: snowflake.optional(),
  channel_id: snowflake.optional(),
  /** Partial channel: `type` and, for threads, `parent_id`. */
  channel: z
    .looseObject({
      id: snowflake,
      type: z.number().int(),
      parent_id: snowflake.nullish(),
    })
    .optional(),
  /** Present when invoked in a guild (with `user` inside); `user` alone in DMs. */
  member: guildMember.extend({ user: discordUser }).optional(),
  user: discordUser.optional(),
});
export type CommandInteraction = z.infer<typeof commandInteraction>;
