import type { CapabilityName } from '../connectors/ports.js';
import { SHARED_CAPABILITIES } from '../connectors/ports.js';
import type { AnyConnector } from '../connectors/descriptor.js';
import type { ProviderConfig } from '../config/capabilities.js';
import { providersOf, resolveProvider } from '../config/capabilities.js';
import type { Routing } from '../workflows/steps/context.js';

export interface RoutingConfig extends ProviderConfig {
  temporal: { taskQueue: string; activitiesPerSecond: Record<string, number>; bulkShare?: number };
}

/** A rate-limited connector's own task queue, polled by every worker with the server's limit. */
export interface VendorQueue {
  connector: string;
  taskQueue: string;
  /** maxTaskQueueActivitiesPerSecond: the Temporal server enforces it across all workers. */
  activitiesPerSecond: number;
  /** The queue for batch and bulk work, with `temporal.bulkShare` of the vendor's rate. */
  bulk?: boolean;
}

/** `<main queue>@<connector id>`, e.g. townhall@hubspot. */
export const vendorQueueName = (taskQueue: string, connector: string) =>
  `${taskQueue}@${connector}`;

/** `<main queue>@<connector id>/bulk`: the same vendor, for batch and bulk work. */
export const bulkQueueName = (taskQueue: string, connector: string) =>
  `${vendorQueueName(taskQueue, connector)}/bulk`;

/**
 * The queues of the configured connectors that declare a rate limit (or get one in
 * `temporal.activitiesPerSecond`): one queue per vendor account, so one vendor's limit never
 * holds up calls to another, and a burst of work cannot spend a vendor's whole quota at once.
 */
export function vendorQueues(
  config: RoutingConfig,
  registry: readonly AnyConnector[],
  taskQueue = config.temporal.taskQueue,
  /**
   * `all` for workers: they poll the queue of every rate-limited connector, configured or not, so
   * a run that started before its connector left the config fails with a clear "not configured"
   * instead of waiting forever on a queue nobody polls.
   */
  which: 'configured' | 'all' = 'configured',
): VendorQueue[] {
  return registry.flatMap((connector) => {
    if (which === 'configured' && config.connectors[connector.id] === undefined) return [];
    const perSecond =
      config.temporal.activitiesPerSecond[connector.id] ?? connector.activitiesPerSecond;
    if (perSecond === undefined) return [];
    // Default 1: the vendor's request budget (where it has one) paces bulk work, not this queue.
    const bulkShare = config.temporal.bulkShare ?? 1;
    return [
      {
        connector: connector.id,
        taskQueue: vendorQueueName(taskQueue, connector.id),
        activitiesPerSecond: perSecond,
      },
      {
        connector: connector.id,
        taskQueue: bulkQueueName(taskQueue, connector.id),
        activitiesPerSecond: perSecond * bulkShare,
        bulk: true,
      },
    ];
  });
}

/** What a run is started with: who serves each shared capability, and the vendor queues. */
export function routingFor(
  config: RoutingConfig,
  registry: readonly AnyConnector[],
  taskQueue = config.temporal.taskQueue,
): Routing {
  const providers: Partial<Record<CapabilityName, string>> = {};
  for (const capability of SHARED_CAPABILITIES) {
    const resolution = resolveProvider(config, registry, capability);
    if ('id' in resolution) providers[capability] = resolution.id;
  }
  const all = vendorQueues(config, registry, taskQueue);
  const queues = Object.fromEntries(
    all.filter((queue) => !queue.bulk).map((queue) => [queue.connector, queue.taskQueue]),
  );
  const bulkQueues = Object.fromEntries(
    all.filter((queue) => queue.bulk).map((queue) => [queue.connector, queue.taskQueue]),
  );
  const posters = providersOf(config, registry, 'channelPoster');
  return {
    providers,
    queues,
    bulkQueues,
    ...(posters.length === 1 ? { notices: posters[0] } : {}),
  };
}
