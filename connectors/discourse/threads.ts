import { ConnectorError } from '../errors.js';
import type { Reactor, ThreadMessage, ThreadReader } from '../ports.js';
import type { DiscourseConnector, TopicPost } from './client.js';
import type { DiscourseConfig } from './config.js';

/** "closed this topic", "pinned globally": notices, not what anyone said. */
const SMALL_ACTION = 3;

function topicId(threadId: string): number {
  const id = Number(threadId);
  if (!Number.isInteger(id) || id <= 0)
    throw new ConnectorError('invalid', 'a Discourse thread id is a topic number', {
      vendor: 'discourse',
    });
  return id;
}

/**
 * A post's text from its cooked HTML (topic views carry no raw): paragraphs and line breaks
 * kept, tags dropped, Discourse's entities read back.
 */
export function cookedText(cooked: string): string {
  return cooked
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|li|h\d|blockquote|pre|aside)>/gi, '\n\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/[ \t]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/**
 * A topic read back: its newest `limit` posts, oldest first. The topic view serves the first 20
 * posts and every id; the rest are asked for by id. Posts by system users (ids ≤ 0) or by the
 * API user townhall posts as are the bot's.
 */
export function discourseThreadReader(
  discourse: DiscourseConnector,
  config: DiscourseConfig,
): ThreadReader {
  const base = config.baseUrl.replace(/\/+$/, '');
  const me = config.apiUsername.toLowerCase();
  const toMessage = (post: TopicPost): ThreadMessage => ({
    messageId: String(post.id),
    authorId: String(post.userId ?? post.username),
    authorName: post.name || post.username,
    text: cookedText(post.cooked),
    postedAt: new Date(post.createdAt).toISOString(),
    bot: (post.userId !== null && post.userId <= 0) || post.username.toLowerCase() === me,
  });
  return {
    async readThread({ threadId, limit }) {
      const id = topicId(threadId);
      const topic = await discourse.getTopicPosts(id);
      const wanted = topic.stream.slice(-Math.max(1, limit));
      const served = new Map(topic.posts.map((post) => [post.id, post]));
      const missing = wanted.filter((postId) => !served.has(postId));
      const fetched = missing.length > 0 ? await discourse.getPosts(id, missing) : [];
      for (const post of fetched) served.set(post.id, post);
      return wanted.flatMap((postId) => {
        const post = served.get(postId);
        return post && post.postType !== SMALL_ACTION ? [toMessage(post)] : [];
      });
    },
    // The topic's own slug, from the API: <base>/t/<slug>/<id> is the page Discourse links to.
    async permalink({ threadId }) {
      const id = topicId(threadId);
      const { slug } = await discourse.getTopicPosts(id);
      return slug ? `${base}/t/${encodeURIComponent(slug)}/${id}` : `${base}/t/${id}`;
    },
  };
}

/**
 * Discourse has no emoji reactions in core (the reactions plugin's toggle is not idempotent):
 * the closest is a like, so any emoji the config names is a like by the API user.
 */
export function discourseReactor(discourse: DiscourseConnector): Reactor {
  return {
    async addReaction({ messageId }) {
      const postId = Number(messageId);
      if (!Number.isInteger(postId) || postId <= 0)
        throw new ConnectorError('invalid', 'a Discourse message id is a post number', {
          vendor: 'discourse',
        });
      await discourse.likePost(postId);
    },
  };
}
