import { randomUUID } from 'node:crypto';
import { signZendeskWebhook } from '../../connectors/zendesk/signature.js';
import type { DeskComment, DeskTicket, DeskUser } from './store.js';
import { SANDBOX_ACCOUNT_ID } from './store.js';

export interface ZendeskWebhookOptions {
  /** The webhook's signing secret (connectors.zendesk.webhookSecret). */
  secret: string;
  townhallUrl: () => string | undefined;
}

/** One POST to townhall, as the sandbox's webhook log shows it. */
export interface Delivery {
  /** X-Zendesk-Webhook-Invocation-Id: new for every attempt. */
  invocationId: string;
  /** The event's `id`: the same when an event is redelivered. */
  eventId: string;
  type: string;
  ticketId: number;
  /** townhall's HTTP status; null when it could not be reached or no URL is set. */
  status: number | null;
  response: string;
  body: string;
}

/** Zendesk's own id for the one webhook this account has. */
const WEBHOOK_ID = '01HSANDBOXZENDESKWEBHOOK00';

const upper = (value: string | null) => (value === null ? null : value.toUpperCase());

/** The `detail` of ticket events: the ticket after the change, ids as strings. */
function ticketDetail(ticket: DeskTicket, actorId: number) {
  return {
    actor_id: String(actorId),
    assignee_id: ticket.assigneeId === null ? null : String(ticket.assigneeId),
    brand_id: null,
    created_at: ticket.createdAt,
    custom_status: null,
    description: ticket.description,
    external_id: ticket.externalId,
    form_id: null,
    group_id: null,
    id: String(ticket.id),
    is_public: true,
    organization_id: null,
    priority: upper(ticket.priority),
    requester_id: String(ticket.requesterId),
    status: upper(ticket.status),
    subject: ticket.subject,
    submitter_id: String(ticket.submitterId),
    tags: ticket.tags,
    type: null,
    updated_at: ticket.updatedAt,
    via: { channel: ticket.channel === 'api' ? 'api_call' : 'web_form' },
  };
}

function envelope(type: string, ticket: DeskTicket, actorId: number, event: unknown) {
  return {
    account_id: SANDBOX_ACCOUNT_ID,
    detail: ticketDetail(ticket, actorId),
    event,
    id: randomUUID(),
    subject: `zen:ticket:${ticket.id}`,
    time: new Date().toISOString(),
    type,
    zendesk_event_version: '2022-11-06',
  };
}

export function statusChangedEvent(ticket: DeskTicket, previous: string, actorId: number) {
  return envelope('zen:event-type:ticket.status_changed', ticket, actorId, {
    current: upper(ticket.status),
    previous: upper(previous),
  });
}

export function commentAddedEvent(ticket: DeskTicket, comment: DeskComment, author: DeskUser) {
  return envelope('zen:event-type:ticket.comment_added', ticket, author.id, {
    comment: {
      author: { id: String(author.id), is_staff: author.role !== 'end-user', name: author.name },
      body: comment.body,
      id: String(comment.id),
      is_public: comment.public,
    },
  });
}

export type TicketEvent = ReturnType<typeof envelope>;

/**
 * Delivers ticket events the way a Zendesk webhook subscribed to them does: a JSON POST signed
 * with base64(HMAC-SHA256(secret, timestamp + body)), the timestamp and a new invocation id in
 * headers. Every delivery is logged (GET /_sandbox/zendesk/webhooks) and can be redelivered.
 */
export function createZendeskWebhooks(options: ZendeskWebhookOptions) {
  const log: Delivery[] = [];

  async function post(body: string, meta: Pick<Delivery, 'eventId' | 'type' | 'ticketId'>) {
    const invocationId = randomUUID();
    const delivery: Delivery = { invocationId, ...meta, status: null, response: '', body };
    log.push(delivery);
    const target = options.townhallUrl();
    if (!target) {
      delivery.response = 'no townhall URL configured';
      return delivery;
    }
    const timestamp = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    try {
      const response = await fetch(`${target}/webhooks/zendesk`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'user-agent': 'Zendesk Webhook',
          'x-zendesk-account-id': String(SANDBOX_ACCOUNT_ID),
          'x-zendesk-webhook-id': WEBHOOK_ID,
          'x-zendesk-webhook-invocation-id': invocationId,
          'x-zendesk-webhook-signature-timestamp': timestamp,
          'x-zendesk-webhook-signature': signZendeskWebhook(
            options.secret,
            timestamp,
            Buffer.from(body),
          ),
        },
        body,
        signal: AbortSignal.timeout(10_000),
      });
      delivery.status = response.status;
      delivery.response = await response.text();
    } catch (error) {
      delivery.response = `townhall did not answer: ${(error as Error).message}`;
    }
    return delivery;
  }

  return {
    /** Sends the events one after another, in order. */
    async send(events: TicketEvent[]): Promise<Delivery[]> {
      const deliveries: Delivery[] = [];
      for (const event of events) {
        deliveries.push(
          await post(JSON.stringify(event), {
            eventId: event.id,
            type: event.type,
            ticketId: Number(event.detail.id),
          }),
        );
      }
      return deliveries;
    },
    /** The same body again (same event id), newly signed: what a Zendesk retry looks like. */
    async redeliver(invocationId: string): Promise<Delivery | undefined> {
      const earlier = log.find((delivery) => delivery.invocationId === invocationId);
      if (!earlier) return undefined;
      const { eventId, type, ticketId } = earlier;
      return post(earlier.body, { eventId, type, ticketId });
    },
    list: () => log.map(({ body, ...rest }) => ({ ...rest, body: JSON.parse(body) as unknown })),
    reset: () => {
      log.length = 0;
    },
  };
}

export type ZendeskWebhooks = ReturnType<typeof createZendeskWebhooks>;
