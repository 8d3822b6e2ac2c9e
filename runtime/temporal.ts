import { Client, Connection } from '@temporalio/client';
import type { Logger } from 'pino';
import { NativeConnection, Runtime, Worker } from '@temporalio/worker';
import type { createActivities } from '../activities/index.js';
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
  const worker = await Worker.create({
    connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    workflowBundle: await workflowBundle(options.cacheDir, options.workflowsPath),
    activities: options.activities,
    // Bounded cache: a hub runs many long-sleeping journeys; evicted ones replay when they wake.
    maxCachedWorkflows: 500,
  });
  const done = worker.run().finally(() => connection.close());
  return {
    done,
    async shutdown() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}
