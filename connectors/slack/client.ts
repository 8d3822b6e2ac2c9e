import type { Logger as SlackLogger } from '@slack/web-api';
import { LogLevel, WebAPIPlatformError, WebClient } from '@slack/web-api';
import type { z } from 'zod';
import { ConnectorError } from '../errors.js';
import type { EffectAttempt } from '../ports.js';
import {
  CLOCK_SKEW_MS,
  RECENT_MESSAGES_SEARCHED,
  carriesDedupKey,
  dedupMetadata,
} from './dedup.js';
import {
  acknowledged,
  nextCursor,
  opened,
  page,
  permalinkAnswer,
  posted,
  read,
  toUser,
  userAnswer,
} from './answers.js';
import { slackError } from './errors.js';

/** What the Web API side needs from `connectors.slack` (connectors/slack/config.ts). */
export interface SlackClientConfig {
  /** Bot user OAuth token (xoxb-...). */
  botToken: string;
  /** Web API base URL; defaults to https://slack.com/api/ (the sandbox serves it at <url>/api/). */
  apiUrl?: string | undefined;
  /** Per-request timeout; a request that outlives it fails as `unavailable` and is retried. */
  timeoutMs?: number | undefined;
}

export interface PostedMessage {
  channel: string;
  ts: string;
  /** The thread the message was posted in, for replies. */
  threadTs?: string;
  /** False when an earlier attempt with the same dedup key had already posted it. */
  created: boolean;
}

export interface SlackUserInfo {
  id: string;
  teamId: string | null;
  /** The handle (`name`), e.g. "ada". */
  handle: string;
  realName: string | null;
  displayName: string | null;
  /** Only with the users:read.email scope, and only when the member has one. */
  email: string | null;
  isBot: boolean;
  /** A deactivated account. */
  deleted: boolean;
  timezone: string | null;
}

export interface ThreadMessage {
  ts: string;
  threadTs: string | null;
  /** The author; bot posts carry botId (and often a bot user id too). */
  user: string | null;
  botId: string | null;
  subtype: string | null;
  text: string;
}

/**
 * Posts carry the attempt's dedup key as message metadata (dedup.ts). With
 * `earlierAttemptSince`, an earlier attempt may have posted: the channel (or thread) is searched
 * for it from then on before posting; 'unknown' searches the latest page.
 */
export interface SlackConnector {
  postMessage(channel: string, text: string, attempt: SlackAttempt): Promise<PostedMessage>;
  replyInThread(
    channel: string,
    threadTs: string,
    text: string,
    attempt: SlackAttempt,
  ): Promise<PostedMessage>;
  /** A top-level message in a channel the bot is in. */
  postToChannel(channel: string, text: string, attempt: SlackAttempt): Promise<PostedMessage>;
  /** Opens (or reopens) the bot's DM with the user, then posts in it. */
  sendDirectMessage(userId: string, text: string, attempt: SlackAttempt): Promise<PostedMessage>;
  /** undefined when Slack knows no such user. */
  lookupUser(userId: string): Promise<SlackUserInfo | undefined>;
  /** undefined when nobody in the workspace has that email. Needs the users:read.email scope. */
  lookupUserByEmail(email: string): Promise<SlackUserInfo | undefined>;
  /** The root and every reply, oldest first, across all of conversations.replies' pages. */
  fetchThread(channel: string, threadTs: string): Promise<ThreadMessage[]>;
  /** Slack's own link to a message (chat.getPermalink); a reply's link opens its thread. */
  permalink(channel: string, ts: string): Promise<string>;
  /** The bot's reaction `name` (no colons) on a message; one already there is no error. */
  addReaction(channel: string, ts: string, name: string): Promise<void>;
}

/** An attempt as the ledger describes it; 'unknown' when the caller keeps no ledger. */
export type SlackAttempt = Omit<EffectAttempt, 'earlierAttemptSince'> & {
  earlierAttemptSince?: Date | 'unknown' | undefined;
};

const DEFAULT_TIMEOUT_MS = 10_000;
/** conversations.replies page size for fetchThread (Slack allows up to 1000; 200 is advised). */
const THREAD_PAGE_SIZE = 200;

/** The WebClient logs through this; townhall reports failures itself, as ConnectorErrors. */
const quietLogger: SlackLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  setLevel: () => undefined,
  getLevel: () => LogLevel.ERROR,
  setName: () => undefined,
};

