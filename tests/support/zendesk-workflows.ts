// A workflow bundle for tests only: the help desk's createTicket activity with the production
// retry preset, so a test drives the connector the way a workflow does (real Temporal retries,
// real backoff).
import { proxyActivities } from '@temporalio/workflow';
import type { createHelpDeskActivities } from '../../activities/helpdesk.js';
import type { HelpDesk } from '../../connectors/ports.js';
import { VENDOR_CALL } from '../../workflows/retry-policies.js';

const { createTicket } = proxyActivities<ReturnType<typeof createHelpDeskActivities>>(VENDOR_CALL);

/** Zendesk's ticket ids are numbers; the port carries them as strings. */
export async function zendeskTicketWorkflow(
  input: Parameters<HelpDesk['createTicket']>[0],
): Promise<{ ticketId: number; created: boolean }> {
  const { ticketId, created } = await createTicket(input);
  return { ticketId: Number(ticketId), created };
}
