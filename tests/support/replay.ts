// Replays a history from tests/replay/histories/ on today's workflow code (or a test-only
// bundle `entry`): resolves when it replays, rejects with core's nondeterminism error otherwise.
import { readFileSync } from 'node:fs';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
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
