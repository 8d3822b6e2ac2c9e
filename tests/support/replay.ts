// Replays a history from tests/replay/histories/ on today's workflow code (or a test-only
// bundle `entry`): resolves when it replays, rejects with core's nondeterminism error otherwise.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker } from '@temporalio/worker';
import { workflowBundle } from '../../runtime/workflow-bundle.js';
import { TEST_BUNDLE_CACHE } from './worker.js';

export const replay = async (name: string, entry?: string) =>
  Worker.runReplayHistory(
    { workflowBundle: await workflowBundle(TEST_BUNDLE_CACHE, entry) },
    historyFromJSON(
      JSON.parse(
        readFileSync(new URL(`../replay/histories/${name}.json`, import.meta.url), 'utf8'),
      ),
    ),
  );

/**
 * With RECORD_HISTORIES=<dir>, writes a finished run's history there as `<name>.json`, the
 * fixture `replay(name)` reads. A recorded history is kept: it stands for the code of the commit
 * that recorded it.
 */
export async function recordHistory(handle: WorkflowHandle, name: string): Promise<void> {
  const dir = process.env.RECORD_HISTORIES;
  if (!dir || existsSync(path.join(dir, `${name}.json`))) return;
  const history = await handle.fetchHistory();
  writeFileSync(
    path.join(dir, `${name}.json`),
    JSON.stringify(JSON.parse(historyToJSON(history)), null, 2),
  );
}
