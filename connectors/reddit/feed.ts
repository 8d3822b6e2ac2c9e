import { z } from 'zod';
import { ConnectorError } from '../errors.js';
import type { CommunityEvent } from '../events.js';
import type { RedditHttp } from './http.js';
import type { Subreddit } from './normalize.js';
import {
  commentEvent,
  isDeletedAuthor,
  joinedEvent,
  modmailEvent,
  postEvent,
} from './normalize.js';
import type { RedditComment, RedditPost } from './things.js';
import { childrenOf, comment, modmail, post } from './things.js';

/**
 * Reading a subreddit without webhooks. Reddit's listings are eventually consistent: an item can
 * show up late, behind newer ones, and a `before=<fullname>` cursor goes silent for good once
 * that item is removed. So each read takes the newest page and keeps a window of the fullnames
 * already emitted: whatever on the page is not in the window is new, however late it came. When a
 * whole page is new, older pages follow until one reaches the window.
 */

/** Fullnames remembered per listing: three pages, far more than can reorder. */
export const SEEN_WINDOW = 300;
/** Pages read back in one poll after a long pause (Reddit's listings end at about 1000 items). */
const MAX_PAGES = 10;
const PAGE_SIZE = 100;
/** Recent modmail conversations read each poll: their messages fit the window. */
const MODMAIL_CONVERSATIONS = 25;

const seenList = z.array(z.string()).max(SEEN_WINDOW);
export const subredditCursor = z.object({
  posts: seenList,
  comments: seenList,
  modmail: seenList.optional(),
  /** Reads in a row that found nothing new: the pause before the next grows with them. */
  quiet: z.number().int().min(0).optional(),
});
/** Where one subreddit's reading stands: the fullnames lately emitted, per listing. */
export type SubredditCursor = z.infer<typeof subredditCursor>;

interface Read<T> {
  fresh: T[];
  seen: string[];
  /** Pages read back without reaching the window: items older than these were missed. */
  gap: boolean;
  requests: number;
}

/** Reddit's times are whole seconds: an item of the poller's first second counts as after it. */
const madeSince = (item: { created_utc: number }, startedAt: number) =>
  item.created_utc >= Math.floor(startedAt / 1000);

async function readListing<T extends { name: string; created_utc: number }>(
  http: RedditHttp,
  path: string,
  kind: 't1' | 't3',
  thing: z.ZodType<T>,
  seenBefore: readonly string[] | undefined,
  startedAt: number,
): Promise<Read<T>> {
  const seen = new Set(seenBefore ?? []);
  const fresh: T[] = [];
  let after: string | undefined;
  let requests = 0;
  let gap = false;
  for (;;) {
    const body = await http.call(`read ${path}`, {
      method: 'GET',
      path,
      query: { limit: PAGE_SIZE, after },
    });
    requests += 1;
    const page = childrenOf(`read ${path}`, body, kind, thing);
    const unseen = page.items.filter((item) => !seen.has(item.name));
    fresh.push(...unseen);
    // Nothing older is new once a page reaches the window (or, on the first read, the time the
    // poller began), or the listing ends.
    const oldest = page.items.at(-1);
    const reached = seenBefore
      ? unseen.length < page.items.length
      : !oldest || !madeSince(oldest, startedAt);
    if (reached || !page.after) break;
    if (requests >= MAX_PAGES) {
      gap = true;
      break;
    }
    after = page.after;
  }
  const names = [...(seenBefore ?? []), ...fresh.map((item) => item.name).reverse()];
  return {
    // The first read takes only what was made since the poller began: the rest was there before.
    fresh: seenBefore ? fresh : fresh.filter((item) => madeSince(item, startedAt)),
    seen: names.slice(-SEEN_WINDOW),
    gap,
    requests,
  };
}

