import type { Logger } from 'pino';
import type { BusinessEvent } from '../connectors/business-events.js';
import { linkedMembers, repointPerson, unlinkPerson } from '../store/crm-links.js';
import type { Db } from '../store/db.js';
import { markEventProcessed, recordEvent } from '../store/events.js';
import type { HandoffRouter } from './handoff.js';
import { Quarantined } from './quarantine.js';

export interface BusinessRouterDeps {
  db: Db;
  logger: Logger;
  /** Ticket events reach the handoff run of their ticket; none when `handoff:` is absent. */
  handoff?: Pick<HandoffRouter, 'routeBusiness'> | undefined;
  /** Starts (or joins) a member's erasure (server/erasure.ts); none where erasure is not wired. */
  erase?: ((memberId: string, system: string) => Promise<unknown>) | undefined;
}

export type BusinessRouteOutcome = 'recorded' | 'duplicate';

/**
 * What a CRM event changes in townhall's own records, beyond recording it. The event's `system`
 * is the CRM's connector id, the `crm` of crm_links.
 * - contact.deleted: the member's link to that record goes; the member stays. The next sync
 *   upserts the member again if they still exist, which makes a new record.
 * - contact.erasure_requested: the person asked the CRM to erase them (HubSpot's GDPR delete);
 *   each member linked to the record is erased everywhere (server/erasure.ts).
 * - contact.merged: links to the merged records point at the one that remains.
 * - contact.changed (an email among the properties too): nothing to write, the link is by
 *   record id; the event stays recorded, and the next sync upserts the member by their own key.
 */
async function apply(
  { db, erase }: BusinessRouterDeps,
  event: BusinessEvent,
): Promise<Record<string, unknown> | undefined> {
  switch (event.type) {
    case 'contact.erasure_requested': {
      // Erasures first, the links after: a redelivery after a failure in between finds the
      // members again (starting an erasure twice joins the one run).
      const members = await linkedMembers(db, event.system, event.contactId);
      if (erase) for (const memberId of members) await erase(memberId, event.system);
      await unlinkPerson(db, event.system, event.contactId);
      return { erasing: erase ? members : [] };
    }
    case 'contact.deleted':
      return { unlinked: await unlinkPerson(db, event.system, event.contactId) };
    case 'contact.merged':
      return repointPerson(db, event.system, event.mergedContactIds, event.contactId);
    default:
      return undefined;
  }
}

/**
 * Makes a help-desk or CRM event durable, once per event id, and applies what it changes in
 * townhall's records (CRM links). The support handoff and member sync workflows read these
 * (status and replies flowing back to the community thread). Throws when the store is down, so
 * the sender retries; a redelivery of an event whose handling failed half-way is handled again
 * (every change it makes is safe to repeat).
 */
export function createBusinessEventRouter(deps: BusinessRouterDeps) {
  return async function route(event: BusinessEvent): Promise<BusinessRouteOutcome> {
    const { alreadyProcessed } = await recordEvent(deps.db, event.system, event);
    if (alreadyProcessed) return 'duplicate';
    const changed = await apply(deps, event);
    // An event about a ticket townhall did not open is recorded and goes no further.
    const handoff = deps.handoff ? await deps.handoff.routeBusiness(event) : undefined;
    // Member ids only: record ids and member ids are not personal data, values would be.
    deps.logger.info(
      { eventId: event.eventId, type: event.type, ...changed, ...(handoff ? { handoff } : {}) },
      'business event recorded',
    );
    await markEventProcessed(deps.db, event.eventId);
    return 'recorded';
  };
}

export type BusinessEventRouter = ReturnType<typeof createBusinessEventRouter>;

/**
 * For vendors that batch several events into one delivery (HubSpot): records each in order, so
 * the delivery is acknowledged only once all of them are durable (or quarantined, with `route`
 * guarded), and a redelivery after a failure half-way finds the first ones as duplicates.
 */
export function routeEach(
  route: (event: BusinessEvent) => Promise<BusinessRouteOutcome | Quarantined>,
) {
  return async (delivery: { events: readonly BusinessEvent[] }) => {
    const outcomes: Record<BusinessRouteOutcome, number> & {
      /** Events set aside (server/quarantine.ts): the rest of the delivery still counts. */
      quarantined?: number;
      deadLetterIds?: number[];
    } = { recorded: 0, duplicate: 0 };
    for (const event of delivery.events) {
      const outcome = await route(event);
      if (outcome instanceof Quarantined) {
        outcomes.quarantined = (outcomes.quarantined ?? 0) + 1;
        (outcomes.deadLetterIds ??= []).push(outcome.deadLetterId);
      } else outcomes[outcome] += 1;
    }
    return outcomes;
  };
}
