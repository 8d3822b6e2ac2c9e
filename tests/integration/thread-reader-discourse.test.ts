import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DISCOURSE_SPEC } from '../../sandbox/discourse/spec.js';
import { discourseReactor, discourseThreadReader } from '../../connectors/discourse/threads.js';
import {
  addUser,
  API_KEY,
  discourse,
  sandbox,
  useDiscourseEmulator,
} from '../support/discourse-client.js';

/** ThreadReader and Reactor (a like) on Discourse: the connector against the forum emulator. */

useDiscourseEmulator();

const config = () => ({
  baseUrl: sandbox.url,
  apiKey: API_KEY,
  apiUsername: 'system',
  webhookSecret: 'unused-here',
});

/** A post by a member, through the API as that member (the emulator's Api-Username). */
async function postAs(username: string, body: Record<string, unknown>) {
  const response = await fetch(`${sandbox.url}/posts.json`, {
    method: 'POST',
    headers: { 'Api-Key': API_KEY, 'Api-Username': username, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { id: number; topic_id: number };
}

async function likes() {
  return (await (await fetch(`${sandbox.url}/_sandbox/discourse/likes`)).json()) as {
    post_id: number;
    username: string;
  }[];
}

describe('Discourse thread reader and reactor', () => {
  it('reads a topic in order with its authors, past the first page, the newest kept', async () => {
    await addUser('ada');
    await addUser('grace');
    const first = await postAs('ada', {
      title: 'Password reset does not arrive',
      raw: 'I asked for a reset email twice.\n\nNothing came & I waited an hour.',
    });
    const topicId = first.topic_id;
    for (let i = 2; i <= 22; i++)
      await postAs(i % 2 ? 'ada' : 'grace', {
        topic_id: topicId,
        raw: `Reply number ${i} in this long topic`,
      });
    await discourse.replyToTopic({
      topicId,
      raw: 'A support ticket was opened for this: #4521.',
      dedupKey: 'handoff:discourse:1:link',
    });
    const reader = discourseThreadReader(discourse, config());

    const all = await reader.readThread({ channelId: '1', threadId: String(topicId), limit: 100 });
    expect(all).toHaveLength(23);
    expect(all[0]).toMatchObject({
      messageId: String(first.id),
      authorName: 'ada',
      text: 'I asked for a reset email twice.\n\nNothing came & I waited an hour.',
      bot: false,
    });
    expect(all.map((m) => m.text).slice(1, 22)).toEqual(
      Array.from({ length: 21 }, (_, i) => `Reply number ${i + 2} in this long topic`),
    );
    // townhall's own reply, its hidden dedup marker gone with the cooking.
    expect(all[22]).toMatchObject({
      authorId: '-1',
      authorName: 'system',
      text: 'A support ticket was opened for this: #4521.',
      bot: true,
    });

    const cut = await reader.readThread({ channelId: '1', threadId: String(topicId), limit: 3 });
    expect(cut.map((m) => m.text)).toEqual([
      'Reply number 21 in this long topic',
      'Reply number 22 in this long topic',
      'A support ticket was opened for this: #4521.',
    ]);
  });

  it('links to the topic by the slug the API answers with', async () => {
    await addUser('ada');
    const first = await postAs('ada', {
      title: 'Export to CSV fails',
      raw: 'The export button spins forever and nothing downloads.',
    });
    const reader = discourseThreadReader(discourse, config());
    expect(await reader.permalink({ channelId: '1', threadId: String(first.topic_id) })).toBe(
      `${sandbox.url}/t/export-to-csv-fails/${first.topic_id}`,
    );
    expect(
      await reader.permalink({ channelId: '1', threadId: '999' }).catch((e: unknown) => e),
    ).toMatchObject({ code: 'not_found' });
  });

  it('likes a post once, however often it is asked and whatever the emoji', async () => {
    await addUser('ada');
    const first = await postAs('ada', {
      title: 'Solved: login loop',
      raw: 'Clearing cookies fixed the login loop for me.',
    });
    const reactor = discourseReactor(discourse);
    const target = { channelId: '1', messageId: String(first.id) };
    await reactor.addReaction({ ...target, emoji: '✅' });
    await reactor.addReaction({ ...target, emoji: 'white_check_mark' });
    expect(await likes()).toEqual([
      expect.objectContaining({ post_id: first.id, username: 'system' }),
    ]);
    expect(await discourse.likePost(first.id)).toEqual({ created: false });

    // The API user's own post cannot be liked: Discourse refuses the action, not the key.
    const own = await discourse.replyToTopic({
      topicId: first.topic_id,
      raw: 'Glad that worked, closing the ticket now.',
      dedupKey: 'handoff:discourse:2:solved',
    });
    expect(
      await reactor
        .addReaction({ channelId: '1', messageId: String(own.postId), emoji: '✅' })
        .catch((e: unknown) => e),
    ).toMatchObject({ code: 'invalid', retryable: false });
    expect(await likes()).toHaveLength(1);
  });

  it('answers a like and the liked post in the shapes the OpenAPI description documents', async () => {
    const spec = JSON.parse(readFileSync(DEFAULT_DISCOURSE_SPEC, 'utf8')) as {
      paths: Record<
        string,
        Record<
          string,
          { responses: Record<string, { content: Record<string, { schema: object }> }> }
        >
      >;
    };
    const validator = (path: string, method: string) =>
      new Ajv2020({ strict: false }).compile(
        spec.paths[path]![method]!.responses['200']!.content['application/json']!.schema,
      );
    await addUser('ada');
    const first = await postAs('ada', {
      title: 'Shapes of a liked post',
      raw: 'A body that is long enough for Discourse.',
    });
    const headers = { 'Api-Key': API_KEY, 'Api-Username': 'system' };
    const liked = await fetch(`${sandbox.url}/post_actions.json`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ id: first.id, post_action_type_id: 2 }),
    });
    expect(liked.status).toBe(200);
    const likeAnswer = validator('/post_actions.json', 'post');
    expect(likeAnswer(await liked.json()), JSON.stringify(likeAnswer.errors)).toBe(true);
    const read = (await (
      await fetch(`${sandbox.url}/posts/${first.id}.json`, { headers })
    ).json()) as { actions_summary: unknown };
    const postAnswer = validator('/posts/{id}.json', 'get');
    expect(postAnswer(read), JSON.stringify(postAnswer.errors)).toBe(true);
    expect(read.actions_summary).toEqual([{ id: 2, count: 1, acted: true, can_undo: true }]);
  });
});
