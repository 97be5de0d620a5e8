// The same four services from containers, for machines with a Docker engine. Endpoints are exported through the
// same variables users set for existing infrastructure, so the code under test cannot tell the difference.
import { GenericContainer, Wait, type StartedTestContainer } from 'testcontainers';

export async function startContainers(): Promise<() => Promise<void>> {
  const started: StartedTestContainer[] = [];
  const kafka = await new GenericContainer('apache/kafka:4.1.1')
    .withExposedPorts({ container: 19092, host: 19092 })
    .withEnvironment({
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_LISTENERS: 'PLAINTEXT://:19092,CONTROLLER://:19093',
      KAFKA_ADVERTISED_LISTENERS: 'PLAINTEXT://127.0.0.1:19092',
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:19093',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
    })
    .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
    .start();
  started.push(kafka);
  const registry = await new GenericContainer('apicurio/apicurio-registry:3.3.3')
    .withExposedPorts(8080)
    .withEnvironment({ APICURIO_REST_DELETION_ARTIFACT_ENABLED: 'true', APICURIO_REST_DELETION_ARTIFACT_VERSION_ENABLED: 'true' })
    .withWaitStrategy(Wait.forHttp('/apis/ccompat/v7/subjects', 8080))
    .start();
  started.push(registry);
  const postgres = await new GenericContainer('postgres:15')
    .withExposedPorts(5432)
    .withEnvironment({ POSTGRES_USER: 'gridstream', POSTGRES_HOST_AUTH_METHOD: 'trust', POSTGRES_DB: 'gridstream' })
    .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
    .start();
  started.push(postgres);
  const redis = await new GenericContainer('redis:7').withExposedPorts(6379).withCommand(['redis-server', '--maxmemory', '1gb', '--maxmemory-policy', 'noeviction']).start();
  started.push(redis);
  process.env.KAFKA_BROKERS = `127.0.0.1:19092`;
  process.env.SCHEMA_REGISTRY_URL = `http://${registry.getHost()}:${registry.getMappedPort(8080)}/apis/ccompat/v7`;
  process.env.DATABASE_URL = `postgres://gridstream@${postgres.getHost()}:${postgres.getMappedPort(5432)}/gridstream`;
  process.env.REDIS_URL = `redis://${redis.getHost()}:${redis.getMappedPort(6379)}`;
  return async () => {
    for (const c of started.reverse()) await c.stop();
  };
}
