import type { z } from 'zod';
import type { BusinessEvent } from '../business-events.js';
import type { InboundConnector, InboundResult } from '../types.js';
import type { IntercomConfig } from './config.js';
import { REF_ATTRIBUTE, refInBody } from './dedup.js';
import type { Part } from './payloads.js';
import { conversationItem, envelope, notification, ticketItem } from './payloads.js';
import { verifyIntercomSignature } from './signature.js';
import { isStateCategory, normalizeState } from './states.js';
import { htmlToText } from './text.js';
import { header, parseJson, parseWith } from '../inbound-parsing.js';

const iso = (unixSeconds: number) => new Date(unixSeconds * 1000).toISOString();

type Notification = z.output<typeof notification>;

/**
 * `intercom:<app>:<notification id>`: Intercom redelivers a notification with the same id, and
 * the id is inside the signed body (Intercom signs no timestamp, so this is the replay guard).
 */
const eventIdOf = (event: Notification) => `intercom:${event.app_id}:${event.id}`;

function stateChanged(event: Notification): InboundResult<BusinessEvent> {
  const ticket = parseWith(ticketItem, event.data.item);
  const category =
    typeof ticket.ticket_state === 'string' ? ticket.ticket_state : ticket.ticket_state?.category;
  if (!isStateCategory(category))
    return { kind: 'ignored', reason: `unknown ticket state category ${String(category)}` };
  const ref = ticket.ticket_attributes?.[REF_ATTRIBUTE];
  return {
    kind: 'event',
    event: {
      type: 'ticket.status_changed',
      eventId: eventIdOf(event),
      system: 'intercom',
      occurredAt: iso(event.created_at),
      ticketId: ticket.id,
      ...(typeof ref === 'string' && ref !== '' ? { externalId: ref } : {}),
      status: normalizeState(category),
      vendorStatus: category,
    },
  };
}

/** The newest public reply by a teammate among the parts the notification carries. */
function latestAdminComment(parts: Part[]): Part | undefined {
  return parts
    .map((part, index) => ({ part, index }))
    .filter(({ part }) => part.part_type === 'comment' && part.author?.type === 'admin')
    .sort((a, b) => (a.part.created_at ?? 0) - (b.part.created_at ?? 0) || a.index - b.index)
    .at(-1)?.part;
}

function adminReplied(event: Notification): InboundResult<BusinessEvent> {
  const isTicket = event.topic.startsWith('ticket.');
  let ticketId: string;
  let externalId: string | undefined;
  let parts: Part[];
  if (isTicket) {
    const ticket = parseWith(ticketItem, event.data.item);
    ticketId = ticket.id;
    const ref = ticket.ticket_attributes?.[REF_ATTRIBUTE];
    externalId = typeof ref === 'string' && ref !== '' ? ref : undefined;
    parts = ticket.ticket_parts?.ticket_parts ?? [];
  } else {
    const conversation = parseWith(conversationItem, event.data.item);
    ticketId = conversation.id;
    externalId = refInBody(conversation.source?.body);
    parts = conversation.conversation_parts?.conversation_parts ?? [];
  }
  const part = latestAdminComment(parts);
  if (!part) return { kind: 'ignored', reason: `${event.topic} without an admin comment part` };
  return {
    kind: 'event',
    event: {
      type: 'ticket.comment_added',
      eventId: eventIdOf(event),
      system: 'intercom',
      occurredAt: iso(part.created_at ?? event.created_at),
      ticketId,
      ...(externalId ? { externalId } : {}),
      commentId: part.id,
      public: true,
      author: {
        id: part.author?.id ?? 'unknown',
        ...(part.author?.name ? { name: part.author.name } : {}),
        role: 'agent',
      },
      text: htmlToText(part.body ?? ''),
    },
  };
}

/**
 * Intercom webhooks: a notification_event signed with the app's client secret (sha1 HMAC in
 * X-Hub-Signature). Ticket state changes and teammates' public replies become BusinessEvents.
 */
export const intercomInbound: InboundConnector<IntercomConfig, BusinessEvent> = {
  name: 'intercom',

  verify(request, config) {
    return verifyIntercomSignature(
      config.clientSecret,
      header(request, 'x-hub-signature'),
      request.rawBody,
    );
  },

  parse(request): InboundResult<BusinessEvent> {
    const body = parseJson(request.rawBody);
    const { topic } = parseWith(envelope, body);
    // Sent when the webhook is saved or tested in the Developer Hub: answer 200.
    if (topic === 'ping') return { kind: 'reply', body: { ok: true } };
    const event = parseWith(notification, body);
    switch (topic) {
      case 'ticket.state.updated':
        return stateChanged(event);
      case 'ticket.admin.replied':
      case 'conversation.admin.replied':
        return adminReplied(event);
      default:
        return { kind: 'ignored', reason: `intercom topic ${topic} is not handled` };
    }
  },
};
