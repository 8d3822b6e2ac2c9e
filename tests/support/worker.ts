import os from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { createLogger } from '../../runtime/logger.js';
import type { RunningWorker, WorkerOptions } from '../../runtime/temporal.js';
import { startWorker } from '../../runtime/temporal.js';

const logger = createLogger('test');
logger.level = 'silent';

/**
 * One bundle cache for every test file: it is keyed on every file a bundle contains
 * (runtime/workflow-bundle.ts), so a shared cache is never stale, and each entry is bundled once
 * per change instead of once per test file.
 */
export const TEST_BUNDLE_CACHE = path.join(os.tmpdir(), 'townhall-test-bundles');

/**
 * A real worker on the test run's Temporal dev server, as `townhall worker` starts one: same
 * bundling and runtime, quiet logs.
 */
export function startTestWorker(
  options: Pick<WorkerOptions, 'taskQueue' | 'activities' | 'workflowsPath' | 'vendorQueues'>,
): Promise<RunningWorker> {
  return startWorker({
    address: inject('temporalAddress'),
    namespace: 'default',
    cacheDir: TEST_BUNDLE_CACHE,
    logger,
    ...options,
  });
}
