import { describe, expect, it } from 'vitest';
import type { CommunityEvent } from '../../connectors/events.js';
import { envelope, eventOf, someUser } from '../support/slack-events.js';

/** The events townhall acts on, each normalized to one CommunityEvent. */

const member = {
  userId: 'U1234567',
  communityId: 'T1234567',
  email: 'some.user@example.com',
  name: 'Some User',
  handle: 'some-user',
  // someUser() carries is_admin and is_owner, both false: known to have neither role.
  roles: [],
  // The profile's tz: send windows use it.
  timezone: 'America/Los_Angeles',
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
      'team_join with is_email_confirmed: whether the address is confirmed rides along',
      {
        type: 'team_join',
        user: someUser({ is_email_confirmed: false }),
        event_ts: '1515449522.000016',
      },
      {
        type: 'member.joined',
        eventId: 'slack:Ev0PV52K25',
        platform: 'slack',
        occurredAt: '2018-01-08T22:12:02.000Z',
        member: { ...member, emailVerified: false },
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
        startsThread: true,
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
        startsThread: false,
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
        startsThread: false,
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
        startsThread: true,
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
});
