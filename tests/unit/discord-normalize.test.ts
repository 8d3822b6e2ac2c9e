import { describe, expect, it } from 'vitest';
import { communityEvent } from '../../connectors/events.js';
import type { ChannelInfo } from '../../connectors/discord/normalize.js';
import { normalizeDispatch } from '../../connectors/discord/normalize.js';
import {
  ada,
  adaMember,
  bot,
  ctx,
  GENERAL,
  GUILD,
  memberAdd,
  message,
  reaction,
  RECEIVED,
  SESSION,
  SUPPORT,
  THREAD,
  url,
} from '../support/discord-dispatches.js';

type Case = [
  name: string,
  t: string,
  d: unknown,
  /** The event's fields, or `{ ignored: /reason/ }`, or `{ invalid: /issues/ }`. */
  expected: Record<string, unknown>,
  known?: Record<string, ChannelInfo>,
];

const cases: Case[] = [
  [
    'a member joins',
    'GUILD_MEMBER_ADD',
    memberAdd,
    {
      type: 'member.joined',
      eventId: `discord:member_add:${GUILD}:${ada.id}:2026-11-24T12:00:00.123000+00:00`,
      platform: 'discord',
      occurredAt: '2026-11-24T12:00:00.123Z',
      member: adaMember,
    },
  ],
  [
    'a member with a server nickname joins',
    'GUILD_MEMBER_ADD',
    { ...memberAdd, nick: 'Countess' },
    { type: 'member.joined', member: { ...adaMember, name: 'Countess' } },
  ],
  ['a bot joins', 'GUILD_MEMBER_ADD', { ...memberAdd, user: bot }, { ignored: /bots/ }],
  [
    'a member joins another guild',
    'GUILD_MEMBER_ADD',
    { ...memberAdd, guild_id: '1000000000000000001' },
    { ignored: /another guild/ },
  ],
  [
    'a join without joined_at',
    'GUILD_MEMBER_ADD',
    { ...memberAdd, joined_at: undefined },
    { invalid: /joined_at/ },
  ],
  [
    'a member leaves (no time in the payload: session and sequence identify it)',
    'GUILD_MEMBER_REMOVE',
    { guild_id: GUILD, user: ada },
    {
      type: 'member.left',
      eventId: `discord:member_remove:${GUILD}:${ada.id}:${SESSION}:42`,
      occurredAt: RECEIVED.toISOString(),
      member: adaMember,
    },
  ],
  [
    'a message in a channel',
    'MESSAGE_CREATE',
    message,
    {
      type: 'message.posted',
      eventId: 'discord:message:1310262360587694151',
      occurredAt: '2026-11-24T12:05:00.456Z',
      member: { ...adaMember, name: 'ada (she/her)' },
      channelId: GENERAL,
      messageId: '1310262360587694151',
      url: url(GENERAL, '1310262360587694151'),
      text: 'How do I reset my password?',
    },
  ],
  [
    'a message in a thread: the thread is the threadId, its parent the channel',
    'MESSAGE_CREATE',
    { ...message, channel_id: THREAD, channel_type: 11, position: 3 },
    { channelId: SUPPORT, threadId: THREAD, url: url(THREAD, '1310262360587694151') },
  ],
  [
    'a thread message without channel_type: the channel cache says it is a thread',
    'MESSAGE_CREATE',
    { ...message, channel_id: THREAD, channel_type: undefined },
    { channelId: SUPPORT, threadId: THREAD },
  ],
  [
    'a thread message whose parent is unknown keeps the thread as channel',
    'MESSAGE_CREATE',
    { ...message, channel_id: THREAD, channel_type: 12 },
    { channelId: THREAD, threadId: THREAD },
    {},
  ],
  [
    'a reply (type 19) is a message',
    'MESSAGE_CREATE',
    {
      ...message,
      type: 19,
      message_reference: { type: 0, channel_id: GENERAL, message_id: '1310262360587694100' },
    },
    { type: 'message.posted', text: 'How do I reset my password?' },
  ],
  [
    'a message without MESSAGE_CONTENT has empty text',
    'MESSAGE_CREATE',
    { ...message, content: '' },
    { type: 'message.posted', text: '' },
  ],
  ['a bot message', 'MESSAGE_CREATE', { ...message, author: bot }, { ignored: /bot/ }],
  [
    'a webhook message',
    'MESSAGE_CREATE',
    { ...message, webhook_id: '1175823948372738099' },
    { ignored: /webhook/ },
  ],
  ['a join notice (type 7)', 'MESSAGE_CREATE', { ...message, type: 7 }, { ignored: /system/ }],
  [
    'a direct message',
    'MESSAGE_CREATE',
    { ...message, guild_id: undefined, member: undefined, channel_type: 1 },
    { ignored: /direct/ },
  ],
  [
    'a message with a non-snowflake id',
    'MESSAGE_CREATE',
    { ...message, id: 'abc' },
    { invalid: /^id: / },
  ],
  [
    'a Unicode reaction',
    'MESSAGE_REACTION_ADD',
    reaction,
    {
      type: 'reaction.added',
      eventId: `discord:reaction:1310262360587694151:${ada.id}:🎫`,
      occurredAt: RECEIVED.toISOString(),
      member: { ...adaMember, name: 'ada (she/her)' },
      channelId: GENERAL,
      messageId: '1310262360587694151',
      url: url(GENERAL, '1310262360587694151'),
      emoji: '🎫',
    },
  ],
  [
    'a custom emoji reaction: named by the guild, identified by its id',
    'MESSAGE_REACTION_ADD',
    { ...reaction, emoji: { id: '41771983429993937', name: 'ticket', animated: false } },
    {
      emoji: 'ticket',
      eventId: `discord:reaction:1310262360587694151:${ada.id}:41771983429993937`,
    },
  ],
  [
    'a reaction in a thread (reactions carry no channel type: the cache decides)',
    'MESSAGE_REACTION_ADD',
    { ...reaction, channel_id: THREAD },
    { channelId: SUPPORT, threadId: THREAD },
  ],
  [
    'a reaction without a member object (only user_id)',
    'MESSAGE_REACTION_ADD',
    { ...reaction, member: undefined },
    { member: { userId: ada.id, communityId: GUILD } },
  ],
  [
    'a reaction by a bot',
    'MESSAGE_REACTION_ADD',
    { ...reaction, member: { ...reaction.member, user: bot } },
    { ignored: /bots/ },
  ],
  [
    'a dispatch townhall does not handle',
    'TYPING_START',
    { channel_id: GENERAL },
    { ignored: /not handled/ },
  ],
];

