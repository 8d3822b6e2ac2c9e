import { describe, expect, it } from 'vitest';
import { addUser, discourse, inspect, useDiscourseEmulator } from '../support/discourse-client.js';

/** Topics, replies and private messages, each once per dedup key. */

useDiscourseEmulator();

describe('Discourse connector against the emulator', () => {
  it('creates a topic once per dedup key, in the requested category', async () => {
    const input = {
      title: 'Welcome to the community forum',
      raw: 'Introduce yourself here, we are glad you came.',
      categoryId: 4,
      dedupKey: 'onboarding:m-1:welcome-topic',
    };
    const first = await discourse.createTopic(input);
    const retry = await discourse.createTopic(input);
    expect(first).toMatchObject({ postNumber: 1, created: true });
    expect(retry).toEqual({ ...first, created: false });

    const messages = await inspect<Record<string, unknown>>('messages');
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({
      kind: 'topic',
      title: input.title,
      raw: input.raw,
      category_id: 4,
      username: 'system',
      external_id: expect.stringMatching(/^th-[0-9a-f]{40}$/),
    });
    const other = await discourse.createTopic({
      ...input,
      dedupKey: 'onboarding:m-2:welcome-topic',
    });
    expect(other.created).toBe(true);
    expect(other.topicId).not.toBe(first.topicId);
  });

  it('replies in a topic once per dedup key; the key is invisible in the rendered post', async () => {
    const topic = await discourse.createTopic({
      title: 'Password reset does not arrive',
      raw: 'I asked for a reset email twice and nothing came.',
      dedupKey: 'topic-for-replies',
    });
    const reply = {
      topicId: topic.topicId,
      raw: 'A support ticket was opened for this: #4521.',
      dedupKey: 'handoff:discourse:77:link',
    };
    const first = await discourse.replyToTopic(reply);
    const retry = await discourse.replyToTopic(reply);
    expect(first).toMatchObject({ topicId: topic.topicId, postNumber: 2, created: true });
    expect(retry).toEqual({ ...first, created: false });
    const again = await discourse.replyToTopic({
      ...reply,
      dedupKey: 'handoff:discourse:77:update',
    });
    expect(again).toMatchObject({ postNumber: 3, created: true });

    const read = await discourse.getTopicPosts(topic.topicId);
    expect(read).toMatchObject({
      topicId: topic.topicId,
      title: 'Password reset does not arrive',
      categoryId: 1,
    });
    expect(read.posts.map((post) => post.postNumber)).toEqual([1, 2, 3]);
    expect(read.posts[1]?.cooked).toBe('<p>A support ticket was opened for this: #4521.</p>');
    const replies = (await inspect<{ kind: string }>('messages')).filter((m) => m.kind === 'reply');
    expect(replies).toHaveLength(2);
  });

  it('sends a private message once per dedup key', async () => {
    await addUser('ada');
    await addUser('grace');
    const input = {
      recipients: ['ada', 'grace'],
      title: 'Your first week',
      raw: 'Here is what to try first.',
      dedupKey: 'onboarding:m-3:pm-1',
    };
    const first = await discourse.sendPrivateMessage(input);
    expect((await discourse.sendPrivateMessage(input)).created).toBe(false);
    expect(first.created).toBe(true);
    const messages = await inspect<Record<string, unknown>>('messages');
    expect(messages).toEqual([
      expect.objectContaining({
        kind: 'private_message',
        target_recipients: ['ada', 'grace'],
        category_id: null,
      }),
    ]);
  });
});
