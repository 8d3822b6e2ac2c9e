import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { inspect, post, sandbox, useEmitterSandbox } from '../support/sandbox-emitters.js';

/**
 * The Discord emitter takes gateway dispatches as Discord sends them, besides the sandbox's short
 * forms; a payload missing what Discord always sends is refused with 400 naming the field.
 */

useEmitterSandbox();

/** A bot session on the sandbox gateway that collects the dispatches it receives. */
async function gatewaySession() {
  const socket = new WebSocket(`${sandbox.url.replace('http', 'ws')}/discord/gateway?v=10`);
  const dispatches: { t: string; d: Record<string, unknown> }[] = [];
  const ready = new Promise<void>((resolve, reject) => {
    socket.on('error', reject);
    socket.on('message', (data: Buffer) => {
      const payload = JSON.parse(data.toString('utf8')) as { op: number; t: string; d: never };
      if (payload.op === 10)
        socket.send(
          JSON.stringify({
            op: 2,
            d: {
              token: sandbox.emulators.discord.botToken,
              // GUILDS, GUILD_MEMBERS, GUILD_MESSAGES, GUILD_MESSAGE_REACTIONS, MESSAGE_CONTENT
              intents: (1 << 0) | (1 << 1) | (1 << 9) | (1 << 10) | (1 << 15),
              properties: { os: 'linux', browser: 'test', device: 'test' },
            },
          }),
        );
      if (payload.op === 0) dispatches.push({ t: payload.t, d: payload.d });
      if (payload.t === 'GUILD_CREATE') resolve();
    });
  });
  await ready;
  const next = async (t: string) => {
    for (let waited = 0; waited < 5_000; waited += 20) {
      const found = dispatches.find((dispatch) => dispatch.t === t);
      if (found) return found.d;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`no ${t} dispatch arrived`);
  };
  return { next, close: () => socket.close(1000) };
}

