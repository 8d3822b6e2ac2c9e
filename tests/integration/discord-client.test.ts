import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DiscordConnector } from '../../connectors/discord/client.js';
import { createDiscordConnector } from '../../connectors/discord/client.js';
import type { DiscordConfig } from '../../connectors/discord/config.js';
import { ConnectorError } from '../../connectors/errors.js';
import type { DiscordEmulatorOptions } from '../../sandbox/discord/index.js';
import type { Sandbox } from '../../sandbox/index.js';
import { freePort } from '../support/ports.js';
import { discordConfigFor, startDiscordSandbox } from '../support/discord.js';

const TOKEN = 'test-discord-bot-token';
let sandbox: Sandbox;
let discord: DiscordConnector;
let ids: Sandbox['emulators']['discord']['ids'];

const configFor = (s: Sandbox, overrides: Partial<DiscordConfig> = {}) =>
  discordConfigFor(s, TOKEN, overrides);
const startEmulator = (tuning: Partial<DiscordEmulatorOptions> = {}) =>
  startDiscordSandbox(TOKEN, tuning);

interface SandboxMessage {
  id: string;
  channel_id: string;
  channel_type: number;
  content: string;
  nonce?: string;
  recipient_id?: string;
  message_reference?: { message_id: string };
}
interface SandboxMember {
  user_id: string;
  roles: { id: string; name: string }[];
}
const inspect = async <T>(what: 'messages' | 'members', s = sandbox) =>
  (await (await fetch(`${s.url}/_sandbox/discord/${what}`)).json()) as T[];

async function fault(body: Record<string, unknown>) {
  const response = await fetch(`${sandbox.url}/_sandbox/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ vendor: 'discord', ...body }),
  });
  expect(response.status).toBe(201);
}

/** A raw REST call with the bot token, as any client would make it. */
async function api(method: string, path: string, body?: unknown, token = TOKEN) {
  const response = await fetch(`${sandbox.url}/api/v10${path}`, {
    method,
    headers: { authorization: `Bot ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined,
  };
}

beforeAll(async () => {
  sandbox = await startEmulator();
  ids = sandbox.emulators.discord.ids;
  discord = createDiscordConnector(configFor(sandbox));
});
beforeEach(async () => {
  await fetch(`${sandbox.url}/_sandbox/reset`, { method: 'POST' });
  // Each test gets a fresh client too: @discordjs/rest remembers rate limits per instance.
  discord = createDiscordConnector(configFor(sandbox));
});
afterAll(() => sandbox?.stop());

