import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { discordInteractions } from '../connectors/discord/interactions.js';
import { discourseInbound } from '../connectors/discourse/inbound.js';
import { hubspotInbound } from '../connectors/hubspot/inbound.js';
import { intercomInbound } from '../connectors/intercom/inbound.js';
import { slackCommandsInbound } from '../connectors/slack/commands.js';
import { slackInbound } from '../connectors/slack/inbound.js';
import { zendeskInbound } from '../connectors/zendesk/inbound.js';
import type { BusinessEventRouter } from './business-router.js';
import { routeEach } from './business-router.js';
import type { EventRouter } from './router.js';
import { webhookHandler } from './routes/webhook.js';

/**
 * Every webhook endpoint, for the connectors the config enables. Add new vendors here:
 * community platforms route through `route`, help desks and CRMs through `business`.
 */
export function webhookRoutes(
  connectors: Config['connectors'],
  route: EventRouter,
  logger: Logger,
  // Used by the help desk and CRM webhooks.
  business?: BusinessEventRouter,
): Record<string, RequestHandler> {
  const routes: Record<string, RequestHandler> = {};
  if (connectors.slack) {
    routes['/webhooks/slack'] = webhookHandler(slackInbound, connectors.slack, route, logger);
    routes['/webhooks/slack/commands'] = webhookHandler(
      slackCommandsInbound,
      connectors.slack,
      route,
      logger,
    );
  }
  if (connectors.discord)
    routes['/webhooks/discord'] = webhookHandler(
      discordInteractions,
      connectors.discord,
      route,
      logger,
    );
  if (connectors.discourse)
    routes['/webhooks/discourse'] = webhookHandler(
      discourseInbound,
      connectors.discourse,
      route,
      logger,
    );
  if (connectors.intercom && business)
    routes['/webhooks/intercom'] = webhookHandler(
      intercomInbound,
      connectors.intercom,
      business,
      logger,
    );
  if (connectors.zendesk && business)
    routes['/webhooks/zendesk'] = webhookHandler(
      zendeskInbound,
      connectors.zendesk,
      business,
      logger,
    );
  // A HubSpot delivery is a batch of events, recorded one by one (routeEach).
  if (connectors.hubspot?.clientSecret && business)
    routes['/webhooks/hubspot'] = webhookHandler(
      hubspotInbound,
      connectors.hubspot,
      routeEach(business),
      logger,
    );
  return routes;
}
