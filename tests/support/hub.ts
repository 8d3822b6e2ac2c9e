// A townhall for one test file: the config text written to a folder of its own, `townhall start`
// against the suite's Temporal dev server and the file's store, on a task queue of its own.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, inject } from 'vitest';
import type { TestDb } from './db.js';
import { freePort } from './ports.js';
import { SANDBOX_SLACK_SECRET } from './sandbox.js';
import { postSlack } from './slack.js';
import type { TownhallProcess } from './townhall-process.js';
import { printedUrl, spawnTownhall } from './townhall-process.js';

export interface TestHub {
  process: TownhallProcess;
  /** The hub's HTTP server. */
  server: string;
  configFile: string;
  taskQueue: string;
  /** POSTs a Slack Events API body, signed as the sandbox signs; the hub must answer 200. */
  send(body: unknown): Promise<void>;
}

/**
 * One deployment of townhall for a test: its config, data folder, store and task queue. Each
 * `start()` is a new process of it, on a new port, as a restart after a crash would be.
 */
export function testDeployment(name: string, config: string, t: TestDb) {
  const dir = mkdtempSync(path.join(os.tmpdir(), `townhall-${name}-`));
  const configFile = path.join(dir, 'townhall.config.yaml');
  writeFileSync(configFile, config);
  const taskQueue = `${name}-${randomBytes(4).toString('hex')}`;
  const start = async (env: NodeJS.ProcessEnv = {}): Promise<TownhallProcess> =>
    spawnTownhall(['start', '--config', configFile], {
      ...env,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_TASK_QUEUE: taskQueue,
      TOWNHALL_DATA_DIR: path.join(dir, 'data'),
      DATABASE_URL: t.url ?? '',
      PORT: String(await freePort()),
    });
  return { configFile, taskQueue, start };
}

export async function startTestHub(name: string, config: string, t: TestDb): Promise<TestHub> {
  const { configFile, taskQueue, start } = testDeployment(name, config, t);
  const hub = await start();
  const server = printedUrl(hub, 'server');
  return {
    process: hub,
    server,
    configFile,
    taskQueue,
    async send(body) {
      const response = await postSlack(server, SANDBOX_SLACK_SECRET, body);
      expect(response.status).toBe(200);
    },
  };
}