describe('Discord connector against the emulator', () => {
  it('posts once per dedup key: a retry returns the first message (nonce + enforce_nonce)', async () => {
    const first = await discord.postMessage(
      ids.channels.general,
      'Welcome, Ada!',
      'onboarding:m-1:welcome',
    );
    const retry = await discord.postMessage(
      ids.channels.general,
      'Welcome, Ada!',
      'onboarding:m-1:welcome',
    );
    expect(retry).toEqual(first);
    const other = await discord.postMessage(
      ids.channels.general,
      'Welcome, Grace!',
      'onboarding:m-2:welcome',
    );
    expect(other.messageId).not.toBe(first.messageId);

    const messages = await inspect<SandboxMessage>('messages');
    expect(messages.map((m) => m.content)).toEqual(['Welcome, Ada!', 'Welcome, Grace!']);
    expect(messages[0]).toMatchObject({
      channel_id: ids.channels.general,
      nonce: expect.stringMatching(/^[0-9a-f]{25}$/),
    });
  });

  it('posts once when the answer to the first attempt was lost and the activity retries', async () => {
    // The sandbox creates the message, then drops the connection instead of answering.
    await fault({ drop: true });
    const lost = await discord
      .postMessage(ids.channels.support, 'Your ticket is #4521', 'handoff:discord:77:link')
      .catch((e: unknown) => e);
    expect(lost).toMatchObject({ code: 'unavailable', retryable: true });
    expect(await inspect('messages')).toHaveLength(1);

    const retry = await discord.postMessage(
      ids.channels.support,
      'Your ticket is #4521',
      'handoff:discord:77:link',
    );
    const messages = await inspect<SandboxMessage>('messages');
    expect(messages).toHaveLength(1);
    expect(retry.messageId).toBe(messages[0]!.id);
  });

  it('replies in a thread, as a reply to one of its messages', async () => {
    const thread = ids.channels.loginHelp;
    const emitted = (await (
      await fetch(`${sandbox.url}/_sandbox/discord/emit`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          t: 'MESSAGE_CREATE',
          d: { channel_id: thread, author: 'ada', content: 'I cannot log in' },
        }),
      })
    ).json()) as { d: { id: string } };
    const reply = await discord.replyInThread(
      thread,
      'A ticket was opened: #4521',
      'handoff:1',
      emitted.d.id,
    );
    expect(reply.channelId).toBe(thread);
    const plain = await discord.replyInThread(thread, 'An agent answered.', 'handoff:2');
    // A reply to a message that is gone is still posted, as a plain message.
    await discord.postMessage(thread, 'Still there?', 'handoff:3', {
      replyTo: '1213093380096999999',
    });

    const messages = await inspect<SandboxMessage>('messages');
    expect(messages).toHaveLength(3);
    expect(messages[0]).toMatchObject({
      channel_id: thread,
      channel_type: 11,
      message_reference: { message_id: emitted.d.id },
    });
    expect(messages.find((m) => m.id === plain.messageId)?.message_reference).toBeUndefined();
    expect(messages[2]?.message_reference).toBeUndefined();
  });

  it('opens a DM channel once per user and sends in it', async () => {
    const first = await discord.sendDirectMessage(
      ids.users.grace,
      'Welcome to the server!',
      'onboarding:g:dm-1',
    );
    const second = await discord.sendDirectMessage(
      ids.users.grace,
      'How is it going?',
      'onboarding:g:dm-2',
    );
    const retry = await discord.sendDirectMessage(
      ids.users.grace,
      'How is it going?',
      'onboarding:g:dm-2',
    );
    expect(second.channelId).toBe(first.channelId);
    expect(retry).toEqual(second);
    const messages = await inspect<SandboxMessage>('messages');
    expect(messages).toEqual([
      expect.objectContaining({
        channel_type: 1,
        recipient_id: ids.users.grace,
        content: 'Welcome to the server!',
      }),
      expect.objectContaining({
        channel_type: 1,
        recipient_id: ids.users.grace,
        content: 'How is it going?',
      }),
    ]);
  });

  it('fails a DM to a member who closed their DMs as invalid (50007), not as an auth problem', async () => {
    const error = await discord
      .sendDirectMessage(ids.users.linus, 'Hi!', 'k')
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'invalid', status: 403, retryable: false });
    expect((error as Error).message).toContain('50007');
  });

  it('adds and removes a role, both safe to repeat', async () => {
    const roles = async () =>
      (await inspect<SandboxMember>('members'))
        .find((m) => m.user_id === ids.users.grace)!
        .roles.map((r) => r.name);
    expect(await roles()).toEqual([]);
    await discord.addRole(ids.users.grace, ids.roles.member);
    await discord.addRole(ids.users.grace, ids.roles.member);
    expect(await roles()).toEqual(['Member']);
    expect((await discord.lookupMember(ids.users.grace))?.roles).toEqual([ids.roles.member]);
    await discord.removeRole(ids.users.grace, ids.roles.member);
    await discord.removeRole(ids.users.grace, ids.roles.member);
    expect(await roles()).toEqual([]);
  });

  it('maps role failures by Discord code: above the bot (50013) auth, unknown member or role not_found', async () => {
    expect(
      await discord.addRole(ids.users.grace, ids.roles.moderator).catch((e: unknown) => e),
    ).toMatchObject({
      code: 'auth',
      status: 403,
    });
    expect(
      await discord.addRole('1213093380096999999', ids.roles.member).catch((e: unknown) => e),
    ).toMatchObject({
      code: 'not_found',
      message: expect.stringContaining('10007'),
    });
    expect(
      await discord.removeRole(ids.users.grace, '1213093380096999999').catch((e: unknown) => e),
    ).toMatchObject({
      code: 'not_found',
      message: expect.stringContaining('10011'),
    });
  });

  it('looks a member up, and answers undefined for someone not in the guild', async () => {
    expect(await discord.lookupMember(ids.users.ada)).toEqual({
      userId: ids.users.ada,
      username: 'ada',
      globalName: 'Ada Lovelace',
      nick: 'ada (she/her)',
      roles: [ids.roles.member],
      joinedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      bot: false,
    });
    expect(await discord.lookupMember('1213093380096999999')).toBeUndefined();
  });

  it('reads a whole thread oldest first, paging with before', async () => {
    const thread = ids.channels.loginHelp;
    for (let i = 0; i < 130; i++) {
      const emitted = await fetch(`${sandbox.url}/_sandbox/discord/emit`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          t: 'MESSAGE_CREATE',
          d: { channel_id: thread, author: i % 2 ? 'ada' : 'grace', content: `message ${i}` },
        }),
      });
      expect(emitted.status).toBe(200);
    }
    await discord.replyInThread(thread, 'A ticket was opened.', 'k');
    const transcript = await discord.fetchThread(thread);
    expect(transcript).toHaveLength(131);
    expect(transcript[0]).toMatchObject({
      content: 'message 0',
      authorUsername: 'grace',
      authorIsBot: false,
    });
    expect(transcript.at(-1)).toMatchObject({ content: 'A ticket was opened.', authorIsBot: true });
    expect(transcript.map((m) => m.content).slice(0, 130)).toEqual(
      Array.from({ length: 130 }, (_, i) => `message ${i}`),
    );
    expect((await discord.fetchThread(thread, { limit: 5 })).map((m) => m.content)).toEqual([
      'message 126',
      'message 127',
      'message 128',
      'message 129',
      'A ticket was opened.',
    ]);
  });

  it('turns a bad token into a non-retryable auth error naming the setting, and recovers from a transient 401', async () => {
    const error = await createDiscordConnector(configFor(sandbox, { botToken: 'wrong-token' }))
      .lookupMember(ids.users.ada)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'auth', status: 401, retryable: false });
    expect((error as Error).message).toContain('connectors.discord.botToken');
    expect((error as Error).message).not.toContain('wrong-token');

    await fault({ status: 401 });
    expect(await discord.lookupMember(ids.users.ada).catch((e: unknown) => e)).toMatchObject({
      code: 'auth',
    });
    // @discordjs/rest drops its token after a 401; the connector sets it again for every call.
    expect(await discord.lookupMember(ids.users.ada)).toMatchObject({ username: 'ada' });
  });

  it('rejects content the spec forbids as invalid (50035) and an empty message (50006), posting nothing', async () => {
    const tooLong = await discord
      .postMessage(ids.channels.general, 'x'.repeat(4001), 'k1')
      .catch((e: unknown) => e);
    expect(tooLong).toMatchObject({
      code: 'invalid',
      status: 400,
      message: expect.stringContaining('50035'),
    });
    const empty = await discord
      .postMessage(ids.channels.general, '   ', 'k2')
      .catch((e: unknown) => e);
    expect(empty).toMatchObject({
      code: 'invalid',
      status: 400,
      message: expect.stringContaining('50006'),
    });
    const nowhere = await discord
      .postMessage('1213093380096999999', 'hello', 'k3')
      .catch((e: unknown) => e);
    expect(nowhere).toMatchObject({ code: 'not_found', status: 404 });
    expect(await inspect('messages')).toEqual([]);
  });

  it('reports a 5xx and an unreachable API as unavailable (retryable)', async () => {
    await fault({ status: 503 });
    expect(await discord.lookupMember(ids.users.ada).catch((e: unknown) => e)).toMatchObject({
      code: 'unavailable',
      retryable: true,
      status: 503,
    });
    const down = createDiscordConnector(
      configFor(sandbox, { apiUrl: `http://127.0.0.1:${await freePort()}/api` }),
    );
    expect(await down.lookupMember(ids.users.ada).catch((e: unknown) => e)).toMatchObject({
      code: 'unavailable',
      retryable: true,
    });
  });
});