describe('Discord gateway dispatch → normalized event', () => {
  it.each(cases)('%s', (_name, t, d, expected, known) => {
    const result = normalizeDispatch(t, d, ctx(known));
    const { ignored, invalid } = expected;
    if (ignored instanceof RegExp) {
      expect(result).toEqual({ kind: 'ignored', reason: expect.stringMatching(ignored) });
    } else if (invalid instanceof RegExp) {
      expect(result).toEqual({ kind: 'invalid', issues: expect.stringMatching(invalid) });
    } else {
      expect(result.kind).toBe('event');
      const event = (result as { event: unknown }).event;
      expect(event).toMatchObject(expected);
      expect(communityEvent.parse(event)).toEqual(event);
    }
  });

  it('keeps a top-level message free of a threadId', () => {
    const result = normalizeDispatch('MESSAGE_CREATE', message, ctx());
    expect(result.kind === 'event' && 'threadId' in result.event).toBe(false);
  });

  it('never puts payload values (message text, names) into the issues it reports', () => {
    const result = normalizeDispatch(
      'MESSAGE_CREATE',
      { ...message, timestamp: 'secret text 4111', author: { id: 'x', username: 'Ada Secret' } },
      ctx(),
    );
    expect(result.kind).toBe('invalid');
    const issues = (result as { issues: string }).issues;
    expect(issues).toMatch(/timestamp/);
    expect(issues).not.toMatch(/secret|Ada Secret|4111/i);
  });

  it('gives the same event for the same payload (a replayed dispatch dedupes in the store)', () => {
    expect(normalizeDispatch('MESSAGE_CREATE', message, ctx())).toEqual(
      normalizeDispatch('MESSAGE_CREATE', structuredClone(message), ctx()),
    );
  });
});
