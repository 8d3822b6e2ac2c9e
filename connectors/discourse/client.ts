import { z } from 'zod';
import { ConnectorError } from '../errors.js';
import type { DiscourseConfig } from './config.js';
import { RECENT_POSTS_SEARCHED, externalIdFor, replyMarker } from './dedup.js';
import type { DiscourseCall } from './http.js';
import { discourseHttp } from './http.js';
import { createdPost, postsByIds, read, singlePost, topicViewSchema, userView } from './answers.js';
import type { TopicPost, TopicPosts } from './topics.js';
import { topicReads } from './topics.js';

export type { TopicPost, TopicPosts };

export interface CreatedPost {
  topicId: number;
  postId: number;
  postNumber: number;
  /** False when an earlier attempt with the same dedup key had already posted it. */
  created: boolean;
}

export interface DiscourseUserInfo {
  id: number;
  username: string;
  name: string | null;
  groups: { id: number; name: string }[];
}

export interface DiscourseConnector {
  replyToTopic(input: {
    topicId: number;
    raw: string;
    dedupKey: string;
    replyToPostNumber?: number;
  }): Promise<CreatedPost>;
  createTopic(input: {
    title: string;
    raw: string;
    categoryId?: number;
    dedupKey: string;
  }): Promise<CreatedPost>;
  sendPrivateMessage(input: {
    recipients: string[];
    title: string;
    raw: string;
    dedupKey: string;
  }): Promise<CreatedPost>;
  addToGroup(input: { groupId: number; username: string }): Promise<{ added: boolean }>;
  removeFromGroup(input: { groupId: number; username: string }): Promise<{ removed: boolean }>;
  /** undefined when no such user exists. */
  getUser(username: string): Promise<DiscourseUserInfo | undefined>;
  getTopicPosts(topicId: number): Promise<TopicPosts>;
  /** These posts of the topic (Discourse serves a page of ids at a time), oldest first. */
  getPosts(topicId: number, postIds: readonly number[]): Promise<TopicPost[]>;
  /** The API user likes the post; `created` is false when it already had. */
  likePost(postId: number): Promise<{ created: boolean }>;
}

