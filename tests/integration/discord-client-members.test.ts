import { describe, expect, it } from 'vitest';
import type { SandboxMember } from '../support/discord-client.js';
import { discord, ids, inspect, useDiscordEmulator } from '../support/discord-client.js';

/** Roles added and removed, safe to repeat, and members looked up. */

useDiscordEmulator();

describe('Discord connector against the emulator', () => {
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
});
