import { describe, expect, it } from 'vitest';
import { addUser, discourse, inspect, useDiscourseEmulator } from '../support/discourse-client.js';

/** Group membership, safe to repeat, and users looked up by username. */

useDiscourseEmulator();

describe('Discourse connector against the emulator', () => {
  it('adds to and removes from a group, both safe to repeat', async () => {
    await addUser('ada');
    expect(await discourse.addToGroup({ groupId: 41, username: 'ada' })).toEqual({ added: true });
    // Discourse answers a repeat with 422 "already a member"; the connector checks and agrees.
    expect(await discourse.addToGroup({ groupId: 41, username: 'ada' })).toEqual({ added: false });
    expect(await inspect('members')).toEqual([
      { group_id: 41, group: 'community', user_id: expect.any(Number), username: 'ada' },
    ]);
    expect((await discourse.getUser('ada'))?.groups).toEqual([{ id: 41, name: 'community' }]);

    expect(await discourse.removeFromGroup({ groupId: 41, username: 'ada' })).toEqual({
      removed: true,
    });
    expect(await discourse.removeFromGroup({ groupId: 41, username: 'ada' })).toEqual({
      removed: false,
    });
    expect(await inspect('members')).toEqual([]);
  });

  it('looks a user up by username, and answers undefined for nobody', async () => {
    await addUser('ada');
    expect(await discourse.getUser('ada')).toEqual({
      id: expect.any(Number),
      username: 'ada',
      name: 'ada',
      groups: [],
    });
    expect(await discourse.getUser('nobody')).toBeUndefined();
  });

  it('fails a group add for an unknown group as not_found, and an unknown user as invalid', async () => {
    await addUser('ada');
    expect(
      await discourse.addToGroup({ groupId: 999, username: 'ada' }).catch((e: unknown) => e),
    ).toMatchObject({
      code: 'not_found',
      status: 404,
    });
    expect(
      await discourse.addToGroup({ groupId: 41, username: 'ghost' }).catch((e: unknown) => e),
    ).toMatchObject({
      code: 'invalid',
      status: 400,
      retryable: false,
    });
  });
});
