import type { z } from 'zod';
import { ConnectorError } from '../errors.js';
import type { streamPost } from './answers.js';
import { postsByIds, read, singlePost, topicViewSchema } from './answers.js';
import type { DiscourseCall } from './http.js';

/** Reading a topic's posts back, and liking one: what a handoff's transcript and ✅ need. */

export interface TopicPost {
  id: number;
  postNumber: number;
  username: string;
  /** Absent only where an older Discourse leaves it out. */
  userId: number | null;
  name: string | null;
  /** 1 regular, 2 moderator action, 3 small action ("closed this topic"), 4 whisper. */
  postType: number;
  cooked: string;
  createdAt: string;
}

export interface TopicPosts {
  topicId: number;
  title: string;
  /** The URL slug: the topic's page is <base>/t/<slug>/<id>. */
  slug: string | null;
  categoryId: number | null;
  /** The first page Discourse serves (its first 20 posts), oldest first. */
  posts: TopicPost[];
  /** Every post id of the topic, oldest first (the topic view's `stream`). */
  stream: number[];
}

/** Discourse's post action type for a like. */
const LIKE = 2;
/** Post ids asked for per /t/{id}/posts.json call: the topic view's own page size. */
const POSTS_PER_CALL = 20;

const toTopicPost = (post: z.infer<typeof streamPost>): TopicPost => ({
  id: post.id,
  postNumber: post.post_number,
  username: post.username,
  userId: post.user_id ?? null,
  name: post.name ?? null,
  postType: post.post_type ?? 1,
  cooked: post.cooked,
  createdAt: post.created_at,
});

/** The topic-reading half of the connector, over the same API calls. */
export function topicReads(call: DiscourseCall) {
  return {
    async getTopicPosts(topicId: number): Promise<TopicPosts> {
      const action = 'topic read';
      const { json } = await call(action, { method: 'GET', path: `/t/${topicId}.json` });
      const topic = read(topicViewSchema, json, action);
      return {
        topicId: topic.id,
        title: topic.title,
        slug: topic.slug ?? null,
        categoryId: topic.category_id ?? null,
        posts: topic.post_stream.posts.map(toTopicPost),
        stream: topic.post_stream.stream ?? topic.post_stream.posts.map((post) => post.id),
      };
    },

    async getPosts(topicId: number, postIds: readonly number[]): Promise<TopicPost[]> {
      const action = 'topic read';
      const posts: TopicPost[] = [];
      for (let i = 0; i < postIds.length; i += POSTS_PER_CALL) {
        const query = postIds
          .slice(i, i + POSTS_PER_CALL)
          .map((id) => `post_ids[]=${id}`)
          .join('&');
        const { json } = await call(action, {
          method: 'GET',
          path: `/t/${topicId}/posts.json?${query}`,
        });
        posts.push(...read(postsByIds, json, action).post_stream.posts.map(toTopicPost));
      }
      return posts.sort((a, b) => a.postNumber - b.postNumber);
    },

    async likePost(postId: number): Promise<{ created: boolean }> {
      const action = 'like';
      const liked = async () => {
        const { json } = await call(action, { method: 'GET', path: `/posts/${postId}.json` });
        const post = read(singlePost, json, action);
        return post.actions_summary?.some((a) => a.id === LIKE && a.acted === true) ?? false;
      };
      // Discourse refuses a second like (403), so the state is read first, not the refusal.
      if (await liked()) return { created: false };
      const { status } = await call(action, {
        method: 'POST',
        path: '/post_actions.json',
        body: { id: postId, post_action_type_id: LIKE },
        accept: [403],
      });
      if (status !== 403) return { created: true };
      // The read above worked, so the key is fine: Discourse refused the action itself. A
      // concurrent attempt's like is the state asked for; anything else is this post's rule.
      if (await liked()) return { created: false };
      throw new ConnectorError(
        'invalid',
        `Discourse ${action} refused (HTTP 403): the API user may not like this post (its own, or in a closed or archived topic)`,
        { vendor: 'discourse', status },
      );
    },
  };
}
