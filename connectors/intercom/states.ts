import type { TicketStatus } from '../business-events.js';

/**
 * Intercom's ticket state categories. A workspace may define several states per category (with
 * its own labels and ids, per ticket type); the category is what every workspace shares.
 */
export const INTERCOM_STATE_CATEGORIES = [
  'submitted',
  'in_progress',
  'waiting_on_customer',
  'resolved',
] as const;
export type IntercomStateCategory = (typeof INTERCOM_STATE_CATEGORIES)[number];

const NORMALIZED: Record<IntercomStateCategory, TicketStatus> = {
  submitted: 'open',
  in_progress: 'open',
  waiting_on_customer: 'waiting',
  resolved: 'resolved',
};

export function isStateCategory(value: unknown): value is IntercomStateCategory {
  return (INTERCOM_STATE_CATEGORIES as readonly unknown[]).includes(value);
}

/** townhall's ticket status for an Intercom state category. */
export function normalizeState(category: IntercomStateCategory): TicketStatus {
  return NORMALIZED[category];
}

/** A conversation's state in townhall's vocabulary: snoozed waits, closed is done. */
const CONVERSATION_STATES = new Map<string, TicketStatus>([
  ['open', 'open'],
  ['snoozed', 'waiting'],
  ['closed', 'closed'],
]);

export function normalizeConversationState(state: string): TicketStatus | undefined {
  return CONVERSATION_STATES.get(state);
}
