// For the HubSpot backfill tests: a sandbox per file, and `setUp` for one backfill against it:
// a seeded store, a config with the HubSpot request budget, and `townhall worker` processes.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, inject } from 'vitest';
import type { Sandbox } from '../../sandbox/index.js';
import type { Db } from '../../store/db.js';
import type { SharedStore } from './backfill.js';
import { openSharedStore, seedMembers } from './backfill.js';
import { SANDBOX_HUBSPOT_TOKEN, startTestSandbox } from './sandbox.js';
import type { TownhallProcess } from './townhall-process.js';
import { spawnTownhall } from './townhall-process.js';

export const WINDOW_MS = 10_000;

// Set by useHubSpotBackfill's beforeAll. Exported bindings are live: importers see the values.
export let sandbox: Sandbox;
const running: TownhallProcess[] = [];
const stores: SharedStore[] = [];

/** For this file: one sandbox; workers killed and stores dropped at the end. */
export function useHubSpotBackfill() {
  beforeAll(async () => {
    sandbox = await startTestSandbox();
  });
  afterAll(async () => {
    // Emptied as they go: test files share this module in a worker (isolate: false), and a
    // store closed by an earlier file's hook must not be closed again.
    for (const child of running.splice(0)) child.child.kill('SIGKILL');
    await sandbox?.stop();
    for (const store of stores.splice(0)) if (store.url) await store.close();
  });
}

/**
 * A store seeded with `members` members, a config whose HubSpot budget is `townhallLimit` per
 * 10 s, and the sandbox portal limited to `portalLimit`; `worker()` starts a `townhall worker`.
 */
export async function setUp(
  members: number,
  townhallLimit: number,
  portalLimit: number,
  prepare: (db: Db, memberIds: string[]) => Promise<void> = () => Promise.resolve(),
  options: {
    /** The config's `workflows.crmSync`: off unless a test runs the incremental sync. */
    crmSync?: string;
    /** A namespace of the test's own (tests/support/namespace.ts) where the hub keeps schedules. */
    namespace?: string;
  } = {},
) {
  await fetch(`${sandbox.url}/_sandbox/reset`, { method: 'POST' });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'townhall-backfill-'));
  const dataDir = path.join(dir, 'data');
  const store = await openSharedStore(dataDir);
  stores.push(store);
  const memberIds = await seedMembers(store.db, members);
  await prepare(store.db, memberIds);
  // PGlite is one process's at a time: the worker's, from here on.
  if (!store.url) await store.close();

  const config = path.join(dir, 'townhall.config.yaml');
  writeFileSync(
    config,
    `
connectors:
  hubspot:
    accessToken: ${SANDBOX_HUBSPOT_TOKEN}
    baseUrl: ${sandbox.url}
    requestLimit: { max: ${townhallLimit}, intervalMs: ${WINDOW_MS} }
workflows:
  crmSync: ${options.crmSync ?? '{ enabled: false }'}
`,
  );
  await fetch(`${sandbox.url}/_sandbox/hubspot/limits`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ burst: { max: portalLimit, intervalMs: WINDOW_MS } }),
  });
  const env = {
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_NAMESPACE: options.namespace ?? 'default',
    TEMPORAL_TASK_QUEUE: `backfill-${randomBytes(4).toString('hex')}`,
    TOWNHALL_DATA_DIR: dataDir,
    DATABASE_URL: store.url ?? '',
  };
  const worker = async () => {
    const started = await spawnTownhall(['worker', '--config', config], env);
    running.push(started);
    return started;
  };
  return { store, memberIds, config, env, worker };
}
