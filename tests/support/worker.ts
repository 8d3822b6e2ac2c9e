import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { createLogger } from '../../runtime/logger.js';
import type { RunningWorker, WorkerOptions } from '../../runtime/temporal.js';
import { startWorker } from '../../runtime/temporal.js';

const logger = createLogger('test');
logger.level = 'silent';

/**
 * A real worker on the test run's Temporal dev server, as `townhall worker` starts one: same
 * bundling and runtime, a fresh bundle cache, quiet logs.
 */
export function startTestWorker(
  options: Pick<WorkerOptions, 'taskQueue' | 'activities' | 'workflowsPath'>,
): Promise<RunningWorker> {
  return startWorker({
    address: inject('temporalAddress'),
    namespace: 'default',
    cacheDir: mkdtempSync(path.join(os.tmpdir(), 'townhall-bundle-')),
    logger,
    ...options,
  });
}
