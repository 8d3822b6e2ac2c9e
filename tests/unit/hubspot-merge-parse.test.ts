import { describe, expect, it } from 'vitest';
import { businessEvent } from '../../connectors/business-events.js';
import { isRetryable } from '../../connectors/hubspot/batch.js';
import { hubspotInbound } from '../../connectors/hubspot/inbound.js';
import { platformValues } from '../../connectors/hubspot/platforms.js';
import { MalformedPayloadError } from '../../connectors/types.js';

const parse = (body: unknown) =>
  hubspotInbound.parse({ rawBody: Buffer.from(JSON.stringify(body)), headers: {} });

/** A contact.merge event as the Webhooks API documents it (primaryObjectId, mergedObjectIds ...). */
const merge = (extra: Record<string, unknown> = {}) => ({
  eventId: 7,
  subscriptionId: 3,
  portalId: 33,
  appId: 1160452,
  occurredAt: Date.parse('2026-11-24T12:00:00Z'),
  subscriptionType: 'contact.merge',
  attemptNumber: 0,
  objectId: 5001,
  changeFlag: 'MERGED',
  changeSource: 'CRM_UI',
  primaryObjectId: 5001,
  mergedObjectIds: [5002, 5003],
  newObjectId: 5001,
  numberOfPropertiesMoved: 12,
  ...extra,
});

const eventsOf = (body: unknown) => {
  const result = parse(body);
  if (result.kind !== 'event') throw new Error(`not an event: ${result.kind}`);
  return result.event.events;
};

describe('contact.merge webhooks', () => {
  it('become contact.merged: the contact that remains, and the ones merged into it', () => {
    const [event] = eventsOf([merge()]);
    expect(event).toEqual({
      eventId: 'hubspot:33:7',
      system: 'hubspot',
      type: 'contact.merged',
      occurredAt: '2026-11-24T12:00:00.000Z',
      contactId: '5001',
      mergedContactIds: ['5002', '5003'],
    });
    expect(businessEvent.parse(event)).toEqual(event);
  });

  it('a merge that made a new contact: the primary is merged away too', () => {
    const [event] = eventsOf([merge({ newObjectId: 6000, mergedObjectIds: ['5002'] })]);
    expect(event).toMatchObject({ contactId: '6000', mergedContactIds: ['5002', '5001'] });
  });

  it('without mergedObjectIds it is malformed', () => {
    expect(() => parse([merge({ mergedObjectIds: [] })])).toThrow(MalformedPayloadError);
    expect(() => parse([merge({ mergedObjectIds: undefined })])).toThrow(MalformedPayloadError);
  });
});

describe('which refused records are worth another try', () => {
  it.each([
    ['VALIDATION_ERROR', 'INVALID_EMAIL', false],
    ['VALIDATION_ERROR', 'PROPERTY_DOESNT_EXIST', false],
    ['VALIDATION_ERROR', 'INVALID_OPTION', false],
    ['VALIDATION_ERROR', 'VALUE_NOT_UNIQUE', false],
    ['OBJECT_ALREADY_EXISTS', 'CONTACT_EXISTS', false],
    ['CONFLICT', 'CONTACT_EXISTS', false],
    ['CONFLICT', undefined, true],
    ['INTERNAL_ERROR', undefined, true],
    ['RATE_LIMITS', undefined, true],
    ['OBJECT_NOT_FOUND', undefined, false],
    ['SOMETHING_NEW', undefined, false],
    [undefined, undefined, true],
  ] as const)('%s %s: %s', (category, code, retryable) => {
    expect(isRetryable({ category, code })).toBe(retryable);
  });
});

describe('community_platforms values', () => {
  it('are trimmed, without blanks or repeats, sorted', () => {
    expect(platformValues(' slack; discord;;slack ,reddit')).toEqual([
      'discord',
      'reddit',
      'slack',
    ]);
    expect(platformValues('')).toEqual([]);
  });
});
