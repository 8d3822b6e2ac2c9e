import { describe, expect, it } from 'vitest';
import { businessEvent } from '../../connectors/business-events.js';
import { intercomInbound } from '../../connectors/intercom/inbound.js';
import { MalformedPayloadError } from '../../connectors/types.js';

const parse = (body: unknown) =>
  intercomInbound.parse({
    rawBody: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
    headers: {},
  });

const CREATED_AT = 1_767_225_600; // 2026-01-01T00:00:00Z
const notification = (topic: string, item: unknown, extra: Record<string, unknown> = {}) => ({
  type: 'notification_event',
  app_id: 'a86dr8yl',
  data: { type: 'notification_event_data', item },
  links: {},
  id: 'notif_78c122d0-23ba-11e4-9464-79b01267cc2e',
  topic,
  delivery_status: 'pending',
  delivery_attempts: 1,
  delivered_at: 0,
  first_sent_at: CREATED_AT,
  created_at: CREATED_AT,
  self: null,
  ...extra,
});
const ticket = (state: unknown, parts: unknown[] = []) => ({
  type: 'ticket',
  id: '626',
  ticket_id: '33',
  ticket_attributes: { _default_title_: 'Reset mail', townhall_ref: 'th0123abc' },
  ticket_state: state,
  ticket_parts: { type: 'ticket_part.list', ticket_parts: parts, total_count: parts.length },
});
const part = (id: string, partType: string, authorType: string, body: string, at: number) => ({
  type: 'ticket_part',
  id,
  part_type: partType,
  body,
  created_at: at,
  author: { type: authorType, id: '991267943', name: 'Ciaran Lee', email: 'c@example.com' },
});