export function createDiscourseConnector(config: DiscourseConfig): DiscourseConnector {
  const call: DiscourseCall = discourseHttp(config);
  const me = config.apiUsername.toLowerCase();
  const topics = topicReads(call);

  async function readTopic(topicId: number, action: string) {
    const { json } = await call(action, { method: 'GET', path: `/t/${topicId}.json` });
    return read(topicViewSchema, json, action);
  }

  /** The topic (or PM) an earlier attempt created under this external id, if any. */
  async function topicByExternalId(externalId: string, action: string) {
    // Discourse answers with a 301 to /t/{id}.json, which fetch follows.
    const { status, json } = await call(action, {
      method: 'GET',
      path: `/t/external_id/${externalId}.json`,
      accept: [404],
    });
    if (status === 404) return undefined;
    const topic = read(topicViewSchema, json, action);
    const first = topic.post_stream.posts.find((post) => post.post_number === 1);
    if (!first)
      throw new ConnectorError('unavailable', `Discourse ${action}: topic has no first post`);
    return { topicId: topic.id, postId: first.id, postNumber: 1, created: false };
  }

  /** Creates a topic or PM keyed by external id; a lost race shows up as the key now existing. */
  async function createKeyed(
    action: string,
    dedupKey: string,
    body: Record<string, unknown>,
    names: readonly string[] = [],
  ): Promise<CreatedPost> {
    const externalId = externalIdFor(dedupKey);
    const earlier = await topicByExternalId(externalId, action);
    if (earlier) return earlier;
    try {
      const { json } = await call(action, {
        method: 'POST',
        path: '/posts.json',
        body: { ...body, external_id: externalId },
        names,
      });
      const post = read(createdPost, json, action);
      return {
        topicId: post.topic_id,
        postId: post.id,
        postNumber: post.post_number,
        created: true,
      };
    } catch (error) {
      // A concurrent attempt may have won: decided by state (the key exists), not by message.
      if (error instanceof ConnectorError && error.code === 'invalid') {
        const winner = await topicByExternalId(externalId, action);
        if (winner) return winner;
      }
      throw error;
    }
  }

  /** An earlier attempt of this reply among the topic's latest posts by the API user. */
  async function findReply(topicId: number, marker: string, action: string) {
    const topic = await readTopic(topicId, action);
    const stream = topic.post_stream.stream ?? topic.post_stream.posts.map((post) => post.id);
    const recent = stream.slice(-RECENT_POSTS_SEARCHED);
    if (recent.length === 0) return undefined;
    const query = recent.map((id) => `post_ids[]=${id}`).join('&');
    const { json } = await call(action, {
      method: 'GET',
      path: `/t/${topicId}/posts.json?${query}`,
    });
    const mine = read(postsByIds, json, action)
      .post_stream.posts.filter((post) => post.username.toLowerCase() === me)
      .sort((a, b) => b.post_number - a.post_number);
    for (const candidate of mine) {
      const full = await call(action, { method: 'GET', path: `/posts/${candidate.id}.json` });
      if (read(singlePost, full.json, action).raw?.includes(marker)) {
        return { topicId, postId: candidate.id, postNumber: candidate.post_number, created: false };
      }
    }
    return undefined;
  }

  async function getUser(username: string): Promise<DiscourseUserInfo | undefined> {
    const action = 'user lookup';
    const { status, json } = await call(action, {
      method: 'GET',
      path: `/u/${encodeURIComponent(username)}.json`,
      accept: [404],
      names: [username],
    });
    if (status === 404) return undefined;
    const { user } = read(userView, json, action);
    return {
      id: user.id,
      username: user.username,
      name: user.name ?? null,
      groups: (user.groups ?? []).map(({ id, name }) => ({ id, name })),
    };
  }

  return {
    async replyToTopic({ topicId, raw, dedupKey, replyToPostNumber }) {
      const action = 'reply';
      const marker = replyMarker(dedupKey);
      const earlier = await findReply(topicId, marker, action);
      if (earlier) return earlier;
      const { json } = await call(action, {
        method: 'POST',
        path: '/posts.json',
        body: {
          topic_id: topicId,
          raw: `${raw}\n\n${marker}`,
          ...(replyToPostNumber !== undefined ? { reply_to_post_number: replyToPostNumber } : {}),
        },
      });
      const post = read(createdPost, json, action);
      return {
        topicId: post.topic_id,
        postId: post.id,
        postNumber: post.post_number,
        created: true,
      };
    },

    createTopic({ title, raw, categoryId, dedupKey }) {
      return createKeyed('topic creation', dedupKey, {
        title,
        raw,
        ...(categoryId !== undefined ? { category: categoryId } : {}),
      });
    },

    sendPrivateMessage({ recipients, title, raw, dedupKey }) {
      return createKeyed(
        'private message',
        dedupKey,
        { title, raw, archetype: 'private_message', target_recipients: recipients.join(',') },
        recipients,
      );
    },

    async addToGroup({ groupId, username }) {
      const action = 'group add';
      const { status } = await call(action, {
        method: 'PUT',
        path: `/groups/${groupId}/members.json`,
        body: { usernames: username },
        accept: [422],
        names: [username],
      });
      if (status !== 422) return { added: true };
      // Discourse answers 422 when everyone named is already a member; check that it is so.
      const user = await getUser(username);
      if (user?.groups.some((group) => group.id === groupId)) return { added: false };
      throw new ConnectorError('invalid', `Discourse ${action} failed: HTTP 422`, {
        vendor: 'discourse',
        status,
      });
    },

    async removeFromGroup({ groupId, username }) {
      const { json } = await call('group remove', {
        method: 'DELETE',
        path: `/groups/${groupId}/members.json`,
        body: { usernames: username },
        names: [username],
      });
      // Removing a non-member succeeds with the name under skipped_usernames.
      const removed = read(
        z.looseObject({ usernames: z.array(z.unknown()).optional() }),
        json,
        'group remove',
      ).usernames;
      return { removed: (removed?.length ?? 0) > 0 };
    },

    getUser,

    ...topics,
  };
}
