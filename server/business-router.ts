import type { Logger } from 'pino';
import type { BusinessEvent } from '../connectors/business-events.js';
import type { Db } from '../store/db.js';
import { markEventProcessed, recordEvent } from '../store/events.js';

export interface BusinessRouterDeps {
  db: Db;
  logger: Logger;
}

export type BusinessRouteOutcome = 'recorded' | 'duplicate';

/**
 * Makes a help-desk or CRM event durable, once per event id. The support handoff and member
 * sync workflows read these (status and replies flowing back to the community thread); until
 * they exist, recording is the whole job. Throws when the store is down, so the sender retries.
 */
export function createBusinessEventRouter(deps: BusinessRouterDeps) {
  return async function route(event: BusinessEvent): Promise<BusinessRouteOutcome> {
    const { alreadyProcessed } = await recordEvent(deps.db, event.system, event);
    if (alreadyProcessed) return 'duplicate';
    deps.logger.info({ eventId: event.eventId, type: event.type }, 'business event recorded');
    await markEventProcessed(deps.db, event.eventId);
    return 'recorded';
  };
}

export type BusinessEventRouter = ReturnType<typeof createBusinessEventRouter>;

/**
 * For vendors that batch several events into one delivery (HubSpot): records each in order, so
 * the delivery is acknowledged only once all of them are durable, and a redelivery after a
 * failure half-way finds the first ones as duplicates.
 */
export function routeEach(route: BusinessEventRouter) {
  return async (delivery: { events: readonly BusinessEvent[] }) => {
    const outcomes: Record<BusinessRouteOutcome, number> = { recorded: 0, duplicate: 0 };
    for (const event of delivery.events) outcomes[await route(event)] += 1;
    return outcomes;
  };
}
