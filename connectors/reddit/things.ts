import { z } from 'zod';
import { redditShapeError } from './errors.js';

/**
 * The parts of Reddit's things townhall reads. Reddit adds fields freely, so unknown ones pass;
 * a listing whose children are not things at all is an answer from something else.
 */
const common = {
  id: z.string().min(1),
  /** The fullname: t3_… for a post, t1_… for a comment. */
  name: z.string().regex(/^t[0-9]_[a-z0-9]+$/),
  /** `[deleted]` once the account is gone; then there is no author_fullname either. */
  author: z.string(),
  author_fullname: z.string().optional(),
  created_utc: z.number(),
  subreddit: z.string(),
  permalink: z.string().optional(),
  distinguished: z.string().nullable().optional(),
};

export const post = z.looseObject({
  ...common,
  title: z.string(),
  selftext: z.string().default(''),
  link_flair_text: z.string().nullable().optional(),
  removed_by_category: z.string().nullable().optional(),
});
export type RedditPost = z.infer<typeof post>;

export const comment = z.looseObject({
  ...common,
  body: z.string(),
  /** The post the comment is under (t3_…). */
  link_id: z.string(),
  /** The post or comment it answers. */
  parent_id: z.string(),
  /** Nested answers when read as a tree (/comments/:id); '' when there are none. */
  replies: z.unknown().optional(),
});
export type RedditComment = z.infer<typeof comment>;

const listing = <T extends z.ZodType>(thing: T) =>
  z.object({
    kind: z.literal('Listing'),
    data: z.object({
      after: z.string().nullable().optional(),
      children: z.array(z.object({ kind: z.string(), data: thing })),
    }),
  });

const anyThing = z.looseObject({});

/** A listing's children of one kind (`t3`, `t1`, `more` left out), in the order Reddit gave. */
export function childrenOf<T extends z.ZodType>(
  action: string,
  body: unknown,
  kind: 't1' | 't3' | 't4',
  thing: T,
): { items: z.infer<T>[]; after: string | null } {
  const parsed = listing(anyThing).safeParse(body);
  if (!parsed.success) throw redditShapeError(action);
  const items = parsed.data.data.children
    .filter((child) => child.kind === kind)
    .map((child) => thing.safeParse(child.data))
    .filter((result) => result.success)
    .map((result) => result.data);
  return { items, after: parsed.data.data.after ?? null };
}

/** A private message the bot sent (message/sent): what a retried DM looks for. */
export const sentMessage = z.looseObject({
  name: z.string(),
  dest: z.string(),
  subject: z.string(),
  body: z.string(),
  created_utc: z.number(),
});

/** Who moderates a subreddit (about/moderators). */
export const moderators = z.object({
  data: z.object({ children: z.array(z.looseObject({ name: z.string(), id: z.string() })) }),
});

/** New modmail: conversations and their messages, keyed by id. */
export const modmail = z.object({
  conversations: z.record(
    z.string(),
    z.looseObject({
      id: z.string(),
      subject: z.string().default(''),
      objIds: z.array(z.object({ id: z.string(), key: z.string() })).default([]),
    }),
  ),
  conversationIds: z.array(z.string()).default([]),
  messages: z.record(
    z.string(),
    z.looseObject({
      id: z.string(),
      bodyMarkdown: z.string().default(''),
      author: z.looseObject({ name: z.string(), isMod: z.boolean().default(false) }),
      date: z.string(),
    }),
  ),
});

/** A removed or deleted body is not the member's words: it carries no text. */
export const isGone = (text: string) => text === '[deleted]' || text === '[removed]';
