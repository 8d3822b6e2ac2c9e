import { configDefaults, defineConfig } from 'vitest/config';
import { LongestFirstSequencer } from './tests/support/sequencer.js';

/**
 * Files that measure rates or drive hundreds of runs through a killed worker: they run after the
 * rest, one at a time, so another file's load never skews what they measure.
 */
const ALONE = [
  'tests/integration/crm-backfill.test.ts',
  'tests/integration/worker-crash.test.ts',
  'tests/integration/journeys.test.ts',
  'tests/workflow/vendor-queue.test.ts',
  'tests/chaos/chaos.test.ts',
];

export default defineConfig({
  test: {
    // The Temporal native worker does not survive worker_threads; each file gets a process.
    pool: 'forks',
    globalSetup: ['tests/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    sequence: { sequencer: LongestFirstSequencer },
    projects: [
      {
        extends: true,
        test: {
          // Pure code, no servers or workers: the files share their processes and the modules
          // they import (each would otherwise import the config schema and every connector anew).
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
          isolate: false,
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'shared',
          include: ['tests/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...ALONE, 'tests/unit/**'],
          // Each file still has its own store, sandbox, task queue and hubs; sharing the process
          // (and its imports) between files cut the suite from about 800 s to 610 s here.
          isolate: false,
          // Two files at a time: most tests wait on sockets, timers and Temporal rather than the
          // CPU, and vitest's default for a run (one fewer than the cores) is one file on 2 cores.
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        test: { name: 'alone', include: ALONE, maxWorkers: 1, sequence: { groupOrder: 2 } },
      },
    ],
  },
});
