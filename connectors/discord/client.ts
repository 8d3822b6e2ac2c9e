import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import { DefaultRestOptions, REST, Routes } from 'discord.js';
import type { RequestData, ResponseLike, RouteLike } from 'discord.js';
import { z } from 'zod';
import { ConnectorError } from '../errors.js';
import type { DiscordConfig } from './config.js';
import { DISCORD_API } from './config.js';
import type { RateLimitBody } from './errors.js';
import { discordError, readRateLimitBody } from './errors.js';
import { snowflake } from './payloads.js';

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
  authorIsBot: boolean;
  content: string;
  timestamp: string;
  /** The message this one replies to, if it is a reply. */
  replyTo: string | null;
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
}

/** Discord nonces are at most 25 characters: the first 25 hex digits of the key's SHA-256. */
export function nonceFor(dedupKey: string): string {
  return createHash('sha256').update(dedupKey).digest('hex').slice(0, 25);
}

const PAGE = 100;

const messageSchema = z.looseObject({
  id: snowflake,
  channel_id: snowflake,
  author: z.looseObject({ id: snowflake, username: z.string(), bot: z.boolean().optional() }),
  content: z.string(),
  timestamp: z.string(),
  message_reference: z.looseObject({ message_id: snowflake.optional() }).nullish(),
});
const channelSchema = z.looseObject({ id: snowflake });
const memberSchema = z.looseObject({
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
function read<T>(schema: z.ZodType<T>, json: unknown, action: string): T {
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  throw new ConnectorError('unavailable', `Discord ${action}: unexpected answer`, {
    vendor: 'discord',
  });
}

const toMessage = (message: z.infer<typeof messageSchema>): DiscordMessage => ({
  id: message.id,
  channelId: message.channel_id,
  authorId: message.author.id,
  authorUsername: message.author.username,
  authorIsBot: message.author.bot ?? false,
  content: message.content,
  timestamp: message.timestamp,
  replyTo: message.message_reference?.message_id ?? null,
});

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
        // Templated text must not ping @everyone, @here or roles; people may be mentioned.
        allowed_mentions: { parse: ['users'] },
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
  };
}
