import { Client, Connection } from '@temporalio/client';
import type { Logger } from 'pino';
import { NativeConnection, Runtime, Worker } from '@temporalio/worker';
import type { createActivities } from '../activities/index.js';
import type { VendorQueue } from './routing.js';
import { temporalLogger } from './temporal-logger.js';
import { workflowBundle } from './workflow-bundle.js';

/** Lazy: the server starts (and answers 503 on webhooks) even while Temporal is unreachable. */
export function createTemporalClient(address: string, namespace: string): Client {
  return new Client({ connection: Connection.lazy({ address }), namespace });
}

let runtimeInstalled = false;

export interface WorkerOptions {
  address: string;
  namespace: string;
  taskQueue: string;
  /** townhall's activities; a test worker may register its own. */
  activities: ReturnType<typeof createActivities> | object;
  cacheDir: string;
  logger: Logger;
  /** The workflows' entry point; townhall's workflows/index.ts unless a test brings its own. */
  workflowsPath?: string;
  /** Rate-limited vendors' own queues (runtime/routing.ts): polled for the same activities. */
  vendorQueues?: readonly VendorQueue[];
}

/** Runs until shutdown() (or a fatal worker error); closes its connection when done. */
export interface RunningWorker {
  done: Promise<void>;
  shutdown(): Promise<void>;
}

export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  if (!runtimeInstalled) {
    Runtime.install({ logger: temporalLogger(options.logger.child({ component: 'temporal' })) });
    runtimeInstalled = true;
  }
  const connection = await NativeConnection.connect({ address: options.address });
  const workers: Worker[] = [];
  try {
    workers.push(
      await Worker.create({
        connection,
        namespace: options.namespace,
        taskQueue: options.taskQueue,
        workflowBundle: await workflowBundle(options.cacheDir, options.workflowsPath),
        activities: options.activities,
        // Bounded cache: a hub runs many long-sleeping journeys; evicted ones replay when they wake.
        maxCachedWorkflows: 500,
      }),
    );
    for (const queue of options.vendorQueues ?? [])
      workers.push(
        await Worker.create({
          connection,
          namespace: options.namespace,
          taskQueue: queue.taskQueue,
          activities: options.activities,
          // Enforced by the server for the queue as a whole, however many workers poll it.
          maxTaskQueueActivitiesPerSecond: queue.activitiesPerSecond,
        }),
      );
  } catch (error) {
    await connection.close();
    throw error;
  }
  const done = Promise.all(workers.map((worker) => worker.run()))
    .then(() => undefined)
    .finally(() => connection.close());
  return {
    done,
    async shutdown() {
      for (const worker of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}
