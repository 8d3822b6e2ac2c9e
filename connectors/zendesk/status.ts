import type { TicketStatus } from '../business-events.js';

/**
 * Zendesk's ticket statuses in townhall's vocabulary. Custom ticket statuses each belong to one
 * of these categories, which is what the status field (and ticket.status_changed) carries.
 */
const NORMALIZED = new Map<string, TicketStatus>([
  ['new', 'open'],
  ['open', 'open'],
  ['pending', 'waiting'],
  ['hold', 'waiting'],
  ['solved', 'resolved'],
  ['closed', 'closed'],
]);

/** Webhooks spell statuses in capitals (OPEN), the REST API in lower case (open). */
export function normalizeZendeskStatus(status: string): TicketStatus | undefined {
  return NORMALIZED.get(status.toLowerCase());
}
