import { describe, expect, it } from 'vitest';
import { createDiscordConnector } from '../../connectors/discord/client.js';
import { freePort } from '../support/ports.js';
import {
  configFor,
  discord,
  fault,
  ids,
  inspect,
  sandbox,
  useDiscordEmulator,
} from '../support/discord-client.js';

/** Discord's refusals and outages as ConnectorErrors: auth, invalid, not_found, unavailable. */

useDiscordEmulator();

describe('Discord connector against the emulator', () => {
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
