import { describe, expect, it } from 'vitest';
import { zendeskInbound } from '../../connectors/zendesk/inbound.js';
import { normalizeZendeskStatus } from '../../connectors/zendesk/status.js';
import { MalformedPayloadError } from '../../connectors/types.js';

const parse = (body: unknown) =>
  zendeskInbound.parse({
    rawBody: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
    headers: {},
  });

const statusChanged = (current: string, detail: Record<string, unknown> = {}) => ({
  account_id: 22129848,
  detail: {
    id: '5158',
    external_id: 'handoff:discourse:77',
    requester_id: '20978392',
    status: current,
    ...detail,
  },
  event: { current, previous: 'NEW' },
  id: 'a8b9c1d2-3e4f-5a6b-7c8d-9e0f1a2b3c4d',
  subject: 'zen:ticket:5158',
  time: '2025-01-08T16:45:20.987654321Z',
  type: 'zen:event-type:ticket.status_changed',
  zendesk_event_version: '2022-11-06',
});

const commentAdded = (author: Record<string, unknown>, isPublic = true) => ({
  account_id: 22129848,
  detail: { id: '5158', external_id: null, requester_id: '20978392', status: 'OPEN' },
  event: { comment: { id: '10001', body: 'Any news?', is_public: isPublic, author } },
  id: 'cbe4028c-7239-495d-b020-f22348516046',
  subject: 'zen:ticket:5158',
  time: '2025-01-08T10:12:07.672717030Z',
  type: 'zen:event-type:ticket.comment_added',
  zendesk_event_version: '2022-11-06',
});

describe('Zendesk ticket statuses in townhall’s vocabulary', () => {
  it.each([
    ['new', 'open'],
    ['open', 'open'],
    ['pending', 'waiting'],
    ['hold', 'waiting'],
    ['solved', 'resolved'],
    ['closed', 'closed'],
    ['SOLVED', 'resolved'],
  ])('%s → %s', (zendesk, townhall) => {
    expect(normalizeZendeskStatus(zendesk)).toBe(townhall);
  });

  it('knows no other status', () => {
    expect(normalizeZendeskStatus('deleted')).toBeUndefined();
    expect(normalizeZendeskStatus('constructor')).toBeUndefined();
  });
});

describe('Zendesk event-subscription webhooks into business events', () => {
  it('turns ticket.status_changed into a normalized status change', () => {
    expect(parse(statusChanged('HOLD'))).toEqual({
      kind: 'event',
      event: {
        type: 'ticket.status_changed',
        eventId: 'zendesk:22129848:a8b9c1d2-3e4f-5a6b-7c8d-9e0f1a2b3c4d',
        system: 'zendesk',
        occurredAt: '2025-01-08T16:45:20.987Z',
        ticketId: '5158',
        externalId: 'handoff:discourse:77',
        status: 'waiting',
        vendorStatus: 'hold',
      },
    });
  });

  it('accepts numeric ids, and leaves out an empty or missing external id', () => {
    const numeric = parse({
      ...statusChanged('CLOSED', { id: 5158, external_id: '' }),
      account_id: '22129848',
    });
    expect(numeric).toMatchObject({ kind: 'event', event: { ticketId: '5158', status: 'closed' } });
    expect(numeric.kind === 'event' && 'externalId' in numeric.event).toBe(false);
  });

  it('ignores a status with no townhall equivalent', () => {
    expect(parse(statusChanged('DELETED'))).toMatchObject({ kind: 'ignored' });
  });

  it('turns ticket.comment_added into a comment with its author’s role and visibility', () => {
    const agent = parse(
      commentAdded({ id: '8447388090494', is_staff: true, name: 'Support Agent' }),
    );
    expect(agent).toEqual({
      kind: 'event',
      event: {
        type: 'ticket.comment_added',
        eventId: 'zendesk:22129848:cbe4028c-7239-495d-b020-f22348516046',
        system: 'zendesk',
        occurredAt: '2025-01-08T10:12:07.672Z',
        ticketId: '5158',
        commentId: '10001',
        public: true,
        author: { id: '8447388090494', name: 'Support Agent', role: 'agent' },
        text: 'Any news?',
      },
    });
    expect(parse(commentAdded({ id: 20978392, is_staff: false }))).toMatchObject({
      event: { author: { id: '20978392', role: 'requester' } },
    });
    expect(parse(commentAdded({ id: '7', is_staff: false, name: null }))).toMatchObject({
      event: { author: { id: '7', role: 'other' } },
    });
    expect(parse(commentAdded({ id: '1', is_staff: true }, false))).toMatchObject({
      event: { public: false },
    });
  });

  it('acknowledges other event types without an event', () => {
    expect(parse({ ...statusChanged('OPEN'), type: 'zen:event-type:ticket.created' })).toEqual({
      kind: 'ignored',
      reason: 'zendesk event zen:event-type:ticket.created is not handled',
    });
    expect(
      parse({
        type: 'zen:event-type:user.active_changed',
        account_id: 1,
        id: 'u',
        time: '2025-01-08T00:00:00Z',
      }),
    ).toMatchObject({ kind: 'ignored' });
  });

  it.each([
    ['not JSON', '{"type":'],
    ['no type', { account_id: 1, id: 'x', time: '2025-01-08T00:00:00Z' }],
    ['no account', { ...statusChanged('OPEN'), account_id: undefined }],
    ['a bad time', { ...statusChanged('OPEN'), time: 'soon' }],
    ['no ticket id', { ...statusChanged('OPEN'), detail: { status: 'OPEN' } }],
    ['no current status', { ...statusChanged('OPEN'), event: { previous: 'NEW' } }],
    [
      'no comment author',
      { ...commentAdded({}), event: { comment: { id: '1', body: 'x', is_public: true } } },
    ],
    [
      'a comment without visibility',
      {
        ...commentAdded({ id: '1' }),
        event: { comment: { id: '1', body: 'x', author: { id: '1' } } },
      },
    ],
  ])('rejects a body with %s as malformed', (_what, body) => {
    expect(() => parse(body)).toThrow(MalformedPayloadError);
  });
});
