import { createHash } from 'node:crypto';
import type { BusinessEvent } from '../business-events.js';
import { businessEvent } from '../business-events.js';
import { header, parseJson, parseWith } from '../inbound-parsing.js';
import type { InboundConnector, InboundRequest, InboundResult } from '../types.js';
import type { FreshdeskConfig } from './config.js';
import { commentBody, envelope, statusBody } from './payloads.js';
import { SECRET_HEADER, verifySharedSecret } from './signature.js';
import { normalizeFreshdeskStatus, statusName } from './status.js';

type Result = InboundResult<BusinessEvent>;

/**
 * Freshdesk sends no delivery id. A retry of a webhook is the same rendered body, so the digest
 * of the raw bytes is the same for redeliveries; the body carries the ticket, kind, text and time,
 * so two events differ in it (a comment id, where the body has one, is used instead).
 */
const digest = (raw: Buffer) => createHash('sha256').update(raw).digest('hex').slice(0, 32);

const occurredAt = (value: string | null | undefined) => {
  const time = value ? Date.parse(value) : NaN;
  return new Date(Number.isNaN(time) ? Date.now() : time).toISOString();
};

const externalIdOf = (value: string | null | undefined) =>
  value && value.trim() !== '' ? { externalId: value.trim() } : {};

function checked(event: BusinessEvent): Result {
  return { kind: 'event', event: parseWith(businessEvent, event) };
}

function statusChanged(request: InboundRequest, body: unknown): Result {
  const event = parseWith(statusBody, body);
  const status = normalizeFreshdeskStatus(event.status);
  if (!status)
    return {
      kind: 'ignored',
      reason: `Freshdesk status ${event.status} has no townhall equivalent`,
    };
  const given = event.status.trim();
  const vendorStatus = /^\d+$/.test(given) ? statusName(Number(given)) : given.toLowerCase();
  return checked({
    type: 'ticket.status_changed',
    eventId: `freshdesk:${event.ticket_id}:status:${digest(request.rawBody)}`,
    system: 'freshdesk',
    occurredAt: occurredAt(event.occurred_at),
    ticketId: event.ticket_id,
    ...externalIdOf(event.external_id),
    status,
    vendorStatus,
  });
}

function commentAdded(request: InboundRequest, body: unknown): Result {
  const event = parseWith(commentBody, body);
  const commentId = event.comment_id ?? `h${digest(request.rawBody)}`;
  return checked({
    type: 'ticket.comment_added',
    eventId: `freshdesk:${event.ticket_id}:${event.event}:${commentId}`,
    system: 'freshdesk',
    occurredAt: occurredAt(event.occurred_at),
    ticketId: event.ticket_id,
    ...externalIdOf(event.external_id),
    commentId,
    // A reply always reaches the requester; a note only when the rule says it is public.
    public: event.event === 'reply' ? true : event.public === true,
    author: {
      id: event.author_id ?? 'unknown',
      ...(event.author_name ? { name: event.author_name } : {}),
      role: event.author_type ?? 'other',
    },
    text: event.body,
  });
}

/**
 * Freshdesk automation-rule webhooks (see payloads.ts for the body each rule sends), verified by
 * the shared secret header the rule carries.
 */
export const freshdeskInbound: InboundConnector<FreshdeskConfig, BusinessEvent> = {
  name: 'freshdesk',

  verify(request, config) {
    return verifySharedSecret(config.webhookSecret, header(request, SECRET_HEADER));
  },

  parse(request): Result {
    const body = parseJson(request.rawBody);
    const { event } = parseWith(envelope, body);
    switch (event) {
      case 'status':
        return statusChanged(request, body);
      case 'reply':
      case 'note':
        return commentAdded(request, body);
      default:
        return { kind: 'ignored', reason: `freshdesk event ${event} is not handled` };
    }
  },
};
