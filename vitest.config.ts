import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Worker threads run dist/: rebuild it first when a source is newer.
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration tests start their own nats-server and DuckDB files; two cores, so keep
    // the number of files running at once small.
    maxWorkers: 2,
  },
});
