// A workflow bundle for tests only: one Zendesk activity with the production retry preset, so a
// test drives the connector the way a workflow will (real Temporal retries, real backoff).
import { proxyActivities } from '@temporalio/workflow';
import type { createZendeskActivities } from '../../activities/zendesk.js';
import type { TicketInput } from '../../connectors/zendesk/client.js';
import { VENDOR_CALL } from '../../workflows/retry-policies.js';

const { createZendeskTicket } =
  proxyActivities<ReturnType<typeof createZendeskActivities>>(VENDOR_CALL);

export async function zendeskTicketWorkflow(
  input: TicketInput,
): Promise<{ ticketId: number; created: boolean }> {
  return createZendeskTicket(input);
}
