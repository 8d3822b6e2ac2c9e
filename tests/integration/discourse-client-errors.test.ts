import { describe, expect, it } from 'vitest';
import { ConnectorError } from '../../connectors/errors.js';
import { freePort } from '../support/ports.js';
import {
  connector,
  discourse,
  fault,
  inspect,
  useDiscourseEmulator,
} from '../support/discourse-client.js';

/** The forum's refusals, limits and outages as ConnectorErrors. */

useDiscourseEmulator();

describe('Discourse connector against the emulator', () => {
  it('surfaces Discourse’s validation errors (422) as invalid, naming the problem', async () => {
    const error = await discourse
      .createTopic({ title: 'Short', raw: 'Too short', dedupKey: 'k' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error).toMatchObject({ code: 'invalid', status: 422, retryable: false });
    expect((error as Error).message).toContain('Title is too short');
    expect(await inspect('messages')).toEqual([]);
  });

  it('masks the usernames a refusal quotes back (they name members)', async () => {
    const error = await discourse
      .sendPrivateMessage({
        recipients: ['grace_h'],
        title: 'Welcome aboard',
        raw: 'Glad you are here, welcome!',
        dedupKey: 'masked-recipient',
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'invalid', status: 422 });
    expect((error as Error).message).toContain('the following users do not exist: [user]');
    expect((error as Error).message).not.toMatch(/grace/i);
  });

  it('turns a rejected API key (403) into a non-retryable auth error naming the setting', async () => {
    const error = await connector({ apiKey: 'wrong-key' })
      .getUser('system')
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'auth', retryable: false, status: 403 });
    expect((error as Error).message).toContain('connectors.discourse.apiKey');
    expect((error as Error).message).not.toContain('wrong-key');
  });

  it('turns a 429 storm into rate_limited with the advertised wait, then succeeds', async () => {
    await fault({ status: 429, count: 2, retryAfterSeconds: 7 });
    const lookup = () => discourse.getUser('system');
    for (let attempt = 0; attempt < 2; attempt++) {
      expect(await lookup().catch((e: unknown) => e)).toMatchObject({
        code: 'rate_limited',
        retryable: true,
        status: 429,
        retryAfterMs: 7_000,
      });
    }
    expect(await lookup()).toMatchObject({ username: 'system' });
  });

  it('reports a 5xx and an unreachable forum as unavailable (retryable)', async () => {
    await fault({ status: 503 });
    expect(await discourse.getUser('system').catch((e: unknown) => e)).toMatchObject({
      code: 'unavailable',
      retryable: true,
    });
    const down = connector({ baseUrl: `http://127.0.0.1:${await freePort()}` });
    expect(await down.getUser('system').catch((e: unknown) => e)).toMatchObject({
      code: 'unavailable',
      retryable: true,
    });
  });
});
