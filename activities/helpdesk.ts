import type { CreatedTicket, HelpDesk } from '../connectors/ports.js';
import type { CapabilityDeps } from './index.js';
import { asActivityFailure } from './failures.js';
import { requireCapability } from './not-configured.js';

/** Needs the help desk alone, so a test can run these with nothing but a port. */
export function createHelpDeskActivities({ helpdesk }: Pick<CapabilityDeps, 'helpdesk'>) {
  return {
    /**
     * Opens the ticket for `externalId` (a handoff's thread) on the configured help desk. Safe to
     * retry: the help desk keeps one live ticket per external id (HelpDesk.createTicket). A
     * ConnectorError becomes the failure Temporal acts on: auth and validation errors stop
     * retrying, a rate limit retries after the vendor's advertised wait.
     */
    async createTicket(input: Parameters<HelpDesk['createTicket']>[0]): Promise<CreatedTicket> {
      const port = requireCapability(helpdesk, 'helpdesk');
      return asActivityFailure(() => port.createTicket(input));
    },
  };
}
