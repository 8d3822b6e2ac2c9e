import type { z } from 'zod';
import type { CommunityEvent, CommunityMember } from '../events.js';
import { communityEvent } from '../events.js';
import {
  MESSAGE_TYPE,
  THREAD_CHANNEL_TYPES,
  memberAddData,
  memberRemoveData,
  messageCreateData,
  reactionAddData,
} from './payloads.js';

/** What townhall knows about a channel: threads are channels with a parent. */
export interface ChannelInfo {
  type: number;
  parentId: string | null;
}

/** Everything beyond the payload the mapping needs, so that the mapping stays pure. */
export interface DispatchContext {
  /** The guild townhall serves (connectors.discord.guildId); other guilds are ignored. */
  guildId: string;
  /** The channel cache as it was when the dispatch arrived (threads and their parents). */
  channel: (id: string) => ChannelInfo | undefined;
  /** The gateway session and the dispatch's sequence number within it. */
  sessionId: string;
  sequence: number;
  /** When townhall received the dispatch, for events whose payload carries no time. */
  receivedAt: Date;
}

export type NormalizeResult =
  | { kind: 'event'; event: CommunityEvent }
  | { kind: 'ignored'; reason: string }
  | { kind: 'invalid'; issues: string };

/** The dispatches townhall turns into events; every other one is ignored before queueing. */
export const HANDLED_DISPATCHES: ReadonlySet<string> = new Set([
  'GUILD_MEMBER_ADD',
  'GUILD_MEMBER_REMOVE',
  'MESSAGE_CREATE',
  'MESSAGE_REACTION_ADD',
]);

class Invalid extends Error {}

/** Issue paths and messages only: never the values, which may be names or message text. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.join('.') || '(payload)'}: ${issue.message}`)
    .join('; ');
}

function parseWith<T>(schema: z.ZodType<T>, data: unknown): T {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  throw new Invalid(describeIssues(result.error));
}

export const messageUrl = (guildId: string, channelId: string, messageId: string) =>
  `https://discord.com/channels/${guildId}/${channelId}/${messageId}`;

/** What a guild member object adds to its user: the server nickname and the role ids. */
export interface GuildMemberFields {
  nick?: string | null | undefined;
  roles?: readonly string[] | undefined;
}

/** The member's role ids when the payload lists them (an empty list is "no roles"); else none. */
export const rolesOf = (member: GuildMemberFields | undefined): { roles?: string[] } =>
  member?.roles ? { roles: [...member.roles] } : {};

/**
 * A member as normalized events carry it: nickname, else display name, else nothing; the role
 * ids when a guild member object came with the user (absent means unknown, not "no roles").
 */
export function memberOf(
  guildId: string,
  user: { id: string; username: string; global_name?: string | null | undefined },
  member?: GuildMemberFields,
): CommunityMember {
  const name = member?.nick ?? user.global_name ?? undefined;
  return {
    userId: user.id,
    communityId: guildId,
    ...(name ? { name } : {}),
    handle: user.username,
    ...rolesOf(member),
  };
}

/**
 * A thread is a channel whose parent is the channel people see it in: the event's channelId is
 * the parent and threadId the thread. MESSAGE_CREATE says the channel type itself
 * (`channel_type`); reactions do not, so the channel cache decides. A thread whose parent is not
 * known keeps its own id as the channel.
 */
export function locate(
  channelId: string,
  channelType: number | undefined,
  channel: DispatchContext['channel'],
): { channelId: string; threadId?: string } {
  const known = channel(channelId);
  const type = channelType ?? known?.type;
  if (type === undefined || !THREAD_CHANNEL_TYPES.has(type)) return { channelId };
  return { channelId: known?.parentId ?? channelId, threadId: channelId };
}

const iso = (timestamp: string) => new Date(timestamp).toISOString();

function memberAdd(d: unknown): CommunityEvent | string {
  const member = parseWith(memberAddData, d);
  if (member.user.bot) return 'bots joining are not members';
  return {
    type: 'member.joined',
    // joined_at tells a later re-join apart from a duplicate delivery of this one.
    eventId: `discord:member_add:${member.guild_id}:${member.user.id}:${member.joined_at}`,
    platform: 'discord',
    occurredAt: iso(member.joined_at),
    member: memberOf(member.guild_id, member.user, member),
  };
}

