import { ApplicationFailure } from '@temporalio/common';
import type { TicketInput, ZendeskConnector } from '../connectors/zendesk/client.js';
import { asActivityFailure } from './failures.js';

export interface ZendeskActivityDeps {
  zendesk?: ZendeskConnector | undefined;
}

/**
 * Zendesk calls as activities. A ConnectorError becomes the failure Temporal acts on: auth and
 * validation errors stop retrying, a 429 (or a 503 with Retry-After) retries after Zendesk's
 * advertised wait instead of the retry policy's backoff. Registered for the support handoff
 * workflow to call.
 */
export function createZendeskActivities({ zendesk }: ZendeskActivityDeps) {
  function connector(): ZendeskConnector {
    if (!zendesk)
      throw ApplicationFailure.nonRetryable(
        'connectors.zendesk is not configured',
        'NotConfigured',
      );
    return zendesk;
  }

  return {
    /** Safe to retry: one ticket per externalId (connectors/zendesk/tickets.ts). */
    async createZendeskTicket(input: TicketInput): Promise<{ ticketId: number; created: boolean }> {
      const { ticket, created } = await asActivityFailure(() => connector().createTicket(input));
      return { ticketId: ticket.id, created };
    },
  };
}
