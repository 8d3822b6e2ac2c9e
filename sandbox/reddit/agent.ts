import type { Response } from 'express';
import express from 'express';
import { z } from 'zod';
import { badRequest } from './errors.js';
import { reorderKey } from './reads.js';
import { wrap } from './serialize.js';
import type { RedditStore } from './store.js';

/**
 * What people on Reddit do, driven by tests and the banner's "Try it": post, comment, write to
 * modmail, delete; and the listing hiccup Reddit's eventual consistency causes.
 */

const SUBREDDIT = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_]{1,20}$/, 'expected a subreddit name');
const USERNAME = z.string().regex(/^[A-Za-z0-9_-]{3,20}$/, 'expected a Reddit username');

const submitSchema = z.strictObject({
  subreddit: SUBREDDIT,
  author: USERNAME,
  title: z.string().min(1).max(300).optional(),
  text: z.string(),
  /** Reply to this post or comment (a t3_ or t1_ fullname) instead of posting. */
  parent: z.string().optional(),
  moderator: z.boolean().optional(),
  flair: z.string().min(1).optional(),
});

const modmailSchema = z.strictObject({
  subreddit: SUBREDDIT,
  author: USERNAME,
  subject: z.string().min(1).max(100).optional(),
  text: z.string().min(1),
  conversationId: z.string().min(1).optional(),
});

const deleteSchema = z.strictObject({
  fullname: z.string().min(1),
  /** A moderator's removal ([removed]) instead of the author's deletion ([deleted]). */
  removed: z.boolean().optional(),
});

const reorderSchema = z.strictObject({
  subreddit: SUBREDDIT,
  listing: z.enum(['new', 'comments']),
});

/** The body as `schema` reads it, or undefined after answering 400 with what was wrong. */
function parse<T extends z.ZodType>(schema: T, body: unknown, res: Response) {
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return parsed.data;
  badRequest(
    res,
    parsed.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`),
  );
  return undefined;
}

export function agentRoutes(store: RedditStore, tokens: { expireAll(): void }) {
  const router = express.Router();
  const json = express.json({ limit: '1mb' });

  router.post('/_sandbox/reddit/submit', json, (req, res) => {
    const input = parse(submitSchema, req.body, res);
    if (!input) return;
    let parent;
    if (input.parent !== undefined) {
      parent = store.thing(input.parent);
      if (!parent || parent.kind === 't4')
        return badRequest(res, `parent: no post or comment ${input.parent}`);
      if (parent.state !== 'live') return badRequest(res, `parent: ${input.parent} is deleted`);
      if (parent.subreddit.toLowerCase() !== input.subreddit.toLowerCase())
        return badRequest(res, `parent: ${input.parent} is in r/${parent.subreddit}`);
      if (!input.text) return badRequest(res, 'text: a comment needs text');
    } else if (input.title === undefined) {
      return badRequest(res, 'title: a post needs a title');
    }
    const sub = store.ensureSubreddit(input.subreddit);
    const author = store.ensureAccount(input.author);
    if (input.moderator) store.addModerator(sub, author.name);
    const thing = parent
      ? store.addComment(parent, { author: author.name, body: input.text })
      : store.addPost({
          subreddit: sub.name,
          author: author.name,
          title: input.title!,
          selftext: input.text,
          flair: input.flair ?? null,
        });
    res.status(201).json(wrap(store, thing));
  });

  router.post('/_sandbox/reddit/modmail', json, (req, res) => {
    const input = parse(modmailSchema, req.body, res);
    if (!input) return;
    if (!input.conversationId && !input.subject)
      return badRequest(res, 'subject: a new conversation needs a subject');
    if (input.conversationId !== undefined) {
      const existing = store.modmail.get(input.conversationId);
      if (!existing)
        return badRequest(res, `conversationId: no conversation ${input.conversationId}`);
      if (existing.subreddit.toLowerCase() !== input.subreddit.toLowerCase())
        return badRequest(res, `conversationId: that conversation is r/${existing.subreddit}'s`);
    }
    const sub = store.ensureSubreddit(input.subreddit);
    const author = store.ensureAccount(input.author);
    const added = store.addModmail({
      sub,
      author: author.name,
      text: input.text,
      subject: input.subject,
      conversationId: input.conversationId,
    });
    if (!added) return badRequest(res, `conversationId: no conversation ${input.conversationId}`);
    res.status(201).json({ conversationId: added.conversation.id, messageId: added.message.id });
  });

  router.post('/_sandbox/reddit/delete', json, (req, res) => {
    const input = parse(deleteSchema, req.body, res);
    if (!input) return;
    const thing = store.thing(input.fullname);
    if (!thing || thing.kind === 't4')
      return badRequest(res, `fullname: no post or comment ${input.fullname}`);
    thing.state = input.removed ? 'removed' : 'deleted';
    res.json(wrap(store, thing));
  });

  router.post('/_sandbox/reddit/reorder', json, (req, res) => {
    const input = parse(reorderSchema, req.body, res);
    if (!input) return;
    store.reorders.add(reorderKey(input.subreddit, input.listing));
    res.json({ ok: true });
  });

  /** Every token issued so far stops working, as an hour passing would. */
  router.post('/_sandbox/reddit/expire-tokens', (_req, res) => {
    tokens.expireAll();
    res.json({ ok: true });
  });

  return router;
}
