import type { Comment, Message, Post, RedditStore, Thing } from './store.js';
import { accountFullname, fullname, id36Of, subredditFullname } from './store.js';

/** Reddit's JSON for things and listings, as the OAuth API returns it. */

const WEB = 'https://www.reddit.com';

/** Reddit's permalink slug: the title's first words, lower case, joined by underscores. */
export function slugOf(title: string): string {
  const slug = title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 50)
    .replace(/_+$/, '');
  return slug || 'post';
}

export const postPermalink = (post: Post) =>
  `/r/${post.subreddit}/comments/${id36Of(post)}/${slugOf(post.title)}/`;

export interface Listing {
  kind: 'Listing';
  data: {
    after: string | null;
    before: string | null;
    dist: number | null;
    modhash: null;
    children: { kind: string; data: unknown }[];
  };
}

export function listing(
  children: { kind: string; data: unknown }[],
  cursors: { after?: string | null; before?: string | null; dist?: number | null } = {},
): Listing {
  return {
    kind: 'Listing',
    data: {
      after: cursors.after ?? null,
      before: cursors.before ?? null,
      dist: cursors.dist === undefined ? children.length : cursors.dist,
      modhash: null,
      children,
    },
  };
}

/**
 * Who wrote it, as readers see it: a deleted thing has lost its author (and author_fullname is
 * absent, not null, as on Reddit).
 */
function authorFields(store: RedditStore, thing: Post | Comment) {
  if (thing.state === 'deleted') return { author: '[deleted]' };
  const account = store.account(thing.author);
  return {
    author: account?.name ?? thing.author,
    ...(account ? { author_fullname: accountFullname(account) } : {}),
  };
}

const textOf = (thing: Post | Comment, text: string) =>
  thing.state === 'deleted' ? '[deleted]' : thing.state === 'removed' ? '[removed]' : text;

export function serializePost(store: RedditStore, post: Post) {
  const sub = store.subreddit(post.subreddit);
  const permalink = postPermalink(post);
  return {
    id: id36Of(post),
    name: fullname(post),
    ...authorFields(store, post),
    title: post.title,
    selftext: textOf(post, post.selftext),
    created_utc: post.createdUtc,
    subreddit: post.subreddit,
    subreddit_id: sub ? subredditFullname(sub) : null,
    subreddit_name_prefixed: `r/${post.subreddit}`,
    permalink,
    url: `${WEB}${permalink}`,
    is_self: true,
    link_flair_text: post.flair,
    num_comments: store.commentCount(post),
    removed_by_category:
      post.state === 'deleted' ? 'deleted' : post.state === 'removed' ? 'moderator' : null,
    distinguished: null,
    stickied: false,
    over_18: false,
  };
}

export function serializeComment(store: RedditStore, comment: Comment) {
  const post = store.thing(`t3_${comment.postSeq.toString(36)}`) as Post | undefined;
  const postLink = post ? postPermalink(post) : `/r/${comment.subreddit}/comments/`;
  return {
    id: id36Of(comment),
    name: fullname(comment),
    ...authorFields(store, comment),
    body: textOf(comment, comment.body),
    created_utc: comment.createdUtc,
    subreddit: comment.subreddit,
    link_id: `t3_${comment.postSeq.toString(36)}`,
    link_title: post?.title ?? null,
    parent_id: comment.parent,
    permalink: `${postLink}${id36Of(comment)}/`,
    distinguished: null,
    replies: '' as Listing | '',
  };
}

export function serializeMessage(message: Message) {
  return {
    id: id36Of(message),
    name: fullname(message),
    author: message.author,
    dest: message.dest,
    subject: message.subject,
    body: message.body,
    created_utc: message.createdUtc,
    was_comment: false,
  };
}

/** `{ kind, data }` as listings and api/comment wrap a thing. */
export function wrap(store: RedditStore, thing: Thing) {
  if (thing.kind === 't3') return { kind: 't3', data: serializePost(store, thing) };
  if (thing.kind === 't1') return { kind: 't1', data: serializeComment(store, thing) };
  return { kind: 't4', data: serializeMessage(thing) };
}

/**
 * GET /comments/<id>'s second listing: top-level comments (at most `limit`), each carrying its
 * replies as a nested listing, or '' when it has none, as Reddit does.
 */
export function commentTree(
  store: RedditStore,
  post: Post,
  options: { oldestFirst: boolean; limit: number },
): Listing {
  const onPost = store.comments().filter((comment) => comment.postSeq === post.seq);
  const order = (list: Comment[]) => (options.oldestFirst ? list : [...list].reverse());
  const childrenOf = (parent: string) => order(onPost.filter((c) => c.parent === parent));
  const node = (comment: Comment, depth: number): { kind: string; data: unknown } => {
    const replies = childrenOf(fullname(comment)).map((reply) => node(reply, depth + 1));
    const data = serializeComment(store, comment);
    return {
      kind: 't1',
      data: {
        ...data,
        depth,
        replies: replies.length > 0 ? listing(replies, { dist: null }) : '',
      },
    };
  };
  const top = childrenOf(fullname(post)).slice(0, options.limit);
  return listing(
    top.map((comment) => node(comment, 0)),
    { dist: null },
  );
}
