import type { BusinessEvent } from '../business-events.js';
import { businessEvent } from '../business-events.js';
import type { InboundConnector, InboundResult } from '../types.js';
import type { ZendeskConfig } from './config.js';
import {
  TICKET_COMMENT_ADDED,
  TICKET_STATUS_CHANGED,
  commentAddedBody,
  eventEnvelope,
  statusChangedBody,
} from './payloads.js';
import { verifyZendeskSignature } from './signature.js';
import { normalizeZendeskStatus } from './status.js';
import { header, parseJson, parseWith } from '../inbound-parsing.js';

type Result = InboundResult<BusinessEvent>;

/** Zendesk's event id is a UUID unique per event and kept across redeliveries. */
const eventIdFor = (accountId: string, id: string) => `zendesk:${accountId}:${id}`;

/** Zendesk times carry nanoseconds; townhall's events carry milliseconds. */
const isoTime = (time: string) => new Date(time).toISOString();

const externalIdOf = (value: string | null | undefined) => (value ? value : undefined);

function checked(event: BusinessEvent): Result {
  return { kind: 'event', event: parseWith(businessEvent, event) };
}

function statusChanged(body: unknown): Result {
  const { account_id, id, time, detail, event } = parseWith(statusChangedBody, body);
  const status = normalizeZendeskStatus(event.current);
  if (!status)
    return {
      kind: 'ignored',
      reason: `Zendesk status ${event.current} has no townhall equivalent`,
    };
  const externalId = externalIdOf(detail.external_id);
  return checked({
    type: 'ticket.status_changed',
    eventId: eventIdFor(account_id, id),
    system: 'zendesk',
    occurredAt: isoTime(time),
    ticketId: detail.id,
    ...(externalId ? { externalId } : {}),
    status,
    vendorStatus: event.current.toLowerCase(),
  });
}

function commentAdded(body: unknown): Result {
  const { account_id, id, time, detail, event } = parseWith(commentAddedBody, body);
  const { comment } = event;
  const role = comment.author.is_staff
    ? 'agent'
    : comment.author.id === detail.requester_id
      ? 'requester'
      : 'other';
  const externalId = externalIdOf(detail.external_id);
  return checked({
    type: 'ticket.comment_added',
    eventId: eventIdFor(account_id, id),
    system: 'zendesk',
    occurredAt: isoTime(time),
    ticketId: detail.id,
    ...(externalId ? { externalId } : {}),
    commentId: comment.id,
    // Internal notes are passed on marked private; nothing sends them to a community thread.
    public: comment.is_public,
    author: {
      id: comment.author.id,
      ...(comment.author.name ? { name: comment.author.name } : {}),
      role,
    },
    text: comment.body,
  });
}

/**
 * Zendesk webhooks subscribed to ticket events: a JSON body signed with the webhook's secret
 * over the signature timestamp and the raw bytes.
 */
export const zendeskInbound: InboundConnector<ZendeskConfig, BusinessEvent> = {
  name: 'zendesk',

  verify(request, config, now) {
    return verifyZendeskSignature(
      config.webhookSecret,
      header(request, 'x-zendesk-webhook-signature-timestamp'),
      header(request, 'x-zendesk-webhook-signature'),
      request.rawBody,
      now,
    );
  },

  parse(request): Result {
    const body = parseJson(request.rawBody);
    const { type } = parseWith(eventEnvelope, body);
    switch (type) {
      case TICKET_STATUS_CHANGED:
        return statusChanged(body);
      case TICKET_COMMENT_ADDED:
        return commentAdded(body);
      default:
        return { kind: 'ignored', reason: `zendesk event ${type} is not handled` };
    }
  },
};
