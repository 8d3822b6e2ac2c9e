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

/** What a reply or note notification is about, and who its part is by. */
interface PartKind {
  /** The part types that count (a teammate's reply is `comment`, a note `note`). */
  partType: 'comment' | 'note';
  /** Teammates are `admin`; the customer is a `user` or `lead` (`contact` in some payloads). */
  authors: readonly string[];
  public: boolean;
  role: 'agent' | 'requester';
}

const ADMIN_COMMENT: PartKind = {
  partType: 'comment',
  authors: ['admin'],
  public: true,
  role: 'agent',
};
// Notes are passed on marked private; nothing sends them to a community thread.
const ADMIN_NOTE: PartKind = { partType: 'note', authors: ['admin'], public: false, role: 'agent' };
// The customer's own message (townhall's requester comments among them, so it can skip echoes).
const CONTACT_COMMENT: PartKind = {
  partType: 'comment',
  authors: ['user', 'lead', 'contact'],
  public: true,
  role: 'requester',
};

const TOPICS: Record<string, PartKind> = {
  'ticket.admin.replied': ADMIN_COMMENT,
  'conversation.admin.replied': ADMIN_COMMENT,
  'ticket.note.created': ADMIN_NOTE,
  'conversation.admin.noted': ADMIN_NOTE,
  'ticket.contact.replied': CONTACT_COMMENT,
  'conversation.user.replied': CONTACT_COMMENT,
};

/** The newest part of this kind among the parts the notification carries. */
function latestPart(parts: Part[], kind: PartKind): Part | undefined {
  return parts
    .map((part, index) => ({ part, index }))
    .filter(
      ({ part }) =>
        part.part_type === kind.partType && kind.authors.includes(part.author?.type ?? ''),
    )
    .sort((a, b) => (a.part.created_at ?? 0) - (b.part.created_at ?? 0) || a.index - b.index)
    .at(-1)?.part;
}

function partAdded(event: Notification, kind: PartKind): InboundResult<BusinessEvent> {
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
  const part = latestPart(parts, kind);
  if (!part)
    return { kind: 'ignored', reason: `${event.topic} without a ${kind.partType} part to read` };
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
      public: kind.public,
      author: {
        id: part.author?.id ?? 'unknown',
        ...(part.author?.name ? { name: part.author.name } : {}),
        role: kind.role,
      },
      text: htmlToText(part.body ?? ''),
    },
  };
}

/**
 * Intercom webhooks: a notification_event signed with the app's client secret (sha1 HMAC in
 * X-Hub-Signature). Ticket state changes, teammates' replies and notes, and the customer's
 * replies become BusinessEvents.
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
    if (topic === 'ticket.state.updated') return stateChanged(event);
    const kind = Object.hasOwn(TOPICS, topic) ? TOPICS[topic] : undefined;
    if (kind) return partAdded(event, kind);
    return { kind: 'ignored', reason: `intercom topic ${topic} is not handled` };
  },
};
