// Integration tests run against real services: the local stack (started here if it is not up; `npm test` starts it
// first), or, where a Docker engine answers and no endpoint variable is set, containers from testcontainers.
// The run's namespace (vitest.config.ts) is migrated here and removed at the end with everything the tests made in
// it: topics, consumer groups, schema subjects, the Postgres schema and the Redis keys.
import { spawnSync } from 'node:child_process';

const endpointVars = ['KAFKA_BROKERS', 'SCHEMA_REGISTRY_URL', 'DATABASE_URL', 'REDIS_URL'];

export default async function setup(): Promise<() => Promise<void>> {
  // `npm run test:unit` needs no services.
  if (process.env.GRIDSTREAM_TEST_STACK === 'none') return async () => undefined;
  const useContainers = !endpointVars.some((v) => process.env[v]) && process.env.GRIDSTREAM_TEST_STACK !== 'local' && spawnSync('docker', ['info'], { stdio: 'ignore' }).status === 0;
  let stopContainers = async () => undefined as void;
  if (useContainers) {
    const { startContainers } = await import('./support/containers.js');
    stopContainers = await startContainers();
  } else {
    const { stackUp } = await import('../infra/stack/index.js');
    await stackUp();
  }
  const { migrate, closePool } = await import('../runtime/db.js');
  const { namespace } = await import('../runtime/namespace.js');
  const ns = namespace().name;
  if (!ns) throw new Error('the tests must run in a namespace of their own (vitest.config.ts sets GRIDSTREAM_NAMESPACE)');
  await migrate();
  await closePool();
  return async () => {
    try {
      const { dropNamespace } = await import('../runtime/namespace-drop.js');
      const d = await dropNamespace(ns);
      process.stdout.write(`test namespace ${ns} removed: ${d.topics} topics, ${d.groups} consumer groups, ${d.subjects} schema subjects, ${d.redisKeys} Redis keys${d.groupsKept ? `; ${d.groupsKept} groups kept (live members)` : ''}\n`);
      await closePool();
    } finally {
      await stopContainers();
    }
  };
}
