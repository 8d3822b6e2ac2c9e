import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The Temporal native worker does not survive worker_threads; each file gets a process.
    pool: 'forks',
    // Two files at a time: most tests wait on sockets, timers and Temporal rather than the CPU,
    // and vitest's default for a run (one fewer than the cores) is a single file on 2 cores.
    maxWorkers: 2,
    globalSetup: ['tests/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    include: ['tests/**/*.test.ts'],
  },
});
