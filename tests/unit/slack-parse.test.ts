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
