import express from 'express';
import { z } from 'zod';
import { sessionOf } from './auth.js';
import { fail } from './errors.js';
import { pagedListing, parsePage } from './listing.js';
import { commentTree, listing, wrap } from './serialize.js';
import type { RedditStore, Thing } from './store.js';
import { accountFullname, id36Of } from './store.js';

/** Reddit's read endpoints townhall polls: listings, a post with its comments, moderators, me. */

const treeQuery = z.object({
  sort: z.string().optional().catch(undefined),
  limit: z.coerce
    .number()
    .int()
    .catch(200)
    .transform((n) => Math.min(500, Math.max(1, n))),
});

/** Key of a listing's pending reorder (POST /_sandbox/reddit/reorder). */
export const reorderKey = (subreddit: string, which: 'new' | 'comments') =>
  `${subreddit.toLowerCase()}:${which}`;

const visible = (thing: Thing) => thing.kind === 't4' || thing.state === 'live';

export function readRoutes(store: RedditStore) {
  const router = express.Router();
  const wrapped = (thing: Thing) => wrap(store, thing);

  router.get('/r/:sub/new', (req, res) => {
    const sub = store.subreddit(req.params.sub);
    if (!sub) return fail(res, 404);
    const posts = store.posts().filter((post) => post.subreddit === sub.name && visible(post));
    res.json(
      pagedListing(store, posts, parsePage(req.query), {
        reorderKey: reorderKey(sub.name, 'new'),
        wrap: wrapped,
      }),
    );
  });

  router.get('/r/:sub/comments', (req, res) => {
    const sub = store.subreddit(req.params.sub);
    if (!sub) return fail(res, 404);
    const comments = store
      .comments()
      .filter((comment) => comment.subreddit === sub.name && visible(comment));
    res.json(
      pagedListing(store, comments, parsePage(req.query), {
        reorderKey: reorderKey(sub.name, 'comments'),
        wrap: wrapped,
      }),
    );
  });

  router.get('/user/:name/comments', (req, res) => {
    const account = store.account(req.params.name);
    if (!account) return fail(res, 404);
    const comments = store
      .comments()
      .filter((comment) => comment.author === account.name && visible(comment));
    res.json(pagedListing(store, comments, parsePage(req.query), { wrap: wrapped }));
  });

  /** A post and its comment tree; deleted ones stay in the tree as [deleted], as on Reddit. */
  router.get('/comments/:id', (req, res) => {
    const post = store.thing(`t3_${req.params.id.toLowerCase()}`);
    if (post?.kind !== 't3') return fail(res, 404);
    const query = treeQuery.parse(req.query);
    res.json([
      listing([wrapped(post)], { dist: 1 }),
      commentTree(store, post, { oldestFirst: query.sort === 'old', limit: query.limit }),
    ]);
  });

  router.get('/r/:sub/about/moderators', (req, res) => {
    const sub = store.subreddit(req.params.sub);
    if (!sub) return fail(res, 404);
    const children = [...sub.moderators.values()].map((moderator) => {
      const account = store.ensureAccount(moderator.name);
      return {
        name: account.name,
        id: accountFullname(account),
        mod_permissions: ['all'],
        date: moderator.date,
      };
    });
    res.json({ kind: 'UserList', data: { children } });
  });

  router.get('/api/v1/me', (_req, res) => {
    const account = store.ensureAccount(sessionOf(res).username);
    res.json({ name: account.name, id: id36Of(account), created_utc: account.createdUtc });
  });

  /** Private messages the token's account sent, newest first. */
  router.get('/message/sent', (req, res) => {
    const me = sessionOf(res).username.toLowerCase();
    const sent = store.messages().filter((message) => message.author.toLowerCase() === me);
    res.json(pagedListing(store, sent, parsePage(req.query), { wrap: wrapped }));
  });

  return router;
}