function memberRemove(d: unknown, ctx: DispatchContext): CommunityEvent | string {
  const { guild_id: guildId, user } = parseWith(memberRemoveData, d);
  if (user.bot) return 'bots leaving are not members';
  return {
    type: 'member.left',
    // The payload has no time and no id of its own; the session and sequence number identify
    // this dispatch, and a RESUME replays it with the same ones.
    eventId: `discord:member_remove:${guildId}:${user.id}:${ctx.sessionId}:${ctx.sequence}`,
    platform: 'discord',
    occurredAt: ctx.receivedAt.toISOString(),
    member: memberOf(guildId, user),
  };
}

function messageCreate(d: unknown, ctx: DispatchContext): CommunityEvent | string {
  const message = parseWith(messageCreateData, d);
  if (!message.guild_id) return 'direct messages are not community messages';
  if (message.webhook_id) return 'webhook messages are not members talking';
  if (message.author.bot || message.author.system) return 'bot and system messages';
  if (message.type !== MESSAGE_TYPE.default && message.type !== MESSAGE_TYPE.reply)
    return `message type ${message.type} is a system notice`;
  const where = locate(message.channel_id, message.channel_type, ctx.channel);
  return {
    type: 'message.posted',
    eventId: `discord:message:${message.id}`,
    platform: 'discord',
    occurredAt: iso(message.timestamp),
    member: memberOf(message.guild_id, message.author, message.member),
    ...where,
    messageId: message.id,
    url: messageUrl(message.guild_id, message.channel_id, message.id),
    text: message.content,
    // A forum post's first message has the thread's id; a message outside threads can start one.
    startsThread: where.threadId === undefined || where.threadId === message.id,
  };
}

function reactionAdd(d: unknown, ctx: DispatchContext): CommunityEvent | string {
  const reaction = parseWith(reactionAddData, d);
  if (!reaction.guild_id) return 'reactions in direct messages';
  if (reaction.member?.user?.bot) return 'reactions by bots';
  const { emoji } = reaction;
  // Unicode emoji have no id and their name is the emoji; custom ones are named by the guild.
  const emojiName = emoji.name ?? emoji.id;
  if (!emojiName) return 'reaction without an emoji';
  const member = reaction.member?.user
    ? memberOf(reaction.guild_id, reaction.member.user, reaction.member)
    : { userId: reaction.user_id, communityId: reaction.guild_id, ...rolesOf(reaction.member) };
  return {
    type: 'reaction.added',
    eventId: `discord:reaction:${reaction.message_id}:${reaction.user_id}:${emoji.id ?? emojiName}`,
    platform: 'discord',
    occurredAt: ctx.receivedAt.toISOString(),
    member,
    ...locate(reaction.channel_id, undefined, ctx.channel),
    messageId: reaction.message_id,
    url: messageUrl(reaction.guild_id, reaction.channel_id, reaction.message_id),
    emoji: emojiName,
  };
}

const guildOf = (d: unknown): unknown =>
  typeof d === 'object' && d !== null ? (d as { guild_id?: unknown }).guild_id : undefined;

/**
 * Turns one gateway dispatch (`t`, `d`) into a normalized event. Pure: everything it needs
 * beyond the payload comes in the context. Never throws.
 */
export function normalizeDispatch(t: string, d: unknown, ctx: DispatchContext): NormalizeResult {
  const guildId = guildOf(d);
  if (typeof guildId === 'string' && guildId !== ctx.guildId)
    return { kind: 'ignored', reason: 'another guild' };
  let result: CommunityEvent | string;
  try {
    switch (t) {
      case 'GUILD_MEMBER_ADD':
        result = memberAdd(d);
        break;
      case 'GUILD_MEMBER_REMOVE':
        result = memberRemove(d, ctx);
        break;
      case 'MESSAGE_CREATE':
        result = messageCreate(d, ctx);
        break;
      case 'MESSAGE_REACTION_ADD':
        result = reactionAdd(d, ctx);
        break;
      default:
        return { kind: 'ignored', reason: `${t} is not handled` };
    }
  } catch (error) {
    if (error instanceof Invalid) return { kind: 'invalid', issues: error.message };
    throw error;
  }
  if (typeof result === 'string') return { kind: 'ignored', reason: result };
  const checked = communityEvent.safeParse(result);
  if (!checked.success) return { kind: 'invalid', issues: describeIssues(checked.error) };
  return { kind: 'event', event: checked.data };
}
