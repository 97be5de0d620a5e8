// The local stack listens on 127.0.0.1 only, on ports away from the services' defaults, because a developer's
// machine (and CI's) may already run Postgres on 5432, Redis on 6379 or a registry on 8081.
function port(name: string, fallback: number): number {
  const raw = process.env[name];
  const n = raw ? Number(raw) : fallback;
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`${name}: expected a port number`);
  return n;
}

export const STACK_PORTS = {
  kafka: port('STACK_KAFKA_PORT', 19092),
  kafkaController: port('STACK_KAFKA_CONTROLLER_PORT', 19093),
  registry: port('STACK_REGISTRY_PORT', 18081),
  registryManagement: port('STACK_REGISTRY_MANAGEMENT_PORT', 19001),
  postgres: port('STACK_POSTGRES_PORT', 15432),
  redis: port('STACK_REDIS_PORT', 16379),
} as const;
