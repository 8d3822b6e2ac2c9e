// The handoff tests' Discourse side: a member's post is made in the sandbox's forum (through its
// API, as that member: the emitter alone delivers a webhook but stores nothing the hub could read
// back) and then delivered to the hub as Discourse's signed post_created webhook; the hub's own
// posts (as its API user) are echoed back the same way, as Discourse sends a webhook for every
// post whoever wrote it.
import { expect } from 'vitest';
import type { Sandbox } from '../../sandbox/index.js';
import { DISCOURSE_DEFAULTS } from '../../sandbox/discourse/index.js';

/** A post as GET /_sandbox/discourse/messages lists what API clients posted. */
export interface ForumMessage {
  id: number;
  topic_id: number;
  post_number: number;
  raw: string;
  username: string;
  category_id: number | null;
}

/** A call to the forum's admin API, acting as `username` (Api-Username). */
export async function discourseApi(
  sandbox: Sandbox,
  username: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<Record<string, unknown>> {
  const response = await fetch(`${sandbox.url}${path}`, {
    method,
    headers: {
      'Api-Key': DISCOURSE_DEFAULTS.apiKey,
      'Api-Username': username,
      'content-type': 'application/json',
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const answer = (await response.json()) as Record<string, unknown>;
  expect(response.status, `${method} ${path}: ${JSON.stringify(answer)}`).toBe(200);
  return answer;
}

/** A webhook from the sandbox's forum to the hub; the hub must take it. */
export async function emitDiscourse(sandbox: Sandbox, body: Record<string, unknown>) {
  const response = await fetch(`${sandbox.url}/_sandbox/discourse/emit`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = (await response.json()) as Record<string, unknown>;
  expect(response.status, `emit ${JSON.stringify(body)}: ${JSON.stringify(answer)}`).toBe(200);
}

/** A forum user made through the admin API, unknown to the hub: answers the user's id. */
export async function addForumUser(sandbox: Sandbox, username: string, name: string) {
  const created = await discourseApi(sandbox, 'system', 'POST', '/users.json', {
    username,
    name,
    email: `${username}@example.com`,
    password: 'correct horse battery staple',
  });
  return created.user_id as number;
}

/** A member who signs up: the forum has them, and the hub hears user_created (with the email). */
export async function joinDiscourse(sandbox: Sandbox, username: string, name: string) {
  const email = `${username}@example.com`;
  await emitDiscourse(sandbox, { event: 'user_created', user: { username, name, email } });
  return email;
}

/** The post_created webhook for a post the forum holds, as WebHookPostSerializer renders it. */
async function deliverPost(sandbox: Sandbox, post: Record<string, unknown>) {
  const topic = await discourseApi(sandbox, 'system', 'GET', `/t/${post.topic_id as number}.json`);
  await emitDiscourse(sandbox, {
    event: 'post_created',
    post: {
      ...post,
      topic_title: topic.title,
      topic_archetype: topic.archetype,
      category_id: topic.category_id,
    },
  });
}

/**
 * A member's post: a new topic (`title`, `category`) or a reply (`topicId`), made in the forum
 * as `username` and delivered to the hub. Answers the post's id and its topic's.
 */
export async function discoursePost(
  sandbox: Sandbox,
  username: string,
  post: { raw: string; title?: string; category?: number; topicId?: number },
): Promise<{ postId: number; topicId: number }> {
  const created = await discourseApi(sandbox, username, 'POST', '/posts.json', {
    raw: post.raw,
    ...(post.title !== undefined ? { title: post.title } : {}),
    ...(post.category !== undefined ? { category: post.category } : {}),
    ...(post.topicId !== undefined ? { topic_id: post.topicId } : {}),
  });
  await deliverPost(sandbox, created);
  return { postId: created.id as number, topicId: created.topic_id as number };
}

/** post_created again for a post the forum holds, as Discourse's retry of a delivery sends it. */
export async function deliverForumPost(sandbox: Sandbox, postId: number) {
  await deliverPost(sandbox, await discourseApi(sandbox, 'system', 'GET', `/posts/${postId}.json`));
}

const forumMessages = async (sandbox: Sandbox) =>
  (await (await fetch(`${sandbox.url}/_sandbox/discourse/messages`)).json()) as ForumMessage[];

/** What `username` (the hub's API user) posted in a topic, oldest first. */
export const topicPostsBy = async (sandbox: Sandbox, username: string, topicId: number) =>
  (await forumMessages(sandbox)).filter((m) => m.topic_id === topicId && m.username === username);

/**
 * Discourse's webhook for each of `username`'s posts not delivered yet: the hub hears its own
 * posts as the forum sends them. Answers how many were delivered.
 */
export function discourseEcho(sandbox: Sandbox, username: string) {
  const delivered = new Set<number>();
  return async () => {
    let count = 0;
    for (const message of await forumMessages(sandbox)) {
      if (message.username !== username || delivered.has(message.id)) continue;
      delivered.add(message.id);
      await deliverForumPost(sandbox, message.id);
      count += 1;
    }
    return count;
  };
}