describe('Discord rate limits', () => {
  /** Retries like production: Temporal waits the ConnectorError's retryAfterMs, then tries again. */
  async function withRetries<T>(call: () => Promise<T>, waits: number[]): Promise<T> {
    for (;;) {
      try {
        return await call();
      } catch (error) {
        if (!(error instanceof ConnectorError) || error.code !== 'rate_limited') throw error;
        waits.push(error.retryAfterMs!);
        await new Promise((resolve) => setTimeout(resolve, error.retryAfterMs));
      }
    }
  }

  it('gets through a 429 storm with every action done once, after the advertised waits', async () => {
    await fault({ status: 429, count: 3, retryAfterSeconds: 1 });
    const waits: number[] = [];
    const started = Date.now();
    const results = [];
    results.push(
      await withRetries(
        () => discord.postMessage(ids.channels.general, 'Storm post', 'storm:1'),
        waits,
      ),
    );
    results.push(
      await withRetries(() => discord.addRole(ids.users.grace, ids.roles.member), waits),
    );
    results.push(
      await withRetries(
        () => discord.sendDirectMessage(ids.users.grace, 'Storm DM', 'storm:2'),
        waits,
      ),
    );
    results.push(await withRetries(() => discord.lookupMember(ids.users.grace), waits));
    const elapsed = Date.now() - started;

    expect(waits).toHaveLength(3);
    for (const wait of waits) {
      expect(wait).toBeGreaterThanOrEqual(1_000);
      expect(wait).toBeLessThan(1_500);
    }
    expect(elapsed).toBeGreaterThanOrEqual(3_000);
    const messages = await inspect<SandboxMessage>('messages');
    expect(messages.map((m) => m.content).sort()).toEqual(['Storm DM', 'Storm post']);
    expect((results[3] as { roles: string[] }).roles).toEqual([ids.roles.member]);
  });

  it('reports a global limit and holds back every route until it passes', async () => {
    await fault({ vendor: 'discord-global', status: 429, retryAfterSeconds: 1 });
    const first = await discord
      .postMessage(ids.channels.general, 'hello', 'g1')
      .catch((e: unknown) => e);
    expect(first).toMatchObject({ code: 'rate_limited', status: 429 });
    expect((first as Error).message).toContain('global');
    // Another route, right away: the client itself refuses until the global reset.
    const second = await discord.lookupMember(ids.users.ada).catch((e: unknown) => e);
    expect(second).toMatchObject({ code: 'rate_limited' });
    expect((second as ConnectorError).retryAfterMs).toBeGreaterThan(500);
    await new Promise((resolve) => setTimeout(resolve, (second as ConnectorError).retryAfterMs));
    expect(await discord.lookupMember(ids.users.ada)).toMatchObject({ username: 'ada' });
    expect(await inspect('messages')).toEqual([]);
  });

  it('takes the precise wait from the 429 body and bucket reset, not the rounded-up Retry-After', async () => {
    await fault({ status: 429, retryAfterSeconds: 0.3 });
    const error = (await discord
      .lookupMember(ids.users.ada)
      .catch((e: unknown) => e)) as ConnectorError;
    expect(error).toMatchObject({ code: 'rate_limited' });
    expect(error.retryAfterMs).toBeGreaterThanOrEqual(300);
    expect(error.retryAfterMs).toBeLessThan(1_000);
  });
});

