import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import { DefaultRestOptions, REST, Routes } from 'discord.js';
import type { RequestData, ResponseLike, RouteLike } from 'discord.js';
import { z } from 'zod';
import { ConnectorError } from '../errors.js';
import type { DiscordConfig } from './config.js';
import { DISCORD_API } from './config.js';
import type { RateLimitBody } from './errors.js';
import { DISCORD_CODE, discordCodeOf, discordError, readRateLimitBody } from './errors.js';
import {
  channelSchema,
  memberSchema,
  messageSchema,
  read,
  threadChannelSchema,
  toMessage,
} from './answers.js';

export interface PostedMessage {
  messageId: string;
  channelId: string;
}

export interface DiscordMember {
  userId: string;
  username: string;
  globalName: string | null;
  nick: string | null;
  roles: string[];
  joinedAt: string | null;
  bot: boolean;
}

export interface DiscordMessage {
  id: string;
  channelId: string;
  authorId: string;
  authorUsername: string;
  /** The user's display name, where they set one. */
  authorGlobalName: string | null;
  authorIsBot: boolean;
  content: string;
  timestamp: string;
  /** The message this one replies to, if it is a reply. */
  replyTo: string | null;
  /** Discord's message type: 0 default, 19 reply, 21 a thread's starter notice ... */
  type: number;
}

export interface DiscordConnector {
  /** Posts in a channel (or a thread, which is a channel); `replyTo` makes it a reply. */
  postMessage(
    channelId: string,
    content: string,
    dedupKey: string,
    options?: { replyTo?: string },
  ): Promise<PostedMessage>;
  /** Posts in a thread, optionally as a reply to one of its messages. */
  replyInThread(
    threadId: string,
    content: string,
    dedupKey: string,
    replyToMessageId?: string,
  ): Promise<PostedMessage>;
  /** Opens (or reuses) the DM channel with a user and posts in it. */
  sendDirectMessage(userId: string, content: string, dedupKey: string): Promise<PostedMessage>;
  addRole(userId: string, roleId: string): Promise<void>;
  removeRole(userId: string, roleId: string): Promise<void>;
  /** undefined when the user is not a member of the guild (404 Unknown Member). */
  lookupMember(userId: string): Promise<DiscordMember | undefined>;
  /** A channel's or thread's messages, oldest first, up to `limit` (default 1000) newest. */
  fetchThread(channelId: string, options?: { limit?: number }): Promise<DiscordMessage[]>;
  /** One message; undefined when the channel holds no such message (10008 Unknown Message). */
  fetchMessage(channelId: string, messageId: string): Promise<DiscordMessage | undefined>;
  /** A channel or thread; undefined when Discord knows no such channel (10003 Unknown Channel). */
  fetchChannel(
    channelId: string,
  ): Promise<{ id: string; type: number; parentId: string | null } | undefined>;
  /**
   * Starts a public thread from a message; the thread's id is the message's. `created` is false
   * when the message already had one (160004), which is the state asked for.
   */
  startThread(
    channelId: string,
    messageId: string,
    name: string,
  ): Promise<{ threadId: string; created: boolean }>;
  /** The bot's reaction, `emoji` as the URL takes it: Unicode, or `name:id` for a custom one. */
  addReaction(channelId: string, messageId: string, emoji: string): Promise<void>;
}

/** Discord nonces are at most 25 characters: the first 25 hex digits of the key's SHA-256. */
export function nonceFor(dedupKey: string): string {
  return createHash('sha256').update(dedupKey).digest('hex').slice(0, 25);
}

const PAGE = 100;

