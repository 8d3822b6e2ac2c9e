import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { discourseInbound } from '../../connectors/discourse/inbound.js';
import { communityEvent } from '../../connectors/events.js';
import { MalformedPayloadError } from '../../connectors/types.js';

const INSTANCE = 'https://forum.example.com';

const parse = (event: string | undefined, body: unknown, instance: string | undefined = INSTANCE) =>
  discourseInbound.parse({
    rawBody: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
    headers: {
      ...(event
        ? { 'x-discourse-event': event, 'x-discourse-event-type': event.split('_')[0] }
        : {}),
      ...(instance ? { 'x-discourse-instance': instance } : {}),
      'x-discourse-event-id': '158765',
    },
  });

/** As WebHookUserSerializer sends it (trimmed of fields townhall ignores). */
const user = {
  id: 42,
  username: 'ada',
  name: 'Ada Lovelace',
  avatar_template: '/user_avatar/forum.example.com/ada/{size}/3_2.png',
  email: 'ada@example.com',
  created_at: '2026-11-24T12:00:00.000Z',
  last_seen_at: null,
  trust_level: 0,
  moderator: false,
  admin: false,
};

/** As WebHookPostSerializer sends it. */
const post = {
  id: 1234,
  name: 'Ada Lovelace',
  username: 'ada',
  avatar_template: '/user_avatar/forum.example.com/ada/{size}/3_2.png',
  created_at: '2026-11-24T12:05:00.000Z',
  cooked: '<p>How do I reset my <strong>password</strong>?</p>',
  post_number: 3,
  post_type: 1,
  updated_at: '2026-11-24T12:05:00.000Z',
  reply_count: 0,
  reply_to_post_number: null,
  topic_id: 77,
  topic_slug: 'password-help',
  topic_title: 'Password help',
  category_id: 4,
  category_slug: 'general',
  raw: 'How do I reset my **password**?',
  user_id: 42,
  topic_posts_count: 3,
  topic_filtered_posts_count: 3,
  topic_archetype: 'regular',
  post_url: '/t/password-help/77/3',
};