describe('Discord emulator fidelity', () => {
  it('answers without the bot token with Discord’s 401 body', async () => {
    expect(await api('GET', '/users/@me', undefined, 'nope')).toMatchObject({
      status: 401,
      body: { message: '401: Unauthorized', code: 0 },
    });
  });

  it('rejects request bodies the OpenAPI description forbids with 50035 Invalid Form Body', async () => {
    const wrongType = await api('POST', `/channels/${ids.channels.general}/messages`, {
      content: 5,
    });
    expect(wrongType).toMatchObject({
      status: 400,
      body: {
        code: 50035,
        message: 'Invalid Form Body',
        errors: {
          content: { _errors: [{ code: expect.any(String), message: expect.any(String) }] },
        },
      },
    });
    const longNonce = await api('POST', `/channels/${ids.channels.general}/messages`, {
      content: 'hi',
      nonce: 'n'.repeat(26),
    });
    expect(longNonce.body).toMatchObject({
      code: 50035,
      errors: { nonce: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH' }] } },
    });
    const badReference = await api('POST', `/channels/${ids.channels.general}/messages`, {
      content: 'hi',
      message_reference: {},
    });
    expect(badReference.body).toMatchObject({
      code: 50035,
      errors: { message_reference: { message_id: { _errors: [{ code: 'BASE_TYPE_REQUIRED' }] } } },
    });
    const badRecipient = await api('POST', '/users/@me/channels', {
      recipient_id: 80351110224678912,
    });
    expect(badRecipient).toMatchObject({
      status: 400,
      body: { code: 50035, errors: { recipient_id: expect.any(Object) } },
    });
    const badLimit = await api('GET', `/channels/${ids.channels.general}/messages?limit=500`);
    expect(badLimit.body).toMatchObject({
      code: 50035,
      errors: { limit: { _errors: [{ code: 'NUMBER_TYPE_MAX' }] } },
    });
    const notJson = await api('POST', `/channels/${ids.channels.general}/messages`, '{"content":');
    expect(notJson).toMatchObject({ status: 400, body: { code: 50109 } });
    expect(await inspect('messages')).toEqual([]);
  });

  it('sends rate-limit headers on every answer, errors included', async () => {
    for (const path of [
      `/guilds/${ids.guild}/members/${ids.users.ada}`,
      `/guilds/${ids.guild}/members/1213093380096999999`,
    ]) {
      const { headers } = await api('GET', path);
      expect(Number(headers.get('x-ratelimit-limit'))).toBeGreaterThan(0);
      expect(Number(headers.get('x-ratelimit-remaining'))).toBeGreaterThanOrEqual(0);
      expect(Number(headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000 - 1);
      expect(Number(headers.get('x-ratelimit-reset-after'))).toBeGreaterThan(0);
      expect(headers.get('x-ratelimit-bucket')).toMatch(/^[0-9a-f]{32}$/);
    }
  });

  it('answers an exhausted bucket with 429, retry_after and the headers Discord sends', async () => {
    const small = await startEmulator({ rateLimit: { limit: 2, windowMs: 2_000 } });
    try {
      const call = () =>
        fetch(`${small.url}/api/v10/users/@me`, { headers: { authorization: `Bot ${TOKEN}` } });
      expect((await call()).headers.get('x-ratelimit-remaining')).toBe('1');
      expect((await call()).headers.get('x-ratelimit-remaining')).toBe('0');
      const limited = await call();
      expect(limited.status).toBe(429);
      expect(limited.headers.get('x-ratelimit-scope')).toBe('user');
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(await limited.json()).toMatchObject({
        message: 'You are being rate limited.',
        global: false,
        retry_after: expect.any(Number),
      });
    } finally {
      await small.stop();
    }
  });

  it('forgets a nonce after its window: a retry that late posts again (why posting is not idempotent)', async () => {
    const short = await startEmulator({ nonceWindowMs: 200 });
    try {
      const client = createDiscordConnector(configFor(short));
      const first = await client.postMessage(
        short.emulators.discord.ids.channels.general,
        'hi',
        'late-retry',
      );
      expect(
        (await client.postMessage(short.emulators.discord.ids.channels.general, 'hi', 'late-retry'))
          .messageId,
      ).toBe(first.messageId);
      await new Promise((resolve) => setTimeout(resolve, 250));
      expect(
        (await client.postMessage(short.emulators.discord.ids.channels.general, 'hi', 'late-retry'))
          .messageId,
      ).not.toBe(first.messageId);
      expect(await inspect('messages', short)).toHaveLength(2);
    } finally {
      await short.stop();
    }
  });
});
