import { describe, expect, it } from 'vitest';
import type { CommunityEvent } from '../../connectors/events.js';
import { communityEvent } from '../../connectors/events.js';
import { slackInbound } from '../../connectors/slack/inbound.js';
import { MalformedPayloadError } from '../../connectors/types.js';

/**
 * Event bodies as Slack documents them (docs.slack.dev/reference/events/<type>, "Example
 * payload"), inside the standard event_callback wrapper.
 */
const envelope = (event: Record<string, unknown>, eventId = 'Ev0PV52K25') => ({
  token: 'XXYYZZ',
  team_id: 'T123ABC456',
  api_app_id: 'A123ABC456',
  event,
  type: 'event_callback',
  authorizations: [
    { team_id: 'T123ABC456', user_id: 'U0LAN0Z89', is_bot: true, is_enterprise_install: false },
  ],
  event_id: eventId,
  event_time: 1_515_449_522,
});

const parse = (body: unknown) =>
  slackInbound.parse({
    rawBody: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
    headers: { 'content-type': 'application/json' },
  });

function eventOf(body: unknown): CommunityEvent {
  const result = parse(body);
  if (result.kind !== 'event') throw new Error(`expected an event, got ${JSON.stringify(result)}`);
  expect(communityEvent.safeParse(result.event).success).toBe(true);
  return result.event;
}

const someUser = (overrides: Record<string, unknown> = {}) => ({
  id: 'U1234567',
  team_id: 'T1234567',
  name: 'some-user',
  deleted: false,
  color: '4bbe2e',
  real_name: 'Some User',
  tz: 'America/Los_Angeles',
  tz_label: 'Pacific Daylight Time',
  tz_offset: -25200,
  profile: {
    title: '',
    phone: '',
    skype: '',
    real_name: 'Some User',
    real_name_normalized: 'Some User',
    display_name: '',
    display_name_normalized: '',
    fields: {},
    status_text: 'riding a train',
    status_emoji: ':mountain_railway:',
    status_emoji_display_info: [],
    status_expiration: 0,
    avatar_hash: 'g12345678910',
    email: 'some.user@example.com',
    first_name: 'Some',
    last_name: 'User',
    team: 'T1234567',
  },
  is_admin: false,
  is_owner: false,
  is_bot: false,
  is_app_user: false,
  updated: 1_648_596_421,
  ...overrides,
});

const member = {
  userId: 'U1234567',
  communityId: 'T1234567',
  email: 'some.user@example.com',
  name: 'Some User',
  handle: 'some-user',
};

