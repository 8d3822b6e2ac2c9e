// member.roles from what Discourse sends: the admin, moderator and staff flags that are true, the
// primary group and any listed groups by name (WebHookUserSerializer, WebHookPostSerializer).
// Absent fields mean unknown (no roles field); stated and empty means none.
import { describe, expect, it } from 'vitest';
import { discourseInbound } from '../../connectors/discourse/inbound.js';
import type { CommunityMember } from '../../connectors/events.js';
import { communityEvent } from '../../connectors/events.js';

const parse = (event: string, body: unknown): CommunityMember => {
  const result = discourseInbound.parse({
    rawBody: Buffer.from(JSON.stringify(body)),
    headers: {
      'x-discourse-event': event,
      'x-discourse-instance': 'https://forum.example.com',
      'x-discourse-event-id': '1',
    },
  });
  if (result.kind !== 'event') throw new Error(`expected an event, got ${result.kind}`);
  expect(communityEvent.safeParse(result.event).success).toBe(true);
  return result.event.member;
};

/** WebHookPostSerializer's fields townhall reads, by an author with no standing. */
const post = {
  id: 1234,
  username: 'ada',
  name: 'Ada Lovelace',
  created_at: '2026-11-24T12:05:00.000Z',
  cooked: '<p>hello</p>',
  raw: 'hello',
  post_number: 3,
  post_type: 1,
  topic_id: 77,
  category_id: 4,
  user_id: 42,
  topic_archetype: 'regular',
  primary_group_name: null,
  moderator: false,
  admin: false,
  staff: false,
};

const user = { id: 42, username: 'ada', created_at: '2026-11-24T12:00:00.000Z' };

describe('Discourse post_created → member.roles', () => {
  it.each([
    ['an admin (staff too)', { admin: true, staff: true }, ['admin', 'staff']],
    ['a moderator', { moderator: true, staff: true }, ['moderator', 'staff']],
    ['a member of a primary group', { primary_group_name: 'team' }, ['team']],
    [
      'a moderator whose primary group is the team',
      { moderator: true, staff: true, primary_group_name: 'team' },
      ['moderator', 'staff', 'team'],
    ],
    ['an author with no standing: the fields are there, all false or null', {}, []],
  ])('%s', (_name, standing, roles) => {
    expect(parse('post_created', { post: { ...post, ...standing } }).roles).toEqual(roles);
  });

  it('leaves roles out when the post carries none of the fields (unknown)', () => {
    const { primary_group_name: _p, moderator: _m, admin: _a, staff: _s, ...bare } = post;
    expect(parse('post_created', { post: bare })).not.toHaveProperty('roles');
  });

  it('reads a malformed field as unknown and keeps the post', () => {
    expect(
      parse('post_created', { post: { ...post, admin: 'yes', primary_group_name: 7 } }).roles,
    ).toEqual([]);
    const { primary_group_name: _p, moderator: _m, staff: _s, ...adminOnly } = post;
    expect(parse('post_created', { post: { ...adminOnly, admin: 'yes' } })).not.toHaveProperty(
      'roles',
    );
  });
});

describe('Discourse user_created → member.roles', () => {
  it('names admin and moderator, the primary group and every listed group, once each', () => {
    const member = parse('user_created', {
      user: {
        ...user,
        admin: true,
        moderator: false,
        primary_group_name: 'team',
        groups: [
          { id: 1, name: 'admins', automatic: true },
          { id: 3, name: 'staff', automatic: true },
          { id: 41, name: 'team', automatic: false },
        ],
      },
    });
    expect(member.roles).toEqual(['admin', 'team', 'admins', 'staff']);
  });

  it('gives an empty list when the flags are stated false and no group is named', () => {
    const member = parse('user_created', { user: { ...user, admin: false, moderator: false } });
    expect(member.roles).toEqual([]);
  });

  it('leaves roles out when the user object states none of them', () => {
    expect(parse('user_created', { user })).not.toHaveProperty('roles');
  });

  it('reads a malformed groups list as unknown and keeps the event', () => {
    const member = parse('user_created', { user: { ...user, moderator: true, groups: 'team' } });
    expect(member.roles).toEqual(['moderator']);
  });
});
