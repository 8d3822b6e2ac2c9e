import { createHash } from 'node:crypto';
import express from 'express';
import { signHubSpotV3 } from '../../connectors/hubspot/signature.js';
import type { ContactChange } from './store.js';

export interface HubSpotWebhookOptions {
  /** The app's client secret; no webhooks are sent without it. */
  clientSecret: string | undefined;
  /** townhall's base URL; no webhooks are sent while it is unknown. */
  townhallUrl: () => string | undefined;
  portalId: number;
  appId: number;
  /** Waits before redelivery attempts 1..n after a failure; 0.5 s, 1 s, 2 s when absent. */
  retryDelaysMs?: readonly number[];
}

interface Delivery {
  id: number;
  url: string;
  events: number;
  attempts: number;
  status: number | 'pending' | 'failed';
}

/** HubSpot sends at most 100 events in one request. */
const MAX_EVENTS = 100;
/** Changes made within this long of each other travel in one request, as HubSpot batches them. */
const BATCH_WINDOW_MS = 25;

/**
 * Sends webhooks the way HubSpot does: a JSON array of events POSTed to the app's target URL
 * (townhall's /webhooks/hubspot), signed with v3 (and the legacy v1 header alongside), and
 * redelivered a few times while townhall answers an error.
 */
export function createHubSpotWebhooks(options: HubSpotWebhookOptions) {
  const retryDelays = options.retryDelaysMs ?? [500, 1_000, 2_000];
  let queue: Record<string, unknown>[] = [];
  let timer: NodeJS.Timeout | undefined;
  let sequence = 0;
  let generation = 0;
  const deliveries: Delivery[] = [];

  /** Unique across sandbox restarts, so a persistent townhall store never sees one id twice. */
  const nextEventId = () => Date.now() * 1000 + (sequence++ % 1000);

  async function send(url: string, events: Record<string, unknown>[], delivery: Delivery) {
    const mine = generation;
    for (let attempt = 0; attempt <= retryDelays.length && mine === generation; attempt++) {
      if (attempt > 0)
        await new Promise((resolve) => setTimeout(resolve, retryDelays[attempt - 1]).unref());
      const body = Buffer.from(
        JSON.stringify(events.map((event) => ({ ...event, attemptNumber: attempt }))),
      );
      const timestamp = String(Date.now());
      delivery.attempts = attempt + 1;
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'user-agent': 'HubSpot Connect 2.0 (http://dev.hubspot.com/)',
            'x-hubspot-signature-v3': signHubSpotV3(options.clientSecret!, {
              method: 'POST',
              uri: url,
              rawBody: body,
              timestamp,
            }),
            'x-hubspot-request-timestamp': timestamp,
            'x-hubspot-signature-version': 'v1',
            'x-hubspot-signature': createHash('sha256')
              .update(options.clientSecret!)
              .update(body)
              .digest('hex'),
          },
          body,
          signal: AbortSignal.timeout(10_000),
        });
        delivery.status = response.status;
        if (response.ok) return;
      } catch {
        delivery.status = 'failed';
      }
    }
  }

  function flush(): void {
    timer = undefined;
    const target = options.townhallUrl();
    const events = queue;
    queue = [];
    if (!target || !options.clientSecret) return;
    const url = `${target.replace(/\/+$/, '')}/webhooks/hubspot`;
    for (let i = 0; i < events.length; i += MAX_EVENTS) {
      const batch = events.slice(i, i + MAX_EVENTS);
      const delivery: Delivery = {
        id: deliveries.length + 1,
        url,
        events: batch.length,
        attempts: 0,
        status: 'pending',
      };
      deliveries.push(delivery);
      void send(url, batch, delivery);
    }
  }

  /** Queues one event per change; they go out together a moment later. */
  function notify(changes: readonly ContactChange[]): void {
    if (!options.clientSecret || !options.townhallUrl() || changes.length === 0) return;
    for (const change of changes) {
      queue.push({
        eventId: nextEventId(),
        subscriptionId: 1,
        portalId: options.portalId,
        appId: options.appId,
        occurredAt: Date.now(),
        changeSource: 'API',
        ...change,
        objectId: Number(change.objectId),
        ...(change.subscriptionType === 'contact.creation' ? { changeFlag: 'NEW' } : {}),
        ...(change.subscriptionType === 'contact.merge'
          ? {
              changeFlag: 'MERGED',
              primaryObjectId: Number(change.primaryObjectId),
              mergedObjectIds: change.mergedObjectIds.map(Number),
              newObjectId: Number(change.newObjectId),
            }
          : {}),
      });
    }
    timer ??= setTimeout(flush, BATCH_WINDOW_MS).unref();
  }

  const router = express.Router();
  router.get('/_sandbox/hubspot/webhooks', (_req, res) => {
    res.json(deliveries);
  });

  return {
    notify,
    router,
    deliveries: () => deliveries.map((d) => ({ ...d })),
    reset() {
      generation++;
      if (timer) clearTimeout(timer);
      timer = undefined;
      queue = [];
      deliveries.length = 0;
    },
  };
}
