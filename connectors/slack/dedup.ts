/**
 * How a retried post stays one post on Slack.
 *
 * Slack's Web API has no idempotency key: chat.postMessage called twice posts twice, and a
 * retry cannot tell "the first attempt never reached Slack" from "it posted, and only the answer
 * was lost". townhall combines two things:
 *
 * 1. A marker on the message itself. Every post carries message metadata
 *    `{ event_type: 'townhall_post', event_payload: { dedup_key } }` (docs.slack.dev, "Message
 *    metadata"). Metadata is invisible to readers and comes back from conversations.history and
 *    conversations.replies when asked for with `include_all_metadata`, so Slack itself can answer
 *    "did a post with this key land?".
 * 2. townhall's one effect ledger (the deliveries table, through activities/send-once.ts),
 *    written before and after each post. It makes the common case cost nothing extra: a key never
 *    seen is posted straight away, a key whose post is confirmed is answered from the ledger
 *    without calling Slack. Only a key whose earlier attempt started and never confirmed (a lost
 *    answer, a timeout, a crash) reaches the connector with `earlierAttemptSince` and costs one
 *    search, bounded by time: the channel's (or thread's) history since that attempt started.
 *
 * A caller with no ledger passes `earlierAttemptSince: 'unknown'`: the connector then searches
 * before every post, but only within the channel's latest page of history
 * (RECENT_MESSAGES_SEARCHED; a thread is read whole). Keeping searches rare matters: Slack rate-limits
 * conversations.history and conversations.replies hard for some apps (commercially distributed
 * apps outside the Marketplace), and a search that is refused surfaces as rate_limited, which
 * Temporal waits out like any other 429. Reading needs the history scopes (channels:history,
 * im:history for DMs).
 * What neither can close: two attempts running at the same moment (Temporal does not run one
 * activity's attempts concurrently, short of a start-to-close timeout firing mid-post).
 */
export const DEDUP_EVENT_TYPE = 'townhall_post';

export interface SlackMessageMetadata {
  event_type: string;
  event_payload: { dedup_key: string };
}

export function dedupMetadata(dedupKey: string): SlackMessageMetadata {
  return { event_type: DEDUP_EVENT_TYPE, event_payload: { dedup_key: dedupKey } };
}

/** True for a message townhall posted under `dedupKey`. */
export function carriesDedupKey(message: { metadata?: unknown }, dedupKey: string): boolean {
  const metadata = message.metadata as
    { event_type?: unknown; event_payload?: { dedup_key?: unknown } | null } | null | undefined;
  return (
    metadata?.event_type === DEDUP_EVENT_TYPE && metadata.event_payload?.dedup_key === dedupKey
  );
}

/** Without a ledger: how many of the latest messages are searched for an earlier attempt. */
export const RECENT_MESSAGES_SEARCHED = 200;

/**
 * Slack's clock and ours differ a little: the search for an unconfirmed attempt starts this long
 * before the ledger says the attempt began.
 */
export const CLOCK_SKEW_MS = 5 * 60 * 1000;
