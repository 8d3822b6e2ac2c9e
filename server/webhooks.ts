import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { BusinessEvent } from '../connectors/business-events.js';
import type { AnyConnector, EventBatch } from '../connectors/descriptor.js';
import { assertUnique } from '../connectors/descriptor.js';
import { registry as connectorRegistry } from '../connectors/index.js';
import type { BusinessEventRouter } from './business-router.js';
import { routeEach } from './business-router.js';
import type { EventRouter } from './router.js';
import type { Quarantine } from './quarantine.js';
import { webhookHandler } from './routes/webhook.js';

/** Where each family of events goes once verified and parsed. */
export interface Routers {
  community: EventRouter;
  /** Help desk and CRM events; without it their webhooks are not mounted. */
  business?: BusinessEventRouter | undefined;
  /**
   * Sets aside events that can never be processed (server/quarantine.ts); without it every
   * failure is answered 503.
   */
  quarantine?: Quarantine | undefined;
}

/** A webhook endpoint's handler, with the connector it belongs to (the metrics' vendor label). */
export type WebhookRoute = RequestHandler & { vendor?: string };

const isBatch = (event: BusinessEvent | EventBatch): event is EventBatch => 'events' in event;

/**
 * Every webhook endpoint of the connectors the config enables, from their descriptors: community
 * platforms route through `community`, help desks and CRMs through `business`; a delivery that
 * carries several events (HubSpot) is recorded one by one, in order.
 */
export function webhookRoutes(
  connectors: Record<string, unknown>,
  routers: Routers,
  logger: Logger,
  registry: readonly AnyConnector[] = connectorRegistry,
): Record<string, WebhookRoute> {
  assertUnique(registry);
  const quarantine = routers.quarantine;
  const routes: Record<string, WebhookRoute> = {};
  for (const connector of registry) {
    const config = connectors[connector.id];
    if (config === undefined) continue;
    for (const inbound of connector.inbound ?? []) {
      if (inbound.enabled && !inbound.enabled(config)) continue;
      if (inbound.family === 'community') {
        const community = quarantine
          ? quarantine.guard('community', connector.id, routers.community)
          : routers.community;
        routes[inbound.path] = Object.assign(
          webhookHandler(inbound.receiver, config, community, logger),
          { vendor: connector.id },
        );
        continue;
      }
      const unguarded = routers.business;
      if (!unguarded) continue;
      // Each event of a batch is guarded on its own: one poison event does not hold up the rest.
      const business = quarantine
        ? quarantine.guard('business', connector.id, unguarded)
        : unguarded;
      const each = routeEach(business);
      routes[inbound.path] = Object.assign(
        webhookHandler(
          inbound.receiver,
          config,
          (event) => (isBatch(event) ? each(event) : business(event)),
          logger,
        ),
        { vendor: connector.id },
      );
    }
  }
  return routes;
}
