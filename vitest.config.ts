import { defineConfig } from 'vitest/config';

/**
 * Files that measure a pace against a rate ceiling run alone, after the rest: on a 2-core machine
 * the other files' load would measure the machine, not townhall.
 */
const PACED = ['tests/integration/crm-backfill.test.ts'];

export default defineConfig({
  test: {
    // The Temporal native worker does not survive worker_threads; each file gets a process.
    pool: 'forks',
    globalSetup: ['tests/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: { name: 'main', include: ['tests/**/*.test.ts'], exclude: PACED },
      },
      {
        extends: true,
        test: { name: 'paced', include: PACED, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
