import { createHash } from 'node:crypto';

/**
 * Discourse has no idempotency header, so a retried post would simply post again. What it does
 * have: topics (and private messages, which are topics) accept an `external_id`, unique per
 * site and looked up with GET /t/external_id/{id}.json. Discourse only accepts short [\w-]
 * external ids, so any caller key (workflow id + step) is hashed into one.
 */
export function externalIdFor(dedupKey: string): string {
  return `th-${createHash('sha256').update(dedupKey).digest('hex').slice(0, 40)}`;
}

/**
 * Replies have no external id. The key rides along in the raw markdown as an HTML comment,
 * which Discourse keeps in `raw` and leaves out of the rendered post, so readers never see it.
 */
export function replyMarker(dedupKey: string): string {
  return `<!-- townhall:${externalIdFor(dedupKey)} -->`;
}

/** How many of a topic's latest posts are searched for an earlier attempt of the same reply. */
export const RECENT_POSTS_SEARCHED = 10;