describe('POST /_sandbox/discord/emit', () => {
  const guildId = () => sandbox.emulators.discord.guildId;
  const general = () => sandbox.emulators.discord.ids.channels.general;

  it('dispatches a real MESSAGE_CREATE whose author is a full user object', async () => {
    const session = await gatewaySession();
    try {
      const d = {
        id: '1311111111111111111',
        type: 0,
        channel_id: general(),
        guild_id: guildId(),
        author: {
          id: '1300000000000000042',
          username: 'hedy',
          global_name: 'Hedy Lamarr',
          avatar: null,
          discriminator: '0',
          public_flags: 0,
        },
        member: { roles: [], joined_at: '2024-03-01T12:00:00.000000+00:00', nick: null },
        content: 'Frequency hopping, anyone?',
        timestamp: '2024-03-02T09:30:00.000000+00:00',
        edited_timestamp: null,
        tts: false,
        mention_everyone: false,
        mentions: [],
        mention_roles: [],
        attachments: [],
        embeds: [],
        pinned: false,
        flags: 0,
        components: [],
      };
      const emitted = await post('/_sandbox/discord/emit', { op: 0, t: 'MESSAGE_CREATE', d });
      expect(emitted.status).toBe(200);
      expect(emitted.body.delivered).toEqual([expect.objectContaining({ connected: true })]);
      const dispatched = await session.next('MESSAGE_CREATE');
      expect(dispatched).toMatchObject({
        id: d.id,
        channel_id: general(),
        guild_id: guildId(),
        content: d.content,
        author: { id: d.author.id, username: 'hedy', global_name: 'Hedy Lamarr' },
      });
      // The author is now someone the guild knows: a member, with the name Discord sent.
      const members = await inspect<{ user_id: string; username: string }[]>(
        '/_sandbox/discord/members',
      );
      expect(members).toContainEqual(
        expect.objectContaining({ user_id: d.author.id, username: 'hedy' }),
      );
    } finally {
      session.close();
    }
  });

  it('still takes the short form: an author named by username', async () => {
    const emitted = await post('/_sandbox/discord/emit', {
      t: 'MESSAGE_CREATE',
      d: { author: 'grace', content: 'hello' },
    });
    expect(emitted.status).toBe(200);
    expect(emitted.body.d).toMatchObject({
      author: { id: sandbox.emulators.discord.ids.users.grace },
      channel_id: general(),
    });
  });

  it('creates a channel it does not know from a real message, and a member from GUILD_MEMBER_ADD', async () => {
    const message = await post('/_sandbox/discord/emit', {
      t: 'MESSAGE_CREATE',
      d: { channel_id: '1299999999999999999', author: 'ada', content: 'new channel' },
    });
    expect(message.status).toBe(200);
    expect(message.body.d).toMatchObject({ channel_id: '1299999999999999999', channel_type: 0 });

    const joined = await post('/_sandbox/discord/emit', {
      t: 'GUILD_MEMBER_ADD',
      d: {
        guild_id: guildId(),
        user: { id: '1300000000000000077', username: 'katherine', global_name: 'Katherine' },
        roles: [],
        joined_at: '2024-03-03T10:00:00.000000+00:00',
        nick: null,
        deaf: false,
        mute: false,
        flags: 0,
        pending: false,
      },
    });
    expect(joined.status).toBe(200);
    expect(joined.body.d).toMatchObject({
      guild_id: guildId(),
      user: { id: '1300000000000000077', username: 'katherine' },
      joined_at: '2024-03-03T10:00:00.000000+00:00',
    });
  });

  it('dispatches a real MESSAGE_REACTION_ADD from a user it only knows from the member object', async () => {
    const root = await post('/_sandbox/discord/emit', {
      t: 'MESSAGE_CREATE',
      d: { author: 'ada', content: 'needs a ticket' },
    });
    const messageId = (root.body.d as { id: string }).id;
    const reaction = await post('/_sandbox/discord/emit', {
      t: 'MESSAGE_REACTION_ADD',
      d: {
        user_id: '1300000000000000088',
        type: 0,
        message_id: messageId,
        message_author_id: sandbox.emulators.discord.ids.users.ada,
        member: {
          user: { id: '1300000000000000088', username: 'annie', global_name: 'Annie Easley' },
          roles: [],
          joined_at: '2024-03-01T12:00:00.000000+00:00',
        },
        emoji: { id: null, name: '🎫' },
        channel_id: general(),
        burst: false,
        guild_id: guildId(),
      },
    });
    expect(reaction.status).toBe(200);
    expect(reaction.body.d).toMatchObject({
      user_id: '1300000000000000088',
      message_id: messageId,
    });
  });

  it.each([
    [
      'MESSAGE_CREATE',
      { author: { username: 'nobody' }, content: 'hi' },
      'd.author.id is required',
    ],
    ['MESSAGE_CREATE', { author: { id: 42 } }, 'd.author.id must be a string'],
    [
      'MESSAGE_CREATE',
      { author: 'nobody-by-that-name' },
      'd.author: no such user: nobody-by-that-name',
    ],
    ['MESSAGE_CREATE', { author: 'ada', content: 7 }, 'd.content must be a string'],
    ['MESSAGE_CREATE', { channel_id: 'general' }, 'd.channel_id: no such channel: general'],
    ['MESSAGE_REACTION_ADD', { user_id: 'ada' }, 'd.message_id is required'],
    ['GUILD_MEMBER_ADD', { user: 'hedy' }, 'd.user must be an object'],
    ['GUILD_MEMBER_REMOVE', {}, 'd.user is required'],
  ])('answers 400 naming the field: %s %j', async (t, d, error) => {
    const emitted = await post('/_sandbox/discord/emit', { t, d });
    expect(emitted).toEqual({ status: 400, body: { error } });
  });

  it('answers 400 for a `d` that is not an object', async () => {
    const emitted = await post('/_sandbox/discord/emit', { t: 'MESSAGE_CREATE', d: 'hello' });
    expect(emitted).toEqual({ status: 400, body: { error: 'd must be an object' } });
  });
});
