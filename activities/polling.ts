import { heartbeat } from '@temporalio/activity';
import { inBulkLane } from '../connectors/budget.js';
import type { PollFeedInput, PollFeedResult } from '../workflows/community-poll/types.js';
import type { ActivityDeps } from './index.js';
import { asActivityFailure } from './failures.js';

/**
 * One poll of a feed (workflows/community-poll/): read what is new, route each event as a
 * webhook's would be, and only then hand back the cursor past them. A crash in between polls
 * the same page again; the store knows those events by id and routes each once.
 */
export function createPollingActivities(deps: ActivityDeps) {
  return {
    async pollFeed({ connector, feed, cursor, startedAt }: PollFeedInput): Promise<PollFeedResult> {
      const poller = deps.pollers?.[connector];
      if (!poller) return { stop: true, reason: `connectors.${connector} is not configured` };
      if (!poller.feeds.includes(feed))
        return { stop: true, reason: `connectors.${connector} no longer lists ${feed}` };
      if (!deps.route) throw new Error('this worker has no event router: it cannot poll feeds');
      const beat = setInterval(() => heartbeat(), 1_000);
      try {
        // Bulk: a DM or a reply waiting on the same vendor budget goes ahead of the next poll.
        const page = await asActivityFailure(() =>
          inBulkLane(() => poller.poll(feed, { cursor, startedAt })),
        );
        for (const warning of page.warnings ?? []) deps.logger.warn({ connector, feed }, warning);
        if (page.gap)
          deps.logger.warn(
            { connector, feed },
            'the poller was away longer than the listings reach back: older items were missed',
          );
        for (const event of page.events) {
          await deps.route(event);
          heartbeat();
        }
        if (page.events.length > 0)
          deps.logger.info({ connector, feed, routed: page.events.length }, 'feed polled');
        return {
          stop: false,
          cursor: page.cursor,
          nextPollMs: page.nextPollMs,
          routed: page.events.length,
        };
      } finally {
        clearInterval(beat);
      }
    },
  };
}
