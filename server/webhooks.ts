import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { discourseInbound } from '../connectors/discourse/inbound.js';
import { slackCommandsInbound } from '../connectors/slack/commands.js';
import { slackInbound } from '../connectors/slack/inbound.js';
import type { BusinessEventRouter } from './business-router.js';
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
  if (connectors.discourse)
    routes['/webhooks/discourse'] = webhookHandler(
      discourseInbound,
      connectors.discourse,
      route,
      logger,
    );
  return routes;
}
