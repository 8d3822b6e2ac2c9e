import { z } from 'zod';
import { ConnectorError } from '../errors.js';
import type { DiscordMessage } from './client.js';
import { snowflake } from './payloads.js';

/** The shapes of the REST answers townhall reads: only the fields it uses, loosely. */

export const messageSchema = z.looseObject({
  id: snowflake,
  channel_id: snowflake,
  type: z.number().int().optional(),
  author: z.looseObject({
    id: snowflake,
    username: z.string(),
    global_name: z.string().nullish(),
    bot: z.boolean().optional(),
  }),
  content: z.string(),
  timestamp: z.string(),
  message_reference: z.looseObject({ message_id: snowflake.optional() }).nullish(),
});
export const channelSchema = z.looseObject({ id: snowflake });
export const threadChannelSchema = z.looseObject({
  id: snowflake,
  type: z.number().int(),
  parent_id: snowflake.nullish(),
});
export const memberSchema = z.looseObject({
  user: z.looseObject({
    id: snowflake,
    username: z.string(),
    global_name: z.string().nullish(),
    bot: z.boolean().optional(),
  }),
  nick: z.string().nullish(),
  roles: z.array(snowflake),
  joined_at: z.string().nullish(),
});

/** A 2xx whose body is not what Discord documents: an API change or a proxy answered. */
export function read<T>(schema: z.ZodType<T>, json: unknown, action: string): T {
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  throw new ConnectorError('unavailable', `Discord ${action}: unexpected answer`, {
    vendor: 'discord',
  });
}

export const toMessage = (message: z.infer<typeof messageSchema>): DiscordMessage => ({
  id: message.id,
  channelId: message.channel_id,
  authorId: message.author.id,
  authorUsername: message.author.username,
  authorGlobalName: message.author.global_name ?? null,
  authorIsBot: message.author.bot ?? false,
  content: message.content,
  timestamp: message.timestamp,
  replyTo: message.message_reference?.message_id ?? null,
  // Absent only from answers that predate message types; those were all plain messages.
  type: message.type ?? 0,
});
