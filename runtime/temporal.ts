import { Client, Connection } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import type { Logger } from 'pino';
import { NativeConnection, Runtime, Worker } from '@temporalio/worker';
import type { createActivities } from '../activities/index.js';
import { townhallDataConverter } from './codec/data-converter.js';
import { payloadCodecFor } from './codec/index.js';
import type { VendorQueue } from './routing.js';
import type { Settings } from './settings.js';
import type { TemporalAuth } from './temporal-auth.js';
import { temporalLogger } from './temporal-logger.js';
import { workflowBundle } from './workflow-bundle.js';

/**
 * Lazy: the server starts (and answers 503 on webhooks) even while Temporal is unreachable.
 * `codec` encrypts what the client sends and decrypts what it reads (runtime/codec/): the hub's
 * processes and CLI commands all pass the same one; only tests with their own workers omit it.
 */
export function createTemporalClient(
  address: string,
  namespace: string,
  codec?: PayloadCodec,
  auth: TemporalAuth = {},
): Client {
  return new Client({
    connection: Connection.lazy({ address, ...auth }),
    namespace,
    dataConverter: townhallDataConverter(codec),
  });
}

/**
 * A CLI command's client for the running hub: its Temporal (TEMPORAL_ADDRESS, else the dev
 * server `townhall start` runs) and its payload keys (TOWNHALL_PAYLOAD_KEYS, else the key file
 * `townhall start` keeps in the data dir), so the command reads what the hub wrote.
 */
export function cliTemporalClient(settings: Settings, env: NodeJS.ProcessEnv = process.env) {
  const address = settings.temporal.address ?? `127.0.0.1:${settings.temporal.devPort}`;
  const codec = payloadCodecFor('cli', env, settings.dataDir);
  // The dev server `townhall start` runs speaks plain gRPC.
  const auth = settings.temporal.address ? settings.temporal.auth : {};
  return {
    address,
    client: createTemporalClient(address, settings.temporal.namespace, codec, auth),
  };
}

let runtimeInstalled = false;

export interface WorkerOptions {
  address: string;
  /** TLS, API key or client certificate (runtime/temporal-auth.ts); none for the dev server. */
  auth?: TemporalAuth;
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
  /** The payload codec, the same as the clients': townhall's workers always have one. */
  codec?: PayloadCodec;
  /** The sticky cache's size (config temporal.workflowCacheSize); the SDK's default when unset. */
  workflowCacheSize?: number;
}

/** Runs until shutdown() (or a fatal worker error); closes its connection when done. */
export interface RunningWorker {
  done: Promise<void>;
  shutdown(): Promise<void>;
}

export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  if (!runtimeInstalled) {
    // The SDK's own worker metrics (task slots, polls, schedule-to-start latency, workflow and
    // activity outcomes) on a Prometheus endpoint of the Rust core's, where one is asked for.
    const metricsAddress = process.env.TEMPORAL_METRICS_ADDRESS || undefined;
    Runtime.install({
      logger: temporalLogger(options.logger.child({ component: 'temporal' })),
      ...(metricsAddress
        ? { telemetryOptions: { metrics: { prometheus: { bindAddress: metricsAddress } } } }
        : {}),
    });
    runtimeInstalled = true;
  }
  const connection = await NativeConnection.connect({ address: options.address, ...options.auth });
  const dataConverter = townhallDataConverter(options.codec);
  const workers: Worker[] = [];
  try {
    workers.push(
      await Worker.create({
        connection,
        namespace: options.namespace,
        taskQueue: options.taskQueue,
        dataConverter,
        workflowBundle: await workflowBundle(options.cacheDir, options.workflowsPath),
        activities: options.activities,
        // Bounded cache: a hub runs many long-sleeping journeys; evicted ones replay when they wake.
        ...(options.workflowCacheSize !== undefined
          ? { maxCachedWorkflows: options.workflowCacheSize }
          : {}),
      }),
    );
    for (const queue of options.vendorQueues ?? [])
      workers.push(
        await Worker.create({
          connection,
          namespace: options.namespace,
          taskQueue: queue.taskQueue,
          dataConverter,
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
