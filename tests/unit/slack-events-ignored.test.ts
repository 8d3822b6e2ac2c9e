import { describe, expect, it } from 'vitest';
import { MalformedPayloadError } from '../../connectors/types.js';
import { envelope, parse, someUser } from '../support/slack-events.js';

/** What townhall acknowledges without acting on, and what it refuses as malformed. */

describe('Slack Events API normalization', () => {
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
