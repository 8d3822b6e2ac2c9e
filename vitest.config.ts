import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The Temporal native worker does not survive worker_threads; each file gets a process.
    pool: 'forks',
    globalSetup: ['tests/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    include: ['tests/**/*.test.ts'],
  },
});
