import type { TicketStatus } from '../business-events.js';

/** Freshdesk's built-in ticket statuses by number, with the names its UI and API use. */
export const OPEN = 2;
export const PENDING = 3;
export const RESOLVED = 4;
export const CLOSED = 5;

const NAMES = new Map<number, string>([
  [OPEN, 'open'],
  [PENDING, 'pending'],
  [RESOLVED, 'resolved'],
  [CLOSED, 'closed'],
]);
const NORMALIZED = new Map<string, TicketStatus>([
  ['open', 'open'],
  ['pending', 'waiting'],
  ['resolved', 'resolved'],
  ['closed', 'closed'],
]);

/**
 * The status townhall reports as vendorStatus: the built-in name, or the number of a custom
 * status (6 and up), which the API gives without its name.
 */
export function statusName(status: number): string {
  return NAMES.get(status) ?? String(status);
}

/**
 * In townhall's words. Custom statuses (6 and up) are variants of "waiting on someone" in
 * Freshdesk (they pause or run the SLA like Pending does), so they read as waiting.
 */
export function normalizeFreshdeskStatus(status: number | string): TicketStatus | undefined {
  if (typeof status === 'number')
    return status >= 6 ? 'waiting' : NORMALIZED.get(statusName(status));
  const text = status.trim().toLowerCase();
  if (/^\d+$/.test(text)) return normalizeFreshdeskStatus(Number(text));
  return NORMALIZED.get(text);
}
