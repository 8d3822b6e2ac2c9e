import { randomUUID } from 'node:crypto';
import { signIntercomBody } from '../../connectors/intercom/signature.js';

/** Topics townhall subscribes to; the emulator sends only these. */
export type Topic =
  | 'ticket.state.updated'
  | 'ticket.admin.replied'
  | 'ticket.note.created'
  | 'ticket.contact.replied'
  | 'conversation.admin.replied'
  | 'conversation.admin.noted'
  | 'conversation.user.replied';

/** The topic Intercom sends for a new part, if townhall subscribes to one for it. */
export function partTopic(
  kind: 'ticket' | 'conversation',
  part: { partType: string; author: { type: string } },
): Topic | undefined {
  const byAdmin = part.author.type === 'admin';
  if (part.partType === 'note' && byAdmin)
    return kind === 'ticket' ? 'ticket.note.created' : 'conversation.admin.noted';
  if (part.partType !== 'comment') return undefined;
  if (byAdmin) return kind === 'ticket' ? 'ticket.admin.replied' : 'conversation.admin.replied';
  return kind === 'ticket' ? 'ticket.contact.replied' : 'conversation.user.replied';
}

export interface Delivery {
  notificationId: string;
  topic: Topic;
  itemId: string;
  /** townhall's answer, or null when it could not be reached. */
  status: number | null;
  response: string;
  deliveredAt: string;
}

export interface EmitterOptions {
  appId: string;
  clientSecret: string;
  townhallUrl: () => string | undefined;
}

/**
 * Sends webhooks the way Intercom does: a notification_event POSTed as JSON, signed with the
 * app's client secret (`X-Hub-Signature: sha1=<hex>`), one notification id per notification
 * that a redelivery keeps. Intercom signs no timestamp, and neither does this.
 */
export function createIntercomEmitter(options: EmitterOptions) {
  const deliveries: Delivery[] = [];
  const bodies = new Map<string, Buffer>();

  async function deliver(notificationId: string, topic: Topic, itemId: string, body: Buffer) {
    const target = options.townhallUrl();
    const delivery: Delivery = {
      notificationId,
      topic,
      itemId,
      status: null,
      response: '',
      deliveredAt: new Date().toISOString(),
    };
    deliveries.push(delivery);
    if (!target) {
      delivery.response = 'no townhall URL configured';
      return delivery;
    }
    try {
      const response = await fetch(`${target}/webhooks/intercom`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          'user-agent': 'intercom-parrot-service-client/1.0',
          'x-hub-signature': signIntercomBody(options.clientSecret, body),
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
    deliveries,

    /** Sends a new notification about `item`; resolves with townhall's answer. */
    emit(topic: Topic, item: { id: string }): Promise<Delivery> {
      const at = Math.floor(Date.now() / 1000);
      const notificationId = `notif_${randomUUID()}`;
      const body = Buffer.from(
        JSON.stringify({
          type: 'notification_event',
          app_id: options.appId,
          data: { type: 'notification_event_data', item },
          links: {},
          id: notificationId,
          topic,
          delivery_status: 'pending',
          delivery_attempts: 1,
          delivered_at: 0,
          first_sent_at: at,
          created_at: at,
          self: null,
        }),
      );
      bodies.set(notificationId, body);
      return deliver(notificationId, topic, item.id, body);
    },

    /** Sends an earlier notification again, byte for byte (Intercom's retry of a failure). */
    redeliver(notificationId: string): Promise<Delivery> | undefined {
      const body = bodies.get(notificationId);
      const first = deliveries.find((d) => d.notificationId === notificationId);
      return body && first ? deliver(notificationId, first.topic, first.itemId, body) : undefined;
    },

    reset() {
      deliveries.length = 0;
      bodies.clear();
    },
  };
}

export type IntercomEmitter = ReturnType<typeof createIntercomEmitter>;
