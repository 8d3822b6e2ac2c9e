import { describe, expect, it } from 'vitest';
import { createDiscordConnector } from '../../connectors/discord/client.js';
import {
  api,
  configFor,
  ids,
  inspect,
  startEmulator,
  TOKEN,
  useDiscordEmulator,
} from '../support/discord-client.js';

/** The REST emulator answers as Discord does: its checks, errors, limits and nonces. */

useDiscordEmulator();

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