export function createDiscordConnector(config: DiscordConfig): DiscordConnector {
  /** Where the 429 body of the current call is kept (one slot per call, so calls may overlap). */
  const rateLimitBodies = new AsyncLocalStorage<{ body?: RateLimitBody }>();

  const rest = new REST({
    api: config.apiUrl ?? DISCORD_API,
    version: '10',
    // Temporal owns retries and waits. Left alone, @discordjs/rest sleeps through 429s and
    // exhausted buckets and retries 5xx three times inside one activity attempt: the attempt
    // would block for as long as Discord asks (minutes, for a global limit), past its timeout
    // and invisible to the workflow, while every worker kept hammering on its own. Rejecting
    // turns each limit into ConnectorError('rate_limited', retryAfterMs), which the activity
    // layer hands to Temporal as the next retry delay.
    rejectOnRateLimit: () => true,
    retries: 0,
    timeout: 15_000,
    // @discordjs/rest reads the wait from the headers only; Discord's 429 body has the precise
    // one (fractional seconds) and says whether the limit is global.
    async makeRequest(url, init): Promise<ResponseLike> {
      const response = await DefaultRestOptions.makeRequest(url, init);
      if (response.status !== 429) return response;
      const text = await response.text();
      const slot = rateLimitBodies.getStore();
      if (slot) slot.body = readRateLimitBody(text);
      return new Response(text, {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      });
    },
  });

  async function call<T>(
    action: string,
    method: 'get' | 'post' | 'put' | 'delete',
    route: RouteLike,
    options: RequestData = {},
  ): Promise<T> {
    // @discordjs/rest forgets its token after any 401; a transient one must not break the rest.
    rest.setToken(config.botToken);
    const slot: { body?: RateLimitBody } = {};
    try {
      return (await rateLimitBodies.run(slot, () => rest[method](route, options))) as T;
    } catch (error) {
      throw discordError(action, error, slot.body);
    }
  }

  async function post(
    action: string,
    channelId: string,
    content: string,
    dedupKey: string,
    replyTo: string | undefined,
  ): Promise<PostedMessage> {
    const json = await call<unknown>(action, 'post', Routes.channelMessages(channelId), {
      body: {
        content,
        // Same key, same nonce: a retry within Discord's window returns the first message.
        nonce: nonceFor(dedupKey),
        enforce_nonce: true,
        // townhall's posts ping no one: not @everyone or @here, not a role, not a person. Member
        // text is escaped besides (capabilities.ts), so a mention in it does not even show as one;
        // this is what holds if an escape ever misses, and for a template's own `<@id>`.
        allowed_mentions: { parse: [] },
        ...(replyTo
          ? { message_reference: { message_id: replyTo, fail_if_not_exists: false } }
          : {}),
      },
    });
    const message = read(messageSchema, json, action);
    return { messageId: message.id, channelId: message.channel_id };
  }

  async function lookupMember(userId: string): Promise<DiscordMember | undefined> {
    const action = 'member lookup';
    let json: unknown;
    try {
      json = await call<unknown>(action, 'get', Routes.guildMember(config.guildId, userId));
    } catch (error) {
      // 10007 Unknown Member (and 10013 Unknown User): not in the guild, which is an answer.
      if (error instanceof ConnectorError && error.code === 'not_found') return undefined;
      throw error;
    }
    const member = read(memberSchema, json, action);
    return {
      userId: member.user.id,
      username: member.user.username,
      globalName: member.user.global_name ?? null,
      nick: member.nick ?? null,
      roles: member.roles,
      joinedAt: member.joined_at ?? null,
      bot: member.user.bot ?? false,
    };
  }

  return {
    postMessage(channelId, content, dedupKey, options = {}) {
      return post('message post', channelId, content, dedupKey, options.replyTo);
    },

    replyInThread(threadId, content, dedupKey, replyToMessageId) {
      return post('thread reply', threadId, content, dedupKey, replyToMessageId);
    },

    async sendDirectMessage(userId, content, dedupKey) {
      const action = 'direct message';
      // Discord answers with the existing DM channel when there is one: safe to repeat.
      const channel = read(
        channelSchema,
        await call<unknown>(action, 'post', Routes.userChannels(), {
          body: { recipient_id: userId },
        }),
        action,
      );
      return post(action, channel.id, content, dedupKey, undefined);
    },

    async addRole(userId, roleId) {
      await call('role add', 'put', Routes.guildMemberRole(config.guildId, userId, roleId));
    },

    async removeRole(userId, roleId) {
      await call('role remove', 'delete', Routes.guildMemberRole(config.guildId, userId, roleId));
    },

    lookupMember,

    async fetchThread(channelId, options = {}) {
      const action = 'thread read';
      const limit = Math.max(1, options.limit ?? 1000);
      const newestFirst: DiscordMessage[] = [];
      let before: string | undefined;
      while (newestFirst.length < limit) {
        const query = new URLSearchParams({
          limit: String(Math.min(PAGE, limit - newestFirst.length)),
        });
        if (before) query.set('before', before);
        const page = read(
          z.array(messageSchema),
          await call<unknown>(action, 'get', Routes.channelMessages(channelId), { query }),
          action,
        );
        newestFirst.push(...page.map(toMessage));
        // Discord answers newest first; the next page is everything older than this one's last.
        if (page.length < PAGE) break;
        before = page[page.length - 1]!.id;
      }
      return newestFirst.reverse();
    },

    async fetchMessage(channelId, messageId) {
      const action = 'message read';
      try {
        const json = await call<unknown>(
          action,
          'get',
          Routes.channelMessage(channelId, messageId),
        );
        return toMessage(read(messageSchema, json, action));
      } catch (error) {
        if (discordCodeOf(error) === DISCORD_CODE.unknownMessage) return undefined;
        throw error;
      }
    },

    async fetchChannel(channelId) {
      const action = 'channel read';
      try {
        const json = await call<unknown>(action, 'get', Routes.channel(channelId));
        const channel = read(threadChannelSchema, json, action);
        return { id: channel.id, type: channel.type, parentId: channel.parent_id ?? null };
      } catch (error) {
        if (discordCodeOf(error) === DISCORD_CODE.unknownChannel) return undefined;
        throw error;
      }
    },

    async startThread(channelId, messageId, name) {
      const action = 'thread start';
      try {
        const json = await call<unknown>(action, 'post', Routes.threads(channelId, messageId), {
          body: { name: name.slice(0, 100) },
        });
        return { threadId: read(channelSchema, json, action).id, created: true };
      } catch (error) {
        // Another attempt started it first: the thread is there, under the message's id.
        if (discordCodeOf(error) === DISCORD_CODE.threadAlreadyCreated)
          return { threadId: messageId, created: false };
        throw error;
      }
    },

    async addReaction(channelId, messageId, emoji) {
      // Adding a reaction already there answers 204 again: no check needed before or after.
      await call(
        'reaction add',
        'put',
        Routes.channelMessageOwnReaction(channelId, messageId, encodeURIComponent(emoji)),
      );
    },
  };
}
