import { randomUUID } from 'node:crypto';
import { SECRET_HEADER } from '../../connectors/freshdesk/signature.js';
import { statusName } from '../../connectors/freshdesk/status.js';
import type { Conversation, Desk, Ticket } from './store.js';
import { htmlToText } from './store.js';

/** One POST to townhall, as GET /_sandbox/freshdesk/webhooks shows it. */
export interface Delivery {
  /** The sandbox's own id for the attempt (a redelivery gets a new one). */
  deliveryId: string;
  event: string;
  ticketId: number;
  /** townhall's HTTP status; null when it could not be reached or no URL is set. */
  status: number | null;
  response: string;
  body: string;
}

/** The name {{ticket.status}} renders: "Open", "Pending" ... (a custom status's number here). */
const statusLabel = (status: number) => {
  const name = statusName(status);
  return name.charAt(0).toUpperCase() + name.slice(1);
};

/**
 * The bodies of the automation rules connectors/freshdesk/payloads.ts documents, as Freshdesk
 * renders their placeholders (plus the comment id, which the sandbox knows).
 */
export function renderEvent(
  desk: Desk,
  externalIdField: string,
  ticket: Ticket,
  change: { kind: 'status' } | { kind: 'reply' | 'note'; conversation: Conversation },
) {
  const held = ticket.customFields[externalIdField];
  const common = {
    ticket_id: ticket.id,
    external_id: typeof held === 'string' ? held : '',
    status: statusLabel(ticket.status),
    occurred_at: new Date().toISOString(),
  };
  if (change.kind === 'status') return { event: 'status', ...common };
  const { conversation } = change;
  const author = desk.people.get(conversation.userId);
  return {
    event: change.kind,
    ...common,
    comment_id: conversation.id,
    body: htmlToText(conversation.body),
    public: !conversation.private,
    author_id: String(conversation.userId),
    author_name: author?.name ?? '',
    author_type: author?.agent ? 'agent' : 'requester',
  };
}

export type RenderedEvent = ReturnType<typeof renderEvent>;

/**
 * Sends rule webhooks to townhall: JSON with the shared secret in X-Townhall-Secret, no signature
 * (Freshdesk has none). Every delivery is logged and can be sent again byte for byte.
 */
export function createFreshdeskWebhooks(options: {
  secret: string;
  townhallUrl: () => string | undefined;
}) {
  const log: Delivery[] = [];

  async function post(body: string, meta: Pick<Delivery, 'event' | 'ticketId'>) {
    const delivery: Delivery = {
      deliveryId: randomUUID(),
      ...meta,
      status: null,
      response: '',
      body,
    };
    log.push(delivery);
    const target = options.townhallUrl();
    if (!target) {
      delivery.response = 'no townhall URL configured';
      return delivery;
    }
    try {
      const response = await fetch(`${target}/webhooks/freshdesk`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Freshdesk',
          [SECRET_HEADER]: options.secret,
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
    async send(events: RenderedEvent[]): Promise<Delivery[]> {
      const deliveries: Delivery[] = [];
      for (const event of events)
        deliveries.push(
          await post(JSON.stringify(event), { event: event.event, ticketId: event.ticket_id }),
        );
      return deliveries;
    },
    /** The same bytes again: what Freshdesk retrying a failed webhook sends. */
    async redeliver(deliveryId: string): Promise<Delivery | undefined> {
      const earlier = log.find((delivery) => delivery.deliveryId === deliveryId);
      if (!earlier) return undefined;
      return post(earlier.body, { event: earlier.event, ticketId: earlier.ticketId });
    },
    list: () => log.map(({ body, ...rest }) => ({ ...rest, body: JSON.parse(body) as unknown })),
    reset: () => {
      log.length = 0;
    },
  };
}

export type FreshdeskWebhooks = ReturnType<typeof createFreshdeskWebhooks>;
