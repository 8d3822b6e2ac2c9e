import { describe, expect, it } from 'vitest';
import { discordInteractions } from '../../connectors/discord/inbound.js';
import { snowflakeTime } from '../../connectors/discord/snowflake.js';
import { communityEvent } from '../../connectors/events.js';
import { MalformedPayloadError } from '../../connectors/types.js';
import { config } from '../support/discord-interactions.js';

const member = {
  avatar: null,
  banner: null,
  communication_disabled_until: null,
  deaf: false,
  flags: 0,
  joined_at: '2026-11-20T09:00:00.000000+00:00',
  mute: false,
  nick: null,
  pending: false,
  permissions: '1071698660929',
  premium_since: null,
  roles: ['1213093380096000020'],
  unusual_dm_activity_until: null,
  user: {
    avatar: null,
    discriminator: '0',
    global_name: 'Grace Hopper',
    id: '1213093380096000031',
    public_flags: 0,
    username: 'grace',
  },
};

/** A chat-input command interaction as Discord posts it (Interactions reference). */
const ticket = {
  app_permissions: '2248473465835073',
  application_id: config.applicationId,
  authorizing_integration_owners: { '0': config.guildId },
  channel: {
    flags: 0,
    guild_id: config.guildId,
    id: '1199384021555212340',
    last_message_id: '1310262360587694151',
    name: 'general',
    nsfw: false,
    parent_id: null,
    permissions: '2248473465835073',
    position: 0,
    rate_limit_per_user: 0,
    topic: null,
    type: 0,
  },
  channel_id: '1199384021555212340',
  context: 0,
  data: {
    id: '1213095000000000001',
    name: 'ticket',
    options: [{ name: 'subject', type: 3, value: 'I cannot log in' }],
    type: 1,
  },
  entitlement_sku_ids: [],
  entitlements: [],
  guild: { features: [], id: config.guildId, locale: 'en-US' },
  guild_id: config.guildId,
  guild_locale: 'en-US',
  id: '1310270000000000001',
  locale: 'en-US',
  member,
  token: 'aW50ZXJhY3Rpb246MTMxMDI3MDAwMDAwMDAwMDAwMTp0b2tlbg',
  type: 2,
  version: 1,
};

const parse = (body: unknown) =>
  discordInteractions.parse(
    {
      rawBody: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
      headers: {},
    },
    config,
  );

const ephemeral = (content: RegExp) => ({
  type: 4,
  data: { content: expect.stringMatching(content), flags: 64 },
});

describe('Discord interaction → normalized event or reply', () => {
  it('answers /ticket from a server townhall does not serve without starting anything', () => {
    expect(parse({ ...ticket, guild_id: '1310279999999999999' })).toEqual({
      kind: 'reply',
      body: ephemeral(/not set up for this server/),
    });
  });

  it('answers PING with PONG', () => {
    expect(
      parse({
        type: 1,
        id: '1310270000000000002',
        application_id: config.applicationId,
        token: 't',
        version: 1,
      }),
    ).toEqual({
      kind: 'reply',
      body: { type: 1 },
    });
  });

  it('turns /ticket into command.invoked, acknowledged with an ephemeral message', () => {
    const result = parse(ticket);
    expect(result).toEqual({
      kind: 'event',
      event: {
        type: 'command.invoked',
        eventId: 'discord:interaction:1310270000000000001',
        platform: 'discord',
        occurredAt: snowflakeTime('1310270000000000001').toISOString(),
        member: {
          userId: '1213093380096000031',
          communityId: config.guildId,
          name: 'Grace Hopper',
          handle: 'grace',
          roles: ['1213093380096000020'],
        },
        command: 'ticket',
        text: 'I cannot log in',
        channelId: '1199384021555212340',
      },
      reply: ephemeral(/ticket/),
      answer: expect.any(Function),
    });
    if (result.kind === 'event') expect(communityEvent.parse(result.event)).toEqual(result.event);
    if (result.kind === 'event')
      expect(result.answer?.('a ticket is on its way')).toEqual(
        ephemeral(/a ticket is on its way/),
      );
  });

  it.each([
    [
      'in a thread: the thread is the threadId, its parent the channel',
      {
        ...ticket,
        channel_id: '1213099876543210987',
        channel: {
          ...ticket.channel,
          id: '1213099876543210987',
          type: 11,
          parent_id: '1199384021555212341',
        },
      },
      { channelId: '1199384021555212341', threadId: '1213099876543210987' },
    ],
    [
      'with sub-commands and several options, in order',
      {
        ...ticket,
        data: {
          ...ticket.data,
          options: [
            {
              name: 'open',
              type: 1,
              options: [
                { name: 'subject', type: 3, value: 'Billing' },
                { name: 'urgent', type: 5, value: true },
              ],
            },
          ],
        },
      },
      { text: 'open Billing true' },
    ],
    ['without options', { ...ticket, data: { ...ticket.data, options: undefined } }, { text: '' }],
    [
      'by a member with a server nickname',
      { ...ticket, member: { ...member, nick: 'Amazing Grace' } },
      { member: expect.objectContaining({ name: 'Amazing Grace' }) },
    ],
  ])('reads /ticket %s', (_name, body, expected) => {
    const result = parse(body);
    expect(result.kind).toBe('event');
    expect((result as { event: unknown }).event).toMatchObject(expected);
  });

  it.each([
    [
      'another slash command',
      { ...ticket, data: { ...ticket.data, name: 'poll' } },
      ephemeral(/\/poll/),
    ],
    [
      '/ticket in a DM (user, no member)',
      { ...ticket, guild_id: undefined, member: undefined, user: member.user, context: 1 },
      ephemeral(/server/),
    ],
    [
      'a button press',
      { ...ticket, type: 3, data: { custom_id: 'x', component_type: 2 } },
      ephemeral(/does not handle/),
    ],
    ['an autocomplete request', { ...ticket, type: 4 }, { type: 8, data: { choices: [] } }],
  ])('answers %s without an event', (_name, body, reply) => {
    expect(parse(body)).toEqual({ kind: 'reply', body: reply });
  });

  it.each([
    ['a body that is not JSON', '{"type":2,'],
    ['an interaction without an id', { ...ticket, id: undefined }],
    ['a command without data', { ...ticket, data: undefined }],
    ['a command whose member has no user', { ...ticket, member: { ...member, user: undefined } }],
    ['a JSON array', '[1,2]'],
  ])('rejects %s as malformed', (_name, body) => {
    expect(() => parse(body)).toThrow(MalformedPayloadError);
  });
});