export function createSlackConnector(config: SlackClientConfig): SlackConnector {
  /**
   * The WebClient's own retries are off (`retries: 0`) and a 429 is rejected at once instead of
   * waited out (`rejectRateLimitedCalls`): Temporal owns retrying. A retry inside the client would
   * hold an activity slot through Slack's advertised wait, be invisible to the workflow's retry
   * policy and history, and could outlive the activity's start-to-close timeout. Rejecting gives
   * the activity a ConnectorError('rate_limited', retryAfterMs), which becomes an
   * ApplicationFailure with nextRetryDelay (activities/failures.ts).
   */
  const web = new WebClient(config.botToken, {
    slackApiUrl: config.apiUrl ?? 'https://slack.com/api/',
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: config.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    logger: quietLogger,
  });

  async function call<T>(method: string, request: () => Promise<unknown>, schema: z.ZodType<T>) {
    let answer: unknown;
    try {
      answer = await request();
    } catch (error) {
      throw slackError(method, error);
    }
    return read(schema, answer, method);
  }

  /**
   * An earlier post carrying `dedupKey` in the channel (or thread). With `since` (from the
   * ledger) every message from then on is searched; without, the latest page only.
   */
  async function findEarlier(
    target: { channel: string; threadTs?: string | undefined },
    dedupKey: string,
    since: Date | undefined,
  ): Promise<PostedMessage | undefined> {
    const oldest = since && ((since.getTime() - CLOCK_SKEW_MS) / 1000).toFixed(6);
    let cursor: string | undefined;
    do {
      const args = {
        channel: target.channel,
        include_all_metadata: true,
        limit: RECENT_MESSAGES_SEARCHED,
        ...(oldest ? { oldest } : {}),
        ...(cursor ? { cursor } : {}),
      };
      const answer = target.threadTs
        ? await call(
            'conversations.replies',
            () => web.conversations.replies({ ...args, ts: target.threadTs! }),
            page,
          )
        : await call('conversations.history', () => web.conversations.history(args), page);
      const found = answer.messages.find((m) => carriesDedupKey(m, dedupKey));
      if (found)
        return {
          channel: target.channel,
          ts: found.ts,
          ...(target.threadTs ? { threadTs: target.threadTs } : {}),
          created: false,
        };
      // A thread is read whole (replies come oldest first); a channel back to `since` only.
      cursor = since || target.threadTs ? nextCursor(answer) : undefined;
    } while (cursor);
    return undefined;
  }

  async function post(
    target: { channel: string; threadTs?: string | undefined },
    text: string,
    attempt: SlackAttempt,
  ): Promise<PostedMessage> {
    const thread = target.threadTs ? { threadTs: target.threadTs } : {};
    const since = attempt.earlierAttemptSince;
    if (since !== undefined) {
      const earlier = await findEarlier(
        target,
        attempt.dedupKey,
        since === 'unknown' ? undefined : since,
      );
      if (earlier) return earlier;
    }
    const answer = await call(
      'chat.postMessage',
      () =>
        web.chat.postMessage({
          channel: target.channel,
          text,
          ...(target.threadTs ? { thread_ts: target.threadTs } : {}),
          metadata: dedupMetadata(attempt.dedupKey),
        }),
      posted,
    );
    return { channel: answer.channel, ts: answer.ts, ...thread, created: true };
  }

  /** users.info and users.lookupByEmail: "no such user" is an answer, not a failure. */
  async function lookup(method: string, request: () => Promise<unknown>) {
    try {
      return toUser((await call(method, request, userAnswer)).user);
    } catch (error) {
      if (error instanceof ConnectorError && error.code === 'not_found') return undefined;
      throw error;
    }
  }

  return {
    postMessage: (channel, text, attempt) => post({ channel }, text, attempt),

    replyInThread: (channel, threadTs, text, attempt) => post({ channel, threadTs }, text, attempt),

    postToChannel: (channel, text, attempt) => post({ channel }, text, attempt),

    async sendDirectMessage(userId, text, attempt) {
      // conversations.open returns the same DM channel every time: safe to repeat.
      const { channel } = await call(
        'conversations.open',
        () => web.conversations.open({ users: userId }),
        opened,
      );
      return post({ channel: channel.id }, text, attempt);
    },

    lookupUser: (userId) => lookup('users.info', () => web.users.info({ user: userId })),

    lookupUserByEmail: (email) =>
      lookup('users.lookupByEmail', () => web.users.lookupByEmail({ email })),

    async fetchThread(channel, threadTs) {
      const messages: ThreadMessage[] = [];
      let cursor: string | undefined;
      do {
        const answer = await call(
          'conversations.replies',
          () =>
            web.conversations.replies({
              channel,
              ts: threadTs,
              limit: THREAD_PAGE_SIZE,
              ...(cursor ? { cursor } : {}),
            }),
          page,
        );
        for (const m of answer.messages)
          messages.push({
            ts: m.ts,
            threadTs: m.thread_ts ?? null,
            user: m.user ?? null,
            botId: m.bot_id ?? null,
            subtype: m.subtype ?? null,
            text: m.text ?? '',
          });
        cursor = nextCursor(answer);
      } while (cursor);
      return messages;
    },

    async permalink(channel, ts) {
      const answer = await call(
        'chat.getPermalink',
        () => web.chat.getPermalink({ channel, message_ts: ts }),
        permalinkAnswer,
      );
      return answer.permalink;
    },

    async addReaction(channel, ts, name) {
      await call(
        'reactions.add',
        async () => {
          try {
            return await web.reactions.add({ channel, timestamp: ts, name });
          } catch (error) {
            // Slack's code for "the bot already reacted so": the state asked for, so a retry
            // after a lost answer (or a second solve) is a success.
            if (error instanceof WebAPIPlatformError && error.data.error === 'already_reacted')
              return { ok: true };
            throw error;
          }
        },
        acknowledged,
      );
    },
  };
}
