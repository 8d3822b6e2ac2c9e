import { ConnectorError } from '../errors.js';
import type { ThreadMessage, ThreadReader } from '../ports.js';
import type { RedditConnector } from './client.js';
import { childrenOf, comment, isGone, post } from './things.js';
import type { RedditComment } from './things.js';

const POST_ID = /^t3_([a-z0-9]+)$/;

/** A comment tree flattened: each comment, then its replies (`replies` is '' or a listing). */
function flatten(action: string, comments: RedditComment[]): RedditComment[] {
  return comments.flatMap((item) => [
    item,
    ...(item.replies && typeof item.replies === 'object'
      ? flatten(action, childrenOf(action, item.replies, 't1', comment).items)
      : []),
  ]);
}

/** A Reddit thread is a post and its comment tree, read with /comments/:id. */
export function redditThreadReader(reddit: RedditConnector): ThreadReader {
  async function read(threadId: string) {
    const id = POST_ID.exec(threadId)?.[1];
    if (!id)
      throw new ConnectorError('invalid', 'a Reddit thread id is a post fullname (t3_…)', {
        vendor: 'reddit',
      });
    const body = await reddit.http.call('read thread', {
      method: 'GET',
      path: `/comments/${id}`,
      // Reddit's most, oldest first: the newest `limit` of them are kept below.
      query: { sort: 'old', limit: 500 },
    });
    if (!Array.isArray(body) || body.length < 2)
      throw new ConnectorError('unavailable', "Reddit read thread: the answer is not the API's", {
        vendor: 'reddit',
      });
    const root = childrenOf('read thread', body[0], 't3', post).items[0];
    if (!root)
      throw new ConnectorError('not_found', `Reddit has no post ${threadId}`, { vendor: 'reddit' });
    return {
      root,
      comments: flatten('read thread', childrenOf('read thread', body[1], 't1', comment).items),
    };
  }

  const bot = reddit.config.username.toLowerCase();
  return {
    async readThread({ threadId, limit }) {
      const { root, comments } = await read(threadId);
      const messages: ThreadMessage[] = [
        {
          messageId: root.name,
          authorId: root.author,
          authorName: root.author,
          text:
            isGone(root.selftext) || !root.selftext
              ? root.title
              : `${root.title}\n\n${root.selftext}`,
          postedAt: new Date(root.created_utc * 1000).toISOString(),
          bot: root.author.toLowerCase() === bot,
        },
        ...comments
          .sort((a, b) => a.created_utc - b.created_utc)
          .map((item) => ({
            messageId: item.name,
            authorId: item.author,
            authorName: item.author,
            text: isGone(item.body) ? '' : item.body,
            postedAt: new Date(item.created_utc * 1000).toISOString(),
            bot: item.author.toLowerCase() === bot,
          })),
      ];
      return messages.slice(-limit);
    },
    async permalink({ threadId }) {
      const { root } = await read(threadId);
      return root.permalink
        ? `${reddit.config.webUrl.replace(/\/+$/, '')}${root.permalink}`
        : undefined;
    },
  };
}
