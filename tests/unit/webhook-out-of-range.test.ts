// Found by the fuzz suite (tests/fuzz/webhooks.test.ts): signed deliveries whose times lay beyond
// what a Date holds, or whose link was no URL, made parse throw a RangeError or TypeError, which
// the webhook route answered 500, so the vendor would retry them forever. Now a time out of range
// is a malformed payload (400), and a detail that is not needed (a user's creation time, a post's
// link) is dropped instead of costing the event.
import { describe, expect, it } from 'vitest';
import { discourseInbound } from '../../connectors/discourse/inbound.js';
import { hubspotInbound } from '../../connectors/hubspot/inbound.js';
import { intercomInbound } from '../../connectors/intercom/inbound.js';
import { slackInbound } from '../../connectors/slack/inbound.js';
import type { InboundRequest } from '../../connectors/types.js';
import { MalformedPayloadError } from '../../connectors/types.js';

const request = (body: unknown, headers: Record<string, string> = {}): InboundRequest => ({
  rawBody: Buffer.from(JSON.stringify(body)),
  headers,
});

/** One millisecond past the last moment a Date can hold. */
const BEYOND_MS = 8.64e15 + 1;

describe('times beyond what a Date holds are malformed payloads, not crashes', () => {
  it('HubSpot: occurredAt', () => {
    const event = {
      eventId: 100,
      portalId: 62515,
      occurredAt: BEYOND_MS,
      subscriptionType: 'contact.creation',
      objectId: 1234,
    };
    expect(() => hubspotInbound.parse(request([event]))).toThrow(MalformedPayloadError);
    expect(() => hubspotInbound.parse(request([event]))).toThrow(/occurredAt/);
  });

  it('Slack: event_time of a team_join', () => {
    const body = {
      type: 'event_callback',
      team_id: 'T1',
      event_id: 'Ev1',
      event_time: 1e15,
      event: { type: 'team_join', user: { id: 'U1', team_id: 'T1', name: 'ada' } },
    };
    expect(() => slackInbound.parse(request(body))).toThrow(MalformedPayloadError);
    expect(() => slackInbound.parse(request(body))).toThrow(/event_time/);
  });

  it('Intercom: created_at of a notification', () => {
    const body = {
      type: 'notification_event',
      app_id: 'abc123de',
      id: 'notif_1',
      topic: 'ticket.state.updated',
      created_at: 1e15,
      data: { item: { type: 'ticket', id: '640', ticket_state: { category: 'submitted' } } },
    };
    expect(() => intercomInbound.parse(request(body))).toThrow(MalformedPayloadError);
    expect(() => intercomInbound.parse(request(body))).toThrow(/created_at/);
  });
});

describe('Discourse details that are not what they claim cost only themselves', () => {
  const headers = (event: string) => ({
    'x-discourse-instance': 'https://forum.example.com',
    'x-discourse-event': event,
  });

  it('a user created_at that is not a time: the event, at the time townhall heard of it', () => {
    const before = Date.now();
    const result = discourseInbound.parse(
      request(
        { user: { id: 7, username: 'ada', created_at: 'yesterday-ish' } },
        headers('user_created'),
      ),
    );
    expect(result.kind).toBe('event');
    if (result.kind !== 'event') return;
    expect(Date.parse(result.event.occurredAt)).toBeGreaterThanOrEqual(before - 1);
  });

  it('a post_url that is no URL: the post, without a link', () => {
    const post = {
      id: 555,
      topic_id: 77,
      post_number: 2,
      user_id: 1001,
      username: 'ada',
      created_at: '2026-01-08T14:25:30.000Z',
      cooked: '<p>hello</p>',
      category_id: 4,
      post_url: 'http://[',
    };
    const result = discourseInbound.parse(request({ post }, headers('post_created')));
    expect(result).toMatchObject({
      kind: 'event',
      event: { type: 'message.posted', text: 'hello' },
    });
    expect(result.kind === 'event' && 'url' in result.event).toBe(false);
  });
});