async function readModmail(
  http: RedditHttp,
  subreddit: Subreddit,
  seenBefore: string[] | undefined,
  startedAt: number,
) {
  const body = await http.call('read modmail', {
    method: 'GET',
    path: '/api/mod/conversations',
    query: { entity: subreddit.name, sort: 'recent', limit: MODMAIL_CONVERSATIONS },
  });
  const parsed = modmail.safeParse(body);
  if (!parsed.success) return { events: [], seen: seenBefore ?? [] };
  const seen = new Set(seenBefore ?? []);
  const events: CommunityEvent[] = [];
  const names: string[] = [];
  for (const conversationId of parsed.data.conversationIds) {
    const conversation = parsed.data.conversations[conversationId];
    for (const ref of conversation?.objIds ?? []) {
      const message = parsed.data.messages[ref.id];
      if (ref.key !== 'messages' || !message || seen.has(message.id)) continue;
      names.push(message.id);
      const isNew = seenBefore !== undefined || Date.parse(message.date) >= startedAt;
      const mine = message.author.name.toLowerCase() === subreddit.bot;
      if (isNew && !mine && !isDeletedAuthor(message.author.name))
        events.push(modmailEvent(message, conversationId, subreddit));
    }
  }
  return { events, seen: [...(seenBefore ?? []), ...names].slice(-SEEN_WINDOW) };
}

const createdOf = (event: CommunityEvent) => Date.parse(event.occurredAt);

/** Events for new things, oldest first; an author's first sighting is their member.joined. */
function eventsOf(posts: RedditPost[], comments: RedditComment[], subreddit: Subreddit) {
  const things = [
    ...posts.map((item) => ({ item, event: postEvent(item, subreddit) })),
    ...comments.map((item) => ({ item, event: commentEvent(item, subreddit) })),
  ]
    // The bot's own comments are townhall's acknowledgements and relayed replies; removed posts
    // (spam, rule breaks) and AutoModerator's notices are no member's activity.
    .filter(
      ({ item }) =>
        !isDeletedAuthor(item.author) &&
        item.author.toLowerCase() !== subreddit.bot &&
        item.author !== 'AutoModerator' &&
        !('removed_by_category' in item && item.removed_by_category),
    )
    .sort(
      (a, b) => a.item.created_utc - b.item.created_utc || (a.item.name < b.item.name ? -1 : 1),
    );
  const joined = new Set<string>();
  const events: CommunityEvent[] = [];
  for (const { item, event } of things) {
    if (!joined.has(item.author)) {
      joined.add(item.author);
      events.push(joinedEvent(item.author, item.created_utc, subreddit));
    }
    events.push(event);
  }
  return events;
}

/** One poll of a subreddit: its new posts and comments (and modmail), and where reading stands. */
export async function pollSubreddit(
  http: RedditHttp,
  subreddit: Subreddit,
  from: { cursor: SubredditCursor | undefined; startedAt: number; withModmail: boolean },
) {
  const { cursor, startedAt } = from;
  const base = `/r/${subreddit.name}`;
  const posts = await readListing(http, `${base}/new`, 't3', post, cursor?.posts, startedAt);
  const comments = await readListing(
    http,
    `${base}/comments`,
    't1',
    comment,
    cursor?.comments,
    startedAt,
  );
  // Modmail switched on for a poller already reading: its old conversations are not new.
  const mailFrom = cursor && !cursor.modmail ? Date.now() : startedAt;
  const warnings: string[] = [];
  const mail = from.withModmail
    ? await readModmail(http, subreddit, cursor?.modmail, mailFrom).catch((error: unknown) => {
        // Without the modmail scope, posts and comments are still read: only modmail waits.
        if (!(error instanceof ConnectorError) || error.code !== 'auth') throw error;
        warnings.push(
          `Reddit refused modmail for r/${subreddit.name}: grant the app the modmail scope, or set connectors.reddit.modmail: false`,
        );
        return { events: [], seen: cursor?.modmail };
      })
    : undefined;
  const events = [...eventsOf(posts.fresh, comments.fresh, subreddit), ...(mail?.events ?? [])];
  events.sort((a, b) => createdOf(a) - createdOf(b));
  return {
    events,
    cursor: {
      posts: posts.seen,
      comments: comments.seen,
      ...(mail ? { modmail: mail.seen } : {}),
    } satisfies SubredditCursor,
    requests: posts.requests + comments.requests + (mail ? 1 : 0),
    gap: posts.gap || comments.gap,
    warnings,
  };
}