describe('Slack Events API normalization', () => {
  it.each<[string, Record<string, unknown>, CommunityEvent]>([
    [
      'team_join → member.joined',
      { type: 'team_join', user: someUser(), event_ts: '1515449522.000016' },
      {
        type: 'member.joined',
        eventId: 'slack:Ev0PV52K25',
        platform: 'slack',
        occurredAt: '2018-01-08T22:12:02.000Z',
        member,
      },
    ],
    [
      'user_change → member.updated',
      {
        type: 'user_change',
        user: someUser(),
        cache_ts: 1_648_596_421,
        event_ts: '1648596712.000001',
      },
      {
        type: 'member.updated',
        eventId: 'slack:Ev0PV52K25',
        platform: 'slack',
        occurredAt: '2018-01-08T22:12:02.000Z',
        member,
      },
    ],
    [
      'user_change of a deactivated account → member.left',
      {
        type: 'user_change',
        user: someUser({ deleted: true }),
        cache_ts: 1_648_596_421,
        event_ts: '1648596712.000001',
      },
      {
        type: 'member.left',
        eventId: 'slack:Ev0PV52K25',
        platform: 'slack',
        occurredAt: '2018-01-08T22:12:02.000Z',
        member,
      },
    ],
    [
      'a channel message → message.posted',
      {
        type: 'message',
        channel: 'C2147483705',
        user: 'U2147483697',
        text: 'Hello world',
        ts: '1355517523.000005',
        event_ts: '1355517523.000005',
        channel_type: 'channel',
      },
      {
        type: 'message.posted',
        eventId: 'slack:message:C2147483705:1355517523.000005',
        platform: 'slack',
        occurredAt: '2012-12-14T20:38:43.000Z',
        member: { userId: 'U2147483697', communityId: 'T123ABC456' },
        channelId: 'C2147483705',
        messageId: '1355517523.000005',
        url: 'https://slack.com/archives/C2147483705/p1355517523000005',
        text: 'Hello world',
      },
    ],
    [
      'a thread reply → message.posted in the thread',
      {
        client_msg_id: 'a8a7a0f2-9f0b-4cc2-9a4b-0c2b4b9e7c11',
        type: 'message',
        text: 'Same here, the reset email never came',
        user: 'U0G9QF9C6',
        ts: '1640725846.001000',
        team: 'T021DM6C6KC',
        blocks: [],
        thread_ts: '1640725808.000800',
        parent_user_id: 'U0216TS0RTQ',
        channel: 'C021DTE8PPD',
        event_ts: '1640725846.001000',
        channel_type: 'channel',
      },
      {
        type: 'message.posted',
        eventId: 'slack:message:C021DTE8PPD:1640725846.001000',
        platform: 'slack',
        occurredAt: '2021-12-28T21:10:46.001Z',
        member: { userId: 'U0G9QF9C6', communityId: 'T021DM6C6KC' },
        channelId: 'C021DTE8PPD',
        threadId: '1640725808.000800',
        messageId: '1640725846.001000',
        url: 'https://slack.com/archives/C021DTE8PPD/p1640725846001000?thread_ts=1640725808.000800&cid=C021DTE8PPD',
        text: 'Same here, the reset email never came',
      },
    ],
    [
      'a thread reply also sent to the channel (thread_broadcast) → message.posted',
      {
        type: 'message',
        subtype: 'thread_broadcast',
        text: 'broadcasting this reply',
        user: 'U123ABC456',
        ts: '1673464745.620769',
        thread_ts: '1673464730.703009',
        root: { type: 'message', text: 'This is the original message', ts: '1673464730.703009' },
        client_msg_id: '123abc456-...',
        channel: 'C123ABC456',
        event_ts: '1673464745.620769',
        channel_type: 'channel',
      },
      {
        type: 'message.posted',
        eventId: 'slack:message:C123ABC456:1673464745.620769',
        platform: 'slack',
        occurredAt: '2023-01-11T19:19:05.620Z',
        member: { userId: 'U123ABC456', communityId: 'T123ABC456' },
        channelId: 'C123ABC456',
        threadId: '1673464730.703009',
        messageId: '1673464745.620769',
        url: 'https://slack.com/archives/C123ABC456/p1673464745620769?thread_ts=1673464730.703009&cid=C123ABC456',
        text: 'broadcasting this reply',
      },
    ],
    [
      'app_mention → message.posted (same eventId as the message event)',
      {
        type: 'app_mention',
        user: 'U061F7AUR',
        text: '<@U0LAN0Z89> is it everything a river should be?',
        ts: '1515449522.000016',
        channel: 'C0LAN2Q65',
        event_ts: '1515449522000016',
      },
      {
        type: 'message.posted',
        eventId: 'slack:message:C0LAN2Q65:1515449522.000016',
        platform: 'slack',
        occurredAt: '2018-01-08T22:12:02.000Z',
        member: { userId: 'U061F7AUR', communityId: 'T123ABC456' },
        channelId: 'C0LAN2Q65',
        messageId: '1515449522.000016',
        url: 'https://slack.com/archives/C0LAN2Q65/p1515449522000016',
        text: '<@U0LAN0Z89> is it everything a river should be?',
      },
    ],
    [
      'reaction_added to a message → reaction.added',
      {
        type: 'reaction_added',
        user: 'U024BE7LH',
        reaction: 'thumbsup',
        item_user: 'U0G9QF9C6',
        item: { type: 'message', channel: 'C0G9QF9GZ', ts: '1360782400.498405' },
        event_ts: '1360782804.083113',
      },
      {
        type: 'reaction.added',
        eventId: 'slack:Ev0PV52K25',
        platform: 'slack',
        occurredAt: '2013-02-13T19:13:24.083Z',
        member: { userId: 'U024BE7LH', communityId: 'T123ABC456' },
        channelId: 'C0G9QF9GZ',
        messageId: '1360782400.498405',
        url: 'https://slack.com/archives/C0G9QF9GZ/p1360782400498405',
        emoji: 'thumbsup',
      },
    ],
  ])('%s', (_name, event, expected) => {
    expect(eventOf(envelope(event))).toEqual(expected);
  });

  it('falls back to the envelope time when event_ts is not a time (Slack drops its dot)', () => {
    const reaction = eventOf(
      envelope({
        type: 'reaction_added',
        user: 'U024BE7LH',
        reaction: 'eyes',
        item: { type: 'message', channel: 'C0G9QF9GZ', ts: '1360782400.498405' },
        event_ts: '1515449522000016',
      }),
    );
    expect(reaction.occurredAt).toBe('2018-01-08T22:12:02.000Z');
  });

  it('gives the message and app_mention deliveries of one message the same eventId', () => {
    const message = {
      type: 'message',
      channel: 'C0LAN2Q65',
      user: 'U061F7AUR',
      text: '<@U0LAN0Z89> help please',
      ts: '1515449522.000016',
      event_ts: '1515449522.000016',
      channel_type: 'channel',
    };
    const asMessage = eventOf(envelope(message, 'Ev01MESSAGE'));
    const asMention = eventOf(
      envelope({ ...message, type: 'app_mention', channel_type: undefined }, 'Ev02MENTION'),
    );
    expect(asMention.eventId).toBe(asMessage.eventId);
    expect(asMention).toEqual(asMessage);
  });

  it.each<[string, Record<string, unknown>]>([
    [
      'a bot_message',
      {
        type: 'message',
        subtype: 'bot_message',
        text: 'Pushing is the answer',
        ts: '1358877455.000010',
        username: 'github',
        bot_id: 'BB12033',
        channel: 'C123ABC456',
      },
    ],
    [
      "an app's own post (bot_id, no subtype)",
      {
        type: 'message',
        user: 'U0LAN0Z89',
        bot_id: 'B0LAN0Z89',
        app_id: 'A123ABC456',
        text: 'A ticket was opened for this',
        ts: '1700000001.000200',
        channel: 'C123ABC456',
      },
    ],
    [
      'message_changed',
      {
        type: 'message',
        subtype: 'message_changed',
        hidden: true,
        channel: 'C123ABC456',
        ts: '1358878755.000001',
        message: {
          type: 'message',
          user: 'U123ABC456',
          text: 'Hello, world!',
          ts: '1355517523.000005',
        },
      },
    ],
    [
      'message_deleted',
      {
        type: 'message',
        subtype: 'message_deleted',
        hidden: true,
        channel: 'C123ABC456',
        ts: '1358878755.000001',
        deleted_ts: '1358878749.000002',
      },
    ],
    [
      'channel_join',
      {
        type: 'message',
        subtype: 'channel_join',
        ts: '1358877458.000011',
        user: 'U123ABC456',
        text: '<@U123ABC456|bobby> has joined the channel',
        channel: 'C123ABC456',
      },
    ],
    [
      'message_replied (hidden)',
      {
        type: 'message',
        message: {
          type: 'message',
          user: 'U123ABC456',
          text: 'Was there',
          ts: '1482960137.003543',
        },
        subtype: 'message_replied',
        hidden: true,
        channel: 'C123ABC456',
        event_ts: '1483037604.017506',
        ts: '1483037604.017506',
      },
    ],
    [
      'member_left_channel (leaving a channel, not the workspace)',
      {
        type: 'member_left_channel',
        user: 'W123ABC456',
        channel: 'C123ABC456',
        channel_type: 'C',
        team: 'T123ABC456',
      },
    ],
    [
      'a reaction to a file',
      {
        type: 'reaction_added',
        user: 'U024BE7LH',
        reaction: 'thumbsup',
        item: { type: 'file', file: 'F0HS27V1Z' },
        event_ts: '1360782804.083113',
      },
    ],
    ['team_join of a bot user', { type: 'team_join', user: someUser({ is_bot: true }) }],
    [
      'an event no workflow wants',
      { type: 'emoji_changed', subtype: 'add', name: 'picard_facepalm' },
    ],
  ])('acknowledges and ignores %s', (_name, event) => {
    expect(parse(envelope(event))).toMatchObject({ kind: 'ignored', reason: expect.any(String) });
  });

  it.each<[string, unknown]>([
    [
      'a message without a channel',
      envelope({ type: 'message', user: 'U1', text: 'hi', ts: '1.2' }),
    ],
    [
      'a message without a ts',
      envelope({ type: 'message', channel: 'C1', user: 'U1', text: 'hi' }),
    ],
    [
      'a message whose ts is not a Slack ts',
      envelope({ type: 'message', channel: 'C1', user: 'U1', text: 'hi', ts: 'yesterday' }),
    ],
    ['a message without text', envelope({ type: 'message', channel: 'C1', user: 'U1', ts: '1.2' })],
    [
      'an app_mention without a user',
      envelope({ type: 'app_mention', channel: 'C1', text: 'x', ts: '1.2' }),
    ],
    [
      'a reaction without an item',
      envelope({ type: 'reaction_added', user: 'U1', reaction: 'x', event_ts: '1.2' }),
    ],
    [
      'a reaction to a message without its ts',
      envelope({
        type: 'reaction_added',
        user: 'U1',
        reaction: 'x',
        item: { type: 'message', channel: 'C1' },
        event_ts: '1.2',
      }),
    ],
    ['a user_change without a user', envelope({ type: 'user_change' })],
    ['an event without a type', envelope({ user: 'U1' })],
  ])('rejects %s as malformed', (_name, body) => {
    expect(() => parse(body)).toThrow(MalformedPayloadError);
  });
});