describe('Intercom notifications → BusinessEvents', () => {
  it.each([
    ['submitted', 'open'],
    ['in_progress', 'open'],
    ['waiting_on_customer', 'waiting'],
    ['resolved', 'resolved'],
  ])('ticket.state.updated to %s is status %s', (category, status) => {
    const result = parse(
      notification('ticket.state.updated', ticket({ type: 'ticket_state', id: '8', category })),
    );
    expect(result).toEqual({
      kind: 'event',
      event: {
        type: 'ticket.status_changed',
        eventId: 'intercom:a86dr8yl:notif_78c122d0-23ba-11e4-9464-79b01267cc2e',
        system: 'intercom',
        occurredAt: '2026-01-01T00:00:00.000Z',
        ticketId: '626',
        externalId: 'th0123abc',
        status,
        vendorStatus: category,
      },
    });
    if (result.kind === 'event') expect(businessEvent.parse(result.event)).toEqual(result.event);
  });

  it('reads the bare state string older API versions send, and ignores unknown categories', () => {
    expect(parse(notification('ticket.state.updated', ticket('resolved')))).toMatchObject({
      event: { status: 'resolved', vendorStatus: 'resolved' },
    });
    expect(parse(notification('ticket.state.updated', ticket('archived')))).toMatchObject({
      kind: 'ignored',
    });
  });

  it('ticket.admin.replied is the newest public admin comment, as text', () => {
    const result = parse(
      notification(
        'ticket.admin.replied',
        ticket({ category: 'in_progress' }, [
          part('1', 'comment', 'admin', '<p>Older</p>', CREATED_AT - 60),
          part('2', 'note', 'admin', '<p>Internal</p>', CREATED_AT - 5),
          part('3', 'comment', 'user', '<p>From the member</p>', CREATED_AT - 4),
          part(
            '4',
            'comment',
            'admin',
            '<p>Try again &amp; tell us.</p><p>Thanks</p>',
            CREATED_AT - 2,
          ),
        ]),
      ),
    );
    expect(result).toEqual({
      kind: 'event',
      event: {
        type: 'ticket.comment_added',
        eventId: 'intercom:a86dr8yl:notif_78c122d0-23ba-11e4-9464-79b01267cc2e',
        system: 'intercom',
        occurredAt: new Date((CREATED_AT - 2) * 1000).toISOString(),
        ticketId: '626',
        externalId: 'th0123abc',
        commentId: '4',
        public: true,
        author: { id: '991267943', name: 'Ciaran Lee', role: 'agent' },
        text: 'Try again & tell us.\nThanks',
      },
    });
    if (result.kind === 'event') expect(businessEvent.parse(result.event)).toEqual(result.event);
  });

  it('conversation.admin.replied takes the ref from the first message', () => {
    const result = parse(
      notification('conversation.admin.replied', {
        type: 'conversation',
        id: 1911149811,
        source: { body: '<p>Reset mail</p><p>(ref th0123456789abcdef0123456789abcdef)</p>' },
        conversation_parts: {
          conversation_parts: [
            { ...part('77', 'comment', 'admin', 'Hello', CREATED_AT), type: 'conversation_part' },
          ],
        },
      }),
    );
    expect(result).toMatchObject({
      kind: 'event',
      event: {
        ticketId: '1911149811',
        externalId: 'th0123456789abcdef0123456789abcdef',
        commentId: '77',
        text: 'Hello',
      },
    });
  });

  it('a reply notification without an admin comment is ignored, not an error', () => {
    expect(
      parse(notification('ticket.admin.replied', ticket({ category: 'submitted' }), {})),
    ).toMatchObject({ kind: 'ignored' });
  });

  it('answers ping (which has no id) and ignores topics townhall does not use', () => {
    expect(
      parse({
        type: 'notification_event',
        app_id: 'a86dr8yl',
        data: { type: 'notification_event_data', item: { type: 'ping', message: 'hi' } },
        id: null,
        topic: 'ping',
      }),
    ).toEqual({ kind: 'reply', body: { ok: true } });
    expect(parse(notification('ticket.created', ticket({ category: 'submitted' })))).toEqual({
      kind: 'ignored',
      reason: 'intercom topic ticket.created is not handled',
    });
  });

  const parts = [
    part('1', 'comment', 'admin', '<p>Public</p>', CREATED_AT - 9),
    part('2', 'note', 'admin', '<p>Internal only</p>', CREATED_AT - 5),
    part('3', 'comment', 'user', '<p>From the member</p>', CREATED_AT - 4),
  ];
  const conversation = (topic: string) =>
    notification(topic, {
      type: 'conversation',
      id: '1911149811',
      source: { body: 'Reset mail (ref th0123456789abcdef0123456789abcdef)' },
      conversation_parts: { conversation_parts: parts },
    });

  it.each([
    [
      'ticket.note.created',
      notification('ticket.note.created', ticket({ category: 'in_progress' }, parts)),
    ],
    ['conversation.admin.noted', conversation('conversation.admin.noted')],
  ])('%s is the newest admin note, private', (_topic, body) => {
    const result = parse(body);
    expect(result).toMatchObject({
      kind: 'event',
      event: {
        type: 'ticket.comment_added',
        commentId: '2',
        public: false,
        author: { role: 'agent' },
        text: 'Internal only',
      },
    });
    if (result.kind === 'event') expect(businessEvent.parse(result.event)).toEqual(result.event);
  });

  it.each([
    [
      'ticket.contact.replied',
      notification('ticket.contact.replied', ticket({ category: 'in_progress' }, parts)),
    ],
    ['conversation.user.replied', conversation('conversation.user.replied')],
  ])('%s is the contact’s newest comment, by the requester', (_topic, body) => {
    expect(parse(body)).toMatchObject({
      kind: 'event',
      event: {
        commentId: '3',
        public: true,
        author: { role: 'requester' },
        text: 'From the member',
      },
    });
  });

  it.each([
    ['not JSON', '{"type":'],
    ['not a notification', { type: 'ticket', topic: 'ticket.state.updated' }],
    ['no app', { ...notification('ticket.state.updated', ticket('resolved')), app_id: undefined }],
    ['no id', { ...notification('ticket.state.updated', ticket('resolved')), id: undefined }],
    ['item not a ticket', notification('ticket.state.updated', { type: 'conversation', id: '1' })],
  ])('throws MalformedPayloadError for %s', (_what, body) => {
    expect(() => parse(body)).toThrow(MalformedPayloadError);
  });
});
