import { describe, expect, it } from 'vitest';
import { communityEvent } from '../../connectors/events.js';
import { slackInbound } from '../../connectors/slack/inbound.js';
import { MalformedPayloadError } from '../../connectors/types.js';

const parse = (body: unknown) =>
  slackInbound.parse({
    rawBody: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
    headers: {},
  });

const envelope = (event: Record<string, unknown>) => ({
  token: 'x',
  team_id: 'T024BE7LD',
  api_app_id: 'A0KRD7HC3',
  event: { event_ts: '1700000000.000100', ...event },
  type: 'event_callback',
  event_id: 'Ev08MFMKH6',
  event_time: 1_700_000_000,
  authed_users: [],
});

describe('Slack Events API parsing', () => {
  it('turns team_join into a normalized member.joined event', () => {
    const result = parse(
      envelope({
        type: 'team_join',
        user: {
          id: 'W012A3CDE',
          team_id: 'T024BE7LD',
          name: 'spengler',
          real_name: 'Egon Spengler',
          profile: { email: 'spengler@ghostbusters.example.com', real_name: 'Egon Spengler' },
        },
      }),
    );
    expect(result).toEqual({
      kind: 'event',
      event: {
        type: 'member.joined',
        eventId: 'slack:Ev08MFMKH6',
        platform: 'slack',
        occurredAt: '2023-11-14T22:13:20.000Z',
        member: {
          userId: 'W012A3CDE',
          communityId: 'T024BE7LD',
          email: 'spengler@ghostbusters.example.com',
          name: 'Egon Spengler',
          handle: 'spengler',
        },
      },
    });
    if (result.kind === 'event') expect(communityEvent.safeParse(result.event).success).toBe(true);
  });

  it('keeps a member without a (visible) email', () => {
    const result = parse(envelope({ type: 'team_join', user: { id: 'U1', name: 'ada' } }));
    expect(result.kind === 'event' && result.event.member).toEqual({
      userId: 'U1',
      communityId: 'T024BE7LD',
      name: 'ada',
      handle: 'ada',
    });
  });

  it('answers the url_verification handshake', () => {
    expect(parse({ token: 'x', challenge: 'c-123', type: 'url_verification' })).toEqual({
      kind: 'reply',
      body: { challenge: 'c-123' },
    });
  });

  it('ignores event types no workflow wants, and bot users', () => {
    expect(parse(envelope({ type: 'emoji_changed' })).kind).toBe('ignored');
    expect(parse(envelope({ type: 'team_join', user: { id: 'B1', is_bot: true } })).kind).toBe(
      'ignored',
    );
  });

  it.each([
    ['not JSON', '{"type":'],
    ['an unknown envelope type', { type: 'something_else' }],
    ['an envelope without event_id', { ...envelope({ type: 'team_join' }), event_id: undefined }],
    ['team_join without a user', envelope({ type: 'team_join' })],
    ['team_join whose user has no id', envelope({ type: 'team_join', user: { name: 'x' } })],
  ])('rejects %s as malformed', (_name, body) => {
    expect(() => parse(body)).toThrow(MalformedPayloadError);
  });
});

describe('Slack member roles', () => {
  const joined = (user: Record<string, unknown>, type = 'team_join') => {
    const result = parse(envelope({ type, user: { id: 'U0ADMIN1', name: 'egon', ...user } }));
    if (result.kind !== 'event') throw new Error(`expected an event, got ${result.kind}`);
    expect(communityEvent.safeParse(result.event).success).toBe(true);
    return result.event.member;
  };

  it.each([
    ['an admin', { is_admin: true, is_owner: false, is_primary_owner: false }, ['admin']],
    [
      'the primary owner (who is also owner and admin)',
      { is_admin: true, is_owner: true, is_primary_owner: true },
      ['admin', 'owner', 'primary_owner'],
    ],
    ['an owner without the other flags', { is_owner: true }, ['owner']],
    ['a regular member: the flags are there, all false', { is_admin: false, is_owner: false }, []],
  ])('names the roles of %s from the user object’s flags', (_name, flags, roles) => {
    expect(joined(flags).roles).toEqual(roles);
    expect(joined(flags, 'user_change').roles).toEqual(roles);
  });

  it('leaves roles out when the user object carries none of the flags (unknown)', () => {
    expect(joined({})).not.toHaveProperty('roles');
  });

  it('reads a malformed flag as unknown and keeps the event', () => {
    expect(joined({ is_admin: 'yes', is_owner: false }).roles).toEqual([]);
    expect(joined({ is_admin: 'yes' })).not.toHaveProperty('roles');
  });

  it('gives messages and reactions no roles: their events carry no user flags', () => {
    for (const event of [
      {
        type: 'message',
        channel: 'C0GENERAL',
        user: 'U0ADMIN1',
        text: 'hi',
        ts: '1700000000.000200',
      },
      {
        type: 'reaction_added',
        user: 'U0ADMIN1',
        reaction: 'tada',
        item: { type: 'message', channel: 'C0GENERAL', ts: '1700000000.000200' },
      },
    ]) {
      const result = parse(envelope(event));
      if (result.kind !== 'event') throw new Error(`expected an event, got ${result.kind}`);
      expect(result.event.member).not.toHaveProperty('roles');
    }
  });
});
