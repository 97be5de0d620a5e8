// Integration tests run against real services: the local stack (started here if it is not up; `npm test` starts it
// first), or, where a Docker engine answers and no endpoint variable is set, containers from testcontainers.
import { spawnSync } from 'node:child_process';

const endpointVars = ['KAFKA_BROKERS', 'SCHEMA_REGISTRY_URL', 'DATABASE_URL', 'REDIS_URL'];

export default async function setup(): Promise<() => Promise<void>> {
  // `npm run test:unit` needs no services.
  if (process.env.GRIDSTREAM_TEST_STACK === 'none') return async () => undefined;
  const useContainers = !endpointVars.some((v) => process.env[v]) && process.env.GRIDSTREAM_TEST_STACK !== 'local' && spawnSync('docker', ['info'], { stdio: 'ignore' }).status === 0;
  let teardown = async () => undefined as void;
  if (useContainers) {
    const { startContainers } = await import('./support/containers.js');
    teardown = await startContainers();
  } else {
    const { stackUp } = await import('../infra/stack/index.js');
    await stackUp();
  }
  const { migrate, closePool } = await import('../runtime/db.js');
  await migrate();
  await closePool();
  return teardown;
}
