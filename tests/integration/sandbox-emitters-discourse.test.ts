import { describe, expect, it } from 'vitest';
import { delivered, post, useEmitterSandbox } from '../support/sandbox-emitters.js';

/**
 * The Discourse emitter takes webhook bodies as Discourse sends them, a captured delivery too; a
 * payload missing what Discourse always sends is refused with 400 naming the field.
 */

useEmitterSandbox();

describe('POST /_sandbox/discourse/emit', () => {
  /** WebHookPostSerializer's body for a new post by someone the forum does not know yet. */
  const realPost = {
    id: 4711,
    name: 'Mary Jackson',
    username: 'mary',
    avatar_template: '/user_avatar/forum.example.com/mary/{size}/1_2.png',
    created_at: '2024-03-02T09:30:00.000Z',
    cooked: '<p>How do I reset my password?</p>',
    post_number: 1,
    post_type: 1,
    updated_at: '2024-03-02T09:30:00.000Z',
    reply_count: 0,
    reply_to_post_number: null,
    quote_count: 0,
    topic_id: 321,
    topic_slug: 'password-reset',
    topic_title: 'Password reset',
    topic_archetype: 'regular',
    category_id: 4,
    category_slug: 'support',
    user_id: 77,
    raw: 'How do I reset my password?',
    post_url: '/t/password-reset/321/1',
  };

  it('delivers a real post_created body as given', async () => {
    const emitted = await post('/_sandbox/discourse/emit', {
      event: 'post_created',
      post: realPost,
    });
    expect(emitted.status).toBe(200);
    expect(delivered[0]).toMatchObject({
      path: '/webhooks/discourse',
      headers: { 'x-discourse-event': 'post_created', 'x-discourse-event-type': 'post' },
      body: { post: realPost },
    });
  });

  it('takes a captured delivery: the body Discourse sent, the event in X-Discourse-Event', async () => {
    const user = { id: 90, username: 'evelyn', name: 'Evelyn Boyd', email: 'evelyn@example.com' };
    const emitted = await post(
      '/_sandbox/discourse/emit',
      { user },
      { 'x-discourse-event': 'user_created' },
    );
    expect(emitted.status).toBe(200);
    expect(delivered[0]).toMatchObject({
      headers: { 'x-discourse-event': 'user_created' },
      body: { user },
    });
  });

  it.each([
    [{ event: 'user_created', user: 'grace' }, 'user must be an object'],
    [{ event: 'user_created', user: { username: 42 } }, 'user.username must be a string'],
    [
      { event: 'user_destroyed', user: { username: 'ghost' } },
      'user.id is required (no forum user is named ghost)',
    ],
    [{ event: 'post_created', post: { topic_id: '321' } }, 'post.topic_id must be a number'],
  ])('answers 400 naming the field: %j', async (body, error) => {
    const emitted = await post('/_sandbox/discourse/emit', body);
    expect(emitted).toEqual({ status: 400, body: { error } });
    expect(delivered).toHaveLength(0);
  });
});
