// member.roles from what Discord sends: the role ids of the guild member object that rides along
// with GUILD_MEMBER_ADD, MESSAGE_CREATE, MESSAGE_REACTION_ADD and interactions. Absent means
// unknown (no roles field), an empty list means none.
import { describe, expect, it } from 'vitest';
import { discordInteractions } from '../../connectors/discord/inbound.js';
import { normalizeDispatch } from '../../connectors/discord/normalize.js';
import type { CommunityMember } from '../../connectors/events.js';
import { communityEvent } from '../../connectors/events.js';
import {
  ada,
  adaMember,
  ctx,
  GUILD,
  memberAdd,
  message,
  reaction,
} from '../support/discord-dispatches.js';
import { config } from '../support/discord-interactions.js';

const MODERATOR = '1199384020519211022';
const HELPER = '1199384020519211023';

function memberOf(t: string, d: unknown): CommunityMember {
  const result = normalizeDispatch(t, d, ctx());
  if (result.kind !== 'event') throw new Error(`expected an event, got ${JSON.stringify(result)}`);
  expect(communityEvent.parse(result.event)).toEqual(result.event);
  return result.event.member;
}

describe('Discord gateway dispatches → member.roles', () => {
  it.each<[string, string, unknown, CommunityMember]>([
    [
      'GUILD_MEMBER_ADD: d.roles',
      'GUILD_MEMBER_ADD',
      { ...memberAdd, roles: [MODERATOR, HELPER] },
      { ...adaMember, roles: [MODERATOR, HELPER] },
    ],
    [
      'GUILD_MEMBER_ADD of someone with no role yet: an empty list, not unknown',
      'GUILD_MEMBER_ADD',
      memberAdd,
      { ...adaMember, roles: [] },
    ],
    [
      'MESSAGE_CREATE: d.member.roles',
      'MESSAGE_CREATE',
      { ...message, member: { ...message.member, roles: [MODERATOR] } },
      { ...adaMember, name: 'ada (she/her)', roles: [MODERATOR] },
    ],
    [
      'MESSAGE_CREATE without a member object: roles unknown',
      'MESSAGE_CREATE',
      { ...message, member: undefined },
      adaMember,
    ],
    [
      'MESSAGE_CREATE whose member object has no roles field: roles unknown',
      'MESSAGE_CREATE',
      { ...message, member: { ...message.member, roles: undefined } },
      { ...adaMember, name: 'ada (she/her)' },
    ],
    [
      'MESSAGE_REACTION_ADD: d.member.roles',
      'MESSAGE_REACTION_ADD',
      { ...reaction, member: { ...reaction.member, roles: [HELPER] } },
      { ...adaMember, name: 'ada (she/her)', roles: [HELPER] },
    ],
    [
      'MESSAGE_REACTION_ADD whose member lacks its user: the roles still count',
      'MESSAGE_REACTION_ADD',
      { ...reaction, member: { ...reaction.member, user: undefined, roles: [HELPER] } },
      { userId: ada.id, communityId: GUILD, roles: [HELPER] },
    ],
    [
      'MESSAGE_REACTION_ADD without a member object: roles unknown',
      'MESSAGE_REACTION_ADD',
      { ...reaction, member: undefined },
      { userId: ada.id, communityId: GUILD },
    ],
    [
      'GUILD_MEMBER_REMOVE (only the user): roles unknown',
      'GUILD_MEMBER_REMOVE',
      { guild_id: GUILD, user: ada },
      adaMember,
    ],
    [
      'a roles list that is not role ids: unknown, and the message is still read',
      'MESSAGE_CREATE',
      { ...message, member: { ...message.member, roles: ['moderator', 7] } },
      { ...adaMember, name: 'ada (she/her)' },
    ],
  ])('%s', (_name, t, d, expected) => {
    expect(memberOf(t, d)).toEqual(expected);
  });
});

describe('Discord interactions → member.roles', () => {
  const grace = { id: '1213093380096000031', username: 'grace', global_name: 'Grace Hopper' };
  const interaction = (member: Record<string, unknown>) => ({
    application_id: config.applicationId,
    channel_id: '1199384021555212340',
    data: { id: '1213095000000000001', name: 'ticket', type: 1 },
    guild_id: config.guildId,
    id: '1310270000000000001',
    member: { user: grace, nick: null, joined_at: '2026-11-20T09:00:00.000000+00:00', ...member },
    token: 'aW50ZXJhY3Rpb24',
    type: 2,
    version: 1,
  });
  const parse = (body: unknown) => {
    const result = discordInteractions.parse(
      { rawBody: Buffer.from(JSON.stringify(body)), headers: {} },
      config,
    );
    if (result.kind !== 'event') throw new Error(`expected an event, got ${result.kind}`);
    return result.event.member;
  };

  it('reads member.roles of the invoking member', () => {
    expect(parse(interaction({ roles: [MODERATOR, HELPER] })).roles).toEqual([MODERATOR, HELPER]);
    expect(parse(interaction({ roles: [] })).roles).toEqual([]);
  });

  it('leaves roles out when the member object does not list them', () => {
    expect(parse(interaction({}))).not.toHaveProperty('roles');
  });
});
