// A hub in the test's own process: the real HTTP server as `townhall server` wires it
// (runtime/services.ts startHttpServer) from config/examples/sandbox.yaml, so every connector's
// webhook route, the unsubscribe links and the admin routes are mounted, on the file's own store
// and the suite's Temporal dev server. For the fuzz suite and the admin surface's tests.
import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import { inject } from 'vitest';
import type { LoadedConfig } from '../../config/load.js';
import { SANDBOX_CONFIG_FILE, loadConfig } from '../../config/load.js';
import type { ServerConfig } from '../../config/server.js';
import { createLogger } from '../../runtime/logger.js';
import { communityRouter, startHttpServer } from '../../runtime/services.js';
import { resolveSettings } from '../../runtime/settings.js';
import { createTemporalClient } from '../../runtime/temporal.js';
import type { TestDb } from './db.js';
import { openTestDb } from './db.js';
import { countReceivedEvents } from './observe.js';

export interface InProcessHub {
  url: string;
  loaded: LoadedConfig;
  t: TestDb;
  temporal: Client;
  taskQueue: string;
  /** Rows in received_events now. */
  storedEvents(): Promise<number>;
  close(): Promise<void>;
}

export interface HubOptions {
  /** Replaces parts of the config's `server:` section (rate limits, trustProxy). */
  server?: Partial<ServerConfig>;
  /** TOWNHALL_ADMIN_TOKEN for this hub: the admin API and the codec endpoint are mounted. */
  adminToken?: string;
  /** Where the hub logs; silent unless given. */
  logger?: Logger;
}

/** An identity codec: the codec endpoint's routes are mounted, the payloads left as they are. */
const PLAIN = {
  codec: { encode: (p: never[]) => Promise.resolve(p), decode: (p: never[]) => Promise.resolve(p) },
  origins: [],
};

/**
 * Starts the hub. Workflows the events start go to a task queue no worker polls, so nothing is
 * sent anywhere; `close` terminates them so the shared dev server does not keep them.
 */
export async function startInProcessHub(options: HubOptions = {}): Promise<InProcessHub> {
  const t = await openTestDb();
  const taskQueue = `in-process-${randomBytes(4).toString('hex')}`;
  // The sandbox file's defaults (its ${VAR:-default}s), whatever this shell exports.
  const loaded = loadConfig(SANDBOX_CONFIG_FILE, {});
  loaded.config.server = { ...loaded.config.server, ...options.server };
  const settings = resolveSettings(loaded.config, { PORT: '0', TEMPORAL_TASK_QUEUE: taskQueue });
  const temporal = createTemporalClient(inject('temporalAddress'), 'default');
  const logger = options.logger ?? createLogger('hub');
  if (!options.logger) logger.level = 'silent';
  const route = communityRouter(loaded, settings, t.db, temporal, logger);
  const server = await startHttpServer(
    loaded,
    settings,
    t.db,
    route,
    temporal,
    logger,
    PLAIN,
    undefined,
    options.adminToken,
  );
  return {
    url: server.url,
    loaded,
    t,
    temporal,
    taskQueue,
    storedEvents: () => countReceivedEvents(t.db),
    async close() {
      await server.close();
      await terminateRuns(temporal, taskQueue);
      await t.close();
    },
  };
}

async function terminateRuns(temporal: Client, taskQueue: string): Promise<void> {
  const query = `TaskQueue = '${taskQueue}' AND ExecutionStatus = 'Running'`;
  for await (const run of temporal.workflow.list({ query })) {
    await temporal.workflow
      .getHandle(run.workflowId, run.runId)
      .terminate('test over')
      .catch(() => undefined);
  }
}
