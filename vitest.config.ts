import { defineConfig } from 'vitest/config';

// Integration tests share one real stack (Kafka, registry, Postgres, Redis); each test file uses its own topics,
// tables and consumer groups, so files may run in parallel, but two cores favour a small pool.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: 'forks',
    maxWorkers: 2,
    globalSetup: ['test/global-setup.ts'],
  },
});
