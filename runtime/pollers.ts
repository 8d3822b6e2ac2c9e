import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { AnyConnector } from '../connectors/descriptor.js';
import { communityPoll } from '../workflows/community-poll/workflow.js';
import { pollerWorkflowId } from '../workflows/community-poll/types.js';

/**
 * Makes a poller run for every feed of every configured connector that reads by polling (no
 * webhooks). Runs at worker start; each feed's run has a fixed id, so a running poller (and its
 * cursor) is kept, whichever worker starts first and however often. A feed the config drops
 * ends its own run at its next poll.
 */
export async function ensurePollers(
  client: Client,
  config: { connectors: Record<string, unknown> },
  registry: readonly AnyConnector[],
  options: { taskQueue: string; logger: Logger },
): Promise<{ connector: string; feed: string; workflowId: string }[]> {
  const started: { connector: string; feed: string; workflowId: string }[] = [];
  for (const connector of registry) {
    const section = config.connectors[connector.id];
    if (!connector.poller || section === undefined) continue;
    for (const feed of connector.poller.feeds(section)) {
      const workflowId = pollerWorkflowId(options.taskQueue, connector.id, feed);
      await client.workflow.start(communityPoll, {
        taskQueue: options.taskQueue,
        workflowId,
        args: [{ connector: connector.id, feed }],
        // A running poller keeps its cursor; one that ended (its feed was dropped, then listed
        // again) starts afresh.
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      });
      started.push({ connector: connector.id, feed, workflowId });
    }
  }
  if (started.length > 0)
    options.logger.info(
      { pollers: started.map((poller) => poller.workflowId) },
      'feed pollers running',
    );
  return started;
}
