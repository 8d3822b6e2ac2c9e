import type { Server } from 'node:http';
import express from 'express';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { Sandbox } from '../../sandbox/index.js';
import { startSandbox } from '../../sandbox/index.js';

/**
 * The emitters (POST /_sandbox/<vendor>/emit) take what the vendors really send, as they send
 * it, besides the sandbox's short forms; a payload missing what the vendor always sends is
 * refused with 400 naming the field. townhall here is a stand-in that records what arrives.
 */

interface Delivery {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
}

let sandbox: Sandbox;
let townhall: Server;
const delivered: Delivery[] = [];

beforeAll(async () => {
  const app = express();
  app.use(express.json());
  app.post('/webhooks/{*rest}', (req, res) => {
    delivered.push({ path: req.path, headers: req.headers, body: req.body as Delivery['body'] });
    res.json({ ok: true });
  });
  townhall = await new Promise<Server>((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => resolve(server));
  });
  const address = townhall.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  sandbox = await startSandbox({ port: 0, townhallUrl: `http://127.0.0.1:${port}` });
});
beforeEach(async () => {
  delivered.length = 0;
  await fetch(`${sandbox.url}/_sandbox/reset`, { method: 'POST' });
});
afterAll(async () => {
  await sandbox?.stop();
  townhall?.close();
});

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${sandbox.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}
const inspect = async <T>(path: string) =>
  (await (await fetch(`${sandbox.url}${path}`)).json()) as T;

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

describe('POST /_sandbox/slack/emit', () => {
  /** A message event as the Events API documents it, from someone the workspace has not seen. */
  const realMessage = {
    type: 'message',
    channel: 'C0NEWCHAN1',
    user: 'U0NEWUSER1',
    text: 'Hello world',
    ts: '1355517523.000005',
    event_ts: '1355517523.000005',
    channel_type: 'channel',
  };

  it('delivers a real message event as given, and adds its author and channel to the workspace', async () => {
    const emitted = await post('/_sandbox/slack/emit', realMessage);
    expect(emitted.status).toBe(200);
    expect(emitted.body).toMatchObject({ ts: realMessage.ts, channel: realMessage.channel });
    expect(delivered).toHaveLength(1);
    expect(delivered[0]).toMatchObject({
      path: '/webhooks/slack',
      body: { type: 'event_callback', event: realMessage },
    });
    const users = await inspect<{ id: string }[]>('/_sandbox/slack/users');
    expect(users.map((user) => user.id)).toContain('U0NEWUSER1');
    const messages = await inspect<{ channel: string; ts: string }[]>('/_sandbox/slack/messages');
    expect(messages).toContainEqual(
      expect.objectContaining({ channel: 'C0NEWCHAN1', ts: realMessage.ts }),
    );
  });

  it('delivers a whole Events API envelope with its own event_id', async () => {
    const emitted = await post('/_sandbox/slack/emit', {
      token: 'verification-token',
      team_id: 'T0SANDBOX',
      api_app_id: 'A0SANDBOX',
      type: 'event_callback',
      event_id: 'Ev0REALONE1',
      event_time: 1355517523,
      event: {
        type: 'team_join',
        user: {
          id: 'U0JOINER01',
          team_id: 'T0SANDBOX',
          name: 'dorothy',
          real_name: 'Dorothy Vaughan',
          profile: { email: 'dorothy@example.com', real_name: 'Dorothy Vaughan' },
          is_bot: false,
        },
        event_ts: '1355517523.000006',
      },
    });
    expect(emitted.status).toBe(200);
    expect(emitted.body.eventId).toBe('Ev0REALONE1');
    expect(delivered[0]?.body).toMatchObject({
      event_id: 'Ev0REALONE1',
      event: { type: 'team_join', user: { id: 'U0JOINER01' } },
    });
  });

  it.each([
    [{ type: 'team_join', user: { name: 'anon' } }, 'user.id is required'],
    [{ type: 'team_join' }, 'user is required'],
    [{ type: 'message', channel: 'C0GENERAL', text: 'who am I' }, 'user is required'],
    [
      { type: 'message', user: 'ada', text: 'hi' },
      'user must be a user id such as U0ADALOVE, not ada',
    ],
    [
      { type: 'message', user: 'U0ADALOVE', ts: 'yesterday' },
      'ts must be a Slack ts like 1355517523.000005',
    ],
    [{ type: 'reaction_added', user: 'U0ADALOVE', reaction: 'ticket' }, 'item is required'],
    [
      { type: 'reaction_added', user: 'U0ADALOVE', reaction: 'ticket', item: { type: 'message' } },
      'item.channel is required',
    ],
    [
      { type: 'event_callback', event: { type: 'team_join', user: {} } },
      'event.user.id is required',
    ],
  ])('answers 400 naming the field: %j', async (event, error) => {
    const emitted = await post('/_sandbox/slack/emit', event);
    expect(emitted).toEqual({ status: 400, body: { error } });
    expect(delivered).toHaveLength(0);
  });
});

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
