import { createHash } from 'node:crypto';

/**
 * Intercom has no idempotency key: a create that is retried after its response was lost would
 * make a second ticket. So every create carries a reference derived from the caller's dedup key
 * (workflow id + step), and a create first searches for it.
 *
 * - Tickets keep it in a ticket type attribute named `townhall_ref` (created on the ticket type
 *   once, hidden from contacts), searched with `ticket_attribute.<attribute id> = <ref>`.
 * - Conversations have no attributes at creation, so the reference rides at the end of the
 *   first message as one word, searched with `source.body = <ref>` (Intercom matches
 *   source.body word by word, hence letters and digits only, no dashes).
 *
 * The race that remains, documented rather than hidden: Intercom's search index trails writes
 * (its docs warn of a delay of up to a few minutes for new contacts; tickets are searched the
 * same way). A retry that runs inside that window, or two attempts running at once (a timed-out
 * attempt still in flight when Temporal starts the next), can both miss the first ticket and
 * create a second. Temporal's backoff (1 s, 2 s, 4 s ...) makes the window small, not zero; the
 * duplicate carries the same ref, so it is findable and can be merged by an agent.
 */
export function refFor(dedupKey: string): string {
  return `th${createHash('sha256').update(dedupKey).digest('hex').slice(0, 32)}`;
}

/** The ticket type attribute that holds the ref. */
export const REF_ATTRIBUTE = 'townhall_ref';

/** The ref in a conversation's first message, if it has one. */
export function refInBody(body: string | null | undefined): string | undefined {
  return /\bth[0-9a-f]{32}\b/.exec(body ?? '')?.[0];
}
