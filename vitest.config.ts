import { randomBytes } from 'node:crypto';
import { defineConfig } from 'vitest/config';

// Each run of the suite works in a namespace of its own (`t<random>`: topic, group and subject prefix, Postgres
// schema, Redis key prefix; runtime/namespace.ts), so two runs on one stack never meet and a real ingestion's
// topics, tables and views are never touched; test/global-setup.ts removes the namespace at the end. Set here, in
// the main process, so the global setup, every worker and every child process a test starts share it. A namespace
// this file made already (the config can be evaluated twice) is kept; any other value is replaced, because the
// teardown drops it.
const mine = /^t[0-9a-f]{8}$/;
if (!mine.test(process.env.GRIDSTREAM_NAMESPACE ?? '')) process.env.GRIDSTREAM_NAMESPACE = `t${randomBytes(4).toString('hex')}`;

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
    env: { GRIDSTREAM_NAMESPACE: process.env.GRIDSTREAM_NAMESPACE },
  },
});
