// Slack Events API deliveries and townhall's parse of them, for slack-events-*.test.ts.
import { expect } from 'vitest';
import type { CommunityEvent } from '../../connectors/events.js';
import { communityEvent } from '../../connectors/events.js';
import { slackInbound } from '../../connectors/slack/inbound.js';

/**
 * Event bodies as Slack documents them (docs.slack.dev/reference/events/<type>, "Example
 * payload"), inside the standard event_callback wrapper.
 */
export const envelope = (event: Record<string, unknown>, eventId = 'Ev0PV52K25') => ({
  token: 'XXYYZZ',
  team_id: 'T123ABC456',
  api_app_id: 'A123ABC456',
  event,
  type: 'event_callback',
  authorizations: [
    { team_id: 'T123ABC456', user_id: 'U0LAN0Z89', is_bot: true, is_enterprise_install: false },
  ],
  event_id: eventId,
  event_time: 1_515_449_522,
});

export const parse = (body: unknown) =>
  slackInbound.parse({
    rawBody: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
    headers: { 'content-type': 'application/json' },
  });

export function eventOf(body: unknown): CommunityEvent {
  const result = parse(body);
  if (result.kind !== 'event') throw new Error(`expected an event, got ${JSON.stringify(result)}`);
  expect(communityEvent.safeParse(result.event).success).toBe(true);
  return result.event;
}

export const someUser = (overrides: Record<string, unknown> = {}) => ({
  id: 'U1234567',
  team_id: 'T1234567',
  name: 'some-user',
  deleted: false,
  color: '4bbe2e',
  real_name: 'Some User',
  tz: 'America/Los_Angeles',
  tz_label: 'Pacific Daylight Time',
  tz_offset: -25200,
  profile: {
    title: '',
    phone: '',
    skype: '',
    real_name: 'Some User',
    real_name_normalized: 'Some User',
    display_name: '',
    display_name_normalized: '',
    fields: {},
    status_text: 'riding a train',
    status_emoji: ':mountain_railway:',
    status_emoji_display_info: [],
    status_expiration: 0,
    avatar_hash: 'g12345678910',
    email: 'some.user@example.com',
    first_name: 'Some',
    last_name: 'User',
    team: 'T1234567',
  },
  is_admin: false,
  is_owner: false,
  is_bot: false,
  is_app_user: false,
  updated: 1_648_596_421,
  ...overrides,
});
