import type { ConnectorContext } from '../descriptor.js';
import type { EffectAttempt } from '../ports.js';
import type { RedditConfig } from './config.js';
import { redditApiError, redditShapeError } from './errors.js';
import type { SubredditCursor } from './feed.js';
import { pollSubreddit, subredditCursor } from './feed.js';
import { redditHttp } from './http.js';
import type { Subreddit } from './normalize.js';
import { childrenOf, comment, moderators, sentMessage } from './things.js';

/**
 * Moderators are read once a minute, not on every poll: a new moderator's `!ticket` works within
 * a minute, for one request in a hundred of the budget.
 */
const MODERATORS_TTL_MS = 60_000;
/** How far back the bot's own comments and messages are searched for an unconfirmed attempt. */
const LOOKBACK = 100;
/** An earlier attempt's clock and Reddit's may differ by this much. */
const CLOCK_SLACK_MS = 60_000;

interface Posted {
  /** The fullname of what the bot wrote (t1_… comment), when Reddit names it. */
  name: string | undefined;
  created: boolean;
}

/**
 * The pause before the next read after `quiet` reads in a row found nothing: pollEvery doubled
 * each time, never past quietPollEvery (nor under pollEvery).
 */
export function quietPause(
  config: Pick<RedditConfig, 'pollEvery' | 'quietPollEvery'>,
  quiet: number,
): number {
  const ceiling = Math.max(config.pollEvery, config.quietPollEvery);
  return Math.min(ceiling, config.pollEvery * 2 ** Math.min(quiet, 30));
}

/** The Reddit API as the capabilities and the poller use it. */
export function createRedditConnector(config: RedditConfig, context?: ConnectorContext) {
  const budget = context?.budgets?.(`reddit:${config.clientId}`, {
    max: config.queriesPerMinute,
    intervalMs: 60_000,
  });
  const http = redditHttp(config, budget);
  const mods = new Map<string, { names: Set<string>; readAt: number }>();

  async function subreddit(name: string): Promise<Subreddit> {
    const key = name.toLowerCase();
    let known = mods.get(key);
    if (!known || Date.now() - known.readAt > MODERATORS_TTL_MS) {
      const body = await http.call('read moderators', {
        method: 'GET',
        path: `/r/${key}/about/moderators`,
      });
      const parsed = moderators.safeParse(body);
      if (!parsed.success) throw redditShapeError('read moderators');
      known = {
        names: new Set(parsed.data.data.children.map((mod) => mod.name.toLowerCase())),
        readAt: Date.now(),
      };
      mods.set(key, known);
    }
    return {
      name: key,
      moderators: known.names,
      webUrl: config.webUrl,
      bot: config.username.toLowerCase(),
    };
  }

  /** `api_type=json` writes answer 200 with their refusals in `json.errors`. */
  async function write(action: string, path: string, form: Record<string, string>) {
    const body = (await http.call(action, {
      method: 'POST',
      path,
      form: { api_type: 'json', ...form },
    })) as { json?: { errors?: unknown[]; data?: { things?: { data?: { name?: string } }[] } } };
    if (!body?.json) throw redditShapeError(action);
    if (body.json.errors && body.json.errors.length > 0)
      throw redditApiError(action, body.json.errors);
    return body.json.data;
  }

  const since = (attempt: EffectAttempt) =>
    attempt.earlierAttemptSince ? attempt.earlierAttemptSince.getTime() - CLOCK_SLACK_MS : 0;
  const same = (a: string, b: string) => a.trim() === b.trim();

  return {
    config,
    http,
    subreddit,

    /** One poll of a subreddit; a cursor of another shape (an older townhall) starts afresh. */
    async poll(name: string, from: { cursor: unknown; startedAt: number }) {
      const parsed = subredditCursor.safeParse(from.cursor);
      const sub = await subreddit(name);
      const read = await pollSubreddit(http, sub, {
        cursor: parsed.success ? parsed.data : undefined,
        startedAt: from.startedAt,
        withModmail: config.modmail,
      });
      const quiet = read.events.length > 0 ? 0 : (parsed.data?.quiet ?? 0) + 1;
      return {
        ...read,
        cursor: { ...read.cursor, ...(quiet > 0 ? { quiet } : {}) },
        nextPollMs: http.pace(read.requests, quietPause(config, quiet)),
      };
    },

    /**
     * Comments under a post or comment. After an unconfirmed attempt, the bot's latest comments
     * are searched first: the same words under the same parent since then are that attempt.
     */
    async comment(input: EffectAttempt & { parent: string; text: string }): Promise<Posted> {
      if (input.earlierAttemptSince) {
        const body = await http.call('read own comments', {
          method: 'GET',
          path: `/user/${config.username}/comments`,
          query: { limit: LOOKBACK, sort: 'new' },
        });
        const earlier = childrenOf('read own comments', body, 't1', comment).items.find(
          (mine) =>
            mine.parent_id === input.parent &&
            same(mine.body, input.text) &&
            mine.created_utc * 1000 >= since(input),
        );
        if (earlier) return { name: earlier.name, created: false };
      }
      const data = await write('comment', '/api/comment', {
        thing_id: input.parent,
        text: input.text,
      });
      return { name: data?.things?.[0]?.data?.name, created: true };
    },

    /** A private message; after an unconfirmed attempt, the sent box is searched first. */
    async compose(
      input: EffectAttempt & { to: string; subject: string; text: string },
    ): Promise<Posted> {
      if (input.earlierAttemptSince) {
        const body = await http.call('read sent messages', {
          method: 'GET',
          path: '/message/sent',
          query: { limit: LOOKBACK },
        });
        const earlier = childrenOf('read sent messages', body, 't4', sentMessage).items.find(
          (sent) =>
            sent.dest.toLowerCase() === input.to.toLowerCase() &&
            same(sent.subject, input.subject) &&
            same(sent.body, input.text) &&
            sent.created_utc * 1000 >= since(input),
        );
        if (earlier) return { name: earlier.name, created: false };
      }
      await write('message', '/api/compose', {
        to: input.to,
        subject: input.subject,
        text: input.text,
      });
      // Reddit's compose answers no id.
      return { name: undefined, created: true };
    },
  };
}

export type RedditConnector = ReturnType<typeof createRedditConnector>;
export type { SubredditCursor };
