import { describe, expect, it } from 'vitest';
import { businessEvent } from '../../connectors/business-events.js';
import { hubspotInbound } from '../../connectors/hubspot/inbound.js';
import { MalformedPayloadError } from '../../connectors/types.js';

const parse = (body: unknown) =>
  hubspotInbound.parse({
    rawBody: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
    headers: {},
  });

const occurredAt = Date.parse('2026-11-24T12:00:00Z');
/** An event as the Webhooks API documents it. */
const event = (subscriptionType: string, extra: Record<string, unknown> = {}) => ({
  objectId: 1246965,
  eventId: 3816279340,
  subscriptionId: 25,
  portalId: 33,
  appId: 1160452,
  occurredAt,
  subscriptionType,
  attemptNumber: 0,
  changeSource: 'CRM',
  ...extra,
});

describe('HubSpot webhook batches', () => {
  it('turns each contact event of a batch into a BusinessEvent with a stable id', () => {
    const result = parse([
      event('contact.propertyChange', {
        eventId: 1,
        propertyName: 'lifecyclestage',
        propertyValue: 'customer',
      }),
      event('contact.creation', { eventId: 2, changeFlag: 'NEW' }),
      event('contact.deletion', { eventId: 3 }),
      event('contact.privacyDeletion', { eventId: 4 }),
      event('deal.creation', { eventId: 5 }),
    ]);
    expect(result.kind).toBe('event');
    if (result.kind !== 'event') return;
    const events = result.event.events;
    expect(events.map((e) => [e.eventId, e.type])).toEqual([
      ['hubspot:33:1', 'contact.changed'],
      ['hubspot:33:2', 'contact.changed'],
      ['hubspot:33:3', 'contact.deleted'],
      ['hubspot:33:4', 'contact.erasure_requested'],
    ]);
    expect(events[0]).toEqual({
      eventId: 'hubspot:33:1',
      system: 'hubspot',
      type: 'contact.changed',
      occurredAt: '2026-11-24T12:00:00.000Z',
      contactId: '1246965',
      // The name only: the new value is personal data and stays out of the store.
      properties: ['lifecyclestage'],
    });
    for (const e of events) expect(businessEvent.parse(e)).toEqual(e);
  });

  it('ignores a batch with no contact events', () => {
    expect(parse([event('company.creation')])).toEqual({
      kind: 'ignored',
      reason: 'no contact events (company.creation)',
    });
  });

  it.each([
    ['not JSON', '{oops'],
    ['an object instead of a list', { eventId: 1 }],
    ['an empty list', []],
    ['an event without eventId', [{ ...event('contact.creation'), eventId: undefined }]],
    ['a propertyChange without propertyName', [event('contact.propertyChange')]],
  ])('rejects %s as malformed', (_what, body) => {
    expect(() => parse(body)).toThrow(MalformedPayloadError);
  });
});