describe('Discourse webhook parsing', () => {
  it.each([
    [
      'user_created → member.joined (email, name, username as handle)',
      'user_created',
      { user },
      {
        type: 'member.joined',
        eventId: 'discourse:forum.example.com:user_created:42',
        platform: 'discourse',
        occurredAt: '2026-11-24T12:00:00.000Z',
        member: {
          userId: '42',
          communityId: 'forum.example.com',
          email: 'ada@example.com',
          // Discourse sends user_created before the address is confirmed.
          emailVerified: false,
          name: 'Ada Lovelace',
          handle: 'ada',
          // admin and moderator are stated, both false: known to have neither role.
          roles: [],
        },
      },
    ],
    [
      'user_created through DiscourseConnect: the provider vouches for the address',
      'user_created',
      { user: { ...user, external_id: 'sso-42' } },
      {
        type: 'member.joined',
        eventId: 'discourse:forum.example.com:user_created:42',
        platform: 'discourse',
        occurredAt: '2026-11-24T12:00:00.000Z',
        member: {
          userId: '42',
          communityId: 'forum.example.com',
          email: 'ada@example.com',
          emailVerified: true,
          name: 'Ada Lovelace',
          handle: 'ada',
          roles: [],
        },
      },
    ],
    [
      'user_confirmed_email → member.updated, the address confirmed (one event per address)',
      'user_confirmed_email',
      { user },
      {
        type: 'member.updated',
        eventId:
          'discourse:forum.example.com:user_confirmed_email:42:' +
          createHash('sha256').update('ada@example.com').digest('hex').slice(0, 16),
        platform: 'discourse',
        occurredAt: expect.any(String) as string,
        member: {
          userId: '42',
          communityId: 'forum.example.com',
          email: 'ada@example.com',
          emailVerified: true,
          name: 'Ada Lovelace',
          handle: 'ada',
          roles: [],
        },
      },
    ],
    [
      'user_created without email or name (a non-admin serializer)',
      'user_created',
      { user: { id: 43, username: 'bob', name: null, created_at: '2026-11-24T12:00:00Z' } },
      {
        type: 'member.joined',
        eventId: 'discourse:forum.example.com:user_created:43',
        platform: 'discourse',
        occurredAt: '2026-11-24T12:00:00.000Z',
        member: { userId: '43', communityId: 'forum.example.com', handle: 'bob' },
      },
    ],
    [
      'post_created (a reply) → message.posted in topic 77, category 4',
      'post_created',
      { post },
      {
        type: 'message.posted',
        eventId: 'discourse:forum.example.com:post_created:1234',
        platform: 'discourse',
        occurredAt: '2026-11-24T12:05:00.000Z',
        member: {
          userId: '42',
          communityId: 'forum.example.com',
          name: 'Ada Lovelace',
          handle: 'ada',
        },
        channelId: '4',
        threadId: '77',
        messageId: '1234',
        url: 'https://forum.example.com/t/password-help/77/3',
        text: 'How do I reset my **password**?',
        startsThread: false,
      },
    ],
    [
      'post_created for a topic’s first post (topic start), without raw: cooked text is used',
      'post_created',
      {
        post: {
          ...post,
          id: 1200,
          post_number: 1,
          raw: undefined,
          post_url: '/t/password-help/77/1',
        },
      },
      {
        type: 'message.posted',
        eventId: 'discourse:forum.example.com:post_created:1200',
        platform: 'discourse',
        occurredAt: '2026-11-24T12:05:00.000Z',
        member: {
          userId: '42',
          communityId: 'forum.example.com',
          name: 'Ada Lovelace',
          handle: 'ada',
        },
        channelId: '4',
        threadId: '77',
        messageId: '1200',
        url: 'https://forum.example.com/t/password-help/77/1',
        text: 'How do I reset my password ?',
        startsThread: true,
      },
    ],
  ])('%s', (_name, event, body, expected) => {
    const result = parse(event, body);
    expect(result).toEqual({ kind: 'event', event: expected });
    if (result.kind === 'event') expect(communityEvent.safeParse(result.event).success).toBe(true);
  });

  it('user_destroyed → member.left, keyed by the user id from the signed body', () => {
    const result = parse('user_destroyed', { user });
    expect(result.kind === 'event' && result.event).toMatchObject({
      type: 'member.left',
      eventId: 'discourse:forum.example.com:user_destroyed:42',
      member: { userId: '42', communityId: 'forum.example.com', handle: 'ada' },
    });
    if (result.kind === 'event') expect(communityEvent.safeParse(result.event).success).toBe(true);
  });

  it('gives a redelivery the same event id, whatever X-Discourse-Event-Id or scheme it carries', () => {
    // Discourse creates a new WebHookEvent (new X-Discourse-Event-Id) for every retry.
    const first = parse('user_created', { user });
    const retried = discourseInbound.parse({
      rawBody: Buffer.from(JSON.stringify({ user })),
      headers: {
        'x-discourse-event': 'user_created',
        'x-discourse-instance': 'http://forum.example.com/',
        'x-discourse-event-id': '158999',
      },
    });
    expect(first.kind === 'event' && retried.kind === 'event').toBe(true);
    if (first.kind === 'event' && retried.kind === 'event')
      expect(retried.event.eventId).toBe(first.event.eventId);
  });

  it('keeps a forum served from a subfolder apart from the site root', () => {
    const result = parse('user_created', { user }, 'https://example.com/forum');
    expect(result.kind === 'event' && result.event.member.communityId).toBe('example.com/forum');
  });

  it('answers ping with { ok: true }', () => {
    expect(parse('ping', { ping: 'OK' })).toEqual({ kind: 'reply', body: { ok: true } });
  });

  it.each([
    [
      'topic_created (its first post arrives as post_created)',
      'topic_created',
      { topic: { id: 77, title: 'Password help' } },
    ],
    ['an event no workflow wants', 'post_edited', { post }],
    [
      'a like by the system user',
      'post_liked',
      { like: { post, user: { id: -1, username: 'system' } } },
    ],
    [
      'a like in a private message',
      'post_liked',
      { like: { post: { ...post, category_id: null }, user: { id: 9, username: 'grace' } } },
    ],
    ['the system user joining', 'user_created', { user: { ...user, id: -1, username: 'system' } }],
    [
      'a post by discobot',
      'post_created',
      { post: { ...post, user_id: -2, username: 'discobot' } },
    ],
    [
      'a private message',
      'post_created',
      { post: { ...post, topic_archetype: 'private_message', category_id: null } },
    ],
    ['a small action (“closed this topic”)', 'post_created', { post: { ...post, post_type: 3 } }],
    ['a staff whisper', 'post_created', { post: { ...post, post_type: 4 } }],
  ])('ignores %s', (_name, event, body) => {
    expect(parse(event, body).kind).toBe('ignored');
  });

  it('turns a like into reaction.added (heart) on the post, in its topic; one id per person and post', () => {
    const liked = (userId: number) =>
      parse('post_liked', {
        like: { post, user: { id: userId, username: 'grace', name: 'Grace' } },
      });
    expect(liked(9)).toEqual({
      kind: 'event',
      event: {
        type: 'reaction.added',
        eventId: 'discourse:forum.example.com:post_liked:1234:9',
        platform: 'discourse',
        occurredAt: expect.any(String),
        member: { userId: '9', communityId: 'forum.example.com', name: 'Grace', handle: 'grace' },
        channelId: '4',
        threadId: '77',
        messageId: '1234',
        emoji: 'heart',
      },
    });
    const event = liked(9);
    if (event.kind === 'event') expect(communityEvent.parse(event.event)).toEqual(event.event);
    expect(liked(10).kind === 'event' && liked(10)).toMatchObject({
      event: { eventId: 'discourse:forum.example.com:post_liked:1234:10' },
    });
    // Discourse always says who liked: a like without its user is not a Discourse body.
    expect(() => parse('post_liked', { like: { post } })).toThrow(MalformedPayloadError);
  });

  it("ignores townhall's own posts: Discourse's webhook for a post by its API user", () => {
    const request = (username: string) => ({
      rawBody: Buffer.from(JSON.stringify({ post: { ...post, user_id: 7, username } })),
      headers: { 'x-discourse-event': 'post_created', 'x-discourse-instance': INSTANCE },
    });
    const config = {
      baseUrl: INSTANCE,
      apiKey: 'key',
      apiUsername: 'Support-Bot',
      webhookSecret: 'secret',
    };
    expect(discourseInbound.parse(request('support-bot'), config).kind).toBe('ignored');
    expect(discourseInbound.parse(request('ada'), config).kind).toBe('event');
  });

  it.each([
    ['not JSON', 'user_created', '{"user":'],
    ['a user_created body without user', 'user_created', { post }],
    ['a user without id', 'user_created', { user: { username: 'x' } }],
    ['a user with a string id', 'user_created', { user: { ...user, id: '42' } }],
    ['a post without topic_id', 'post_created', { post: { ...post, topic_id: undefined } }],
    [
      'a post with a bad created_at',
      'post_created',
      { post: { ...post, created_at: 'yesterday' } },
    ],
    ['a topic_created body without topic', 'topic_created', { post }],
    ['a ping without ping', 'ping', {}],
    ['an unknown event whose body is not JSON', 'post_edited', 'nope'],
    ['a delivery without X-Discourse-Event', undefined, { user }],
  ])('rejects %s as malformed', (_name, event, body) => {
    expect(() => parse(event, body)).toThrow(MalformedPayloadError);
  });

  it('rejects a delivery without (or with a non-URL) X-Discourse-Instance as malformed', () => {
    expect(() => parse('user_created', { user }, '')).toThrow(MalformedPayloadError);
    expect(() => parse('user_created', { user }, 'forum')).toThrow(MalformedPayloadError);
  });
});
