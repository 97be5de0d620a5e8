// The process's configuration, built from the environment variables of runtime/settings.ts (the one schema, which
// validates every variable). A variable that is set names an existing service, and the local stack leaves that
// service alone; an unset one defaults to the local stack's address.
import { ConfigError, NAMESPACE_PATTERN, readSettings, type Settings } from './settings.js';

export { ConfigError, NAMESPACE_PATTERN };

export interface KafkaConfig {
  brokers: string[];
  clientId: string;
  ssl: boolean;
  sasl?: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string };
}

export interface Config {
  kafka: KafkaConfig;
  registryUrl: string;
  databaseUrl: string;
  redisUrl: string;
  /** Which endpoints came from the environment (the stack must not start those). */
  external: { kafka: boolean; registry: boolean; postgres: boolean; redis: boolean };
  /** Deprecated alias of http.port (METRICS_PORT). */
  metricsPort: number | undefined;
  /** The process's HTTP server (/healthz, /readyz, /metrics, the status page): GRIDSTREAM_HTTP_HOST/PORT. */
  http: { host: string; port: number; historySampleMs: number };
  /** Restart backoff of a failed stage (GRIDSTREAM_BACKOFF_MIN_MS/MAX_MS) and attempts per stage with --once. */
  stageBackoff: { minMs: number; maxMs: number };
  onceAttempts: number;
  /** Where a run writes its final metrics (textfile-collector format) when it ends: GRIDSTREAM_METRICS_FILE. */
  metricsFile: string | undefined;
  redisMemoryBudget: number;
  logLevel: string;
  /** GRIDSTREAM_NAMESPACE: '' is the production namespace; the demo and the tests run in their own (runtime/namespace.ts). */
  namespace: string;
}

type Env = Record<string, string | undefined>;

export const NAMESPACE_ENV = 'GRIDSTREAM_NAMESPACE';

/** The HTTP server's port when neither GRIDSTREAM_HTTP_PORT nor METRICS_PORT is set. */
export const DEFAULT_HTTP_PORT = 9464;

function brokers(raw: string): string[] {
  const list = raw.split(',').map((b) => b.trim()).filter(Boolean);
  for (const b of list) {
    if (!/^[^\s:]+:\d{1,5}$/.test(b)) throw new ConfigError('KAFKA_BROKERS', `"${b}" is not host:port`);
  }
  return list;
}

function sasl(s: Settings): KafkaConfig['sasl'] {
  const mechanism = s.KAFKA_SASL_MECHANISM;
  if (!mechanism) return undefined;
  if (!s.KAFKA_SASL_USERNAME) throw new ConfigError('KAFKA_SASL_USERNAME', 'required when KAFKA_SASL_MECHANISM is set');
  if (!s.KAFKA_SASL_PASSWORD) throw new ConfigError('KAFKA_SASL_PASSWORD', 'required when KAFKA_SASL_MECHANISM is set');
  return { mechanism, username: s.KAFKA_SASL_USERNAME, password: s.KAFKA_SASL_PASSWORD };
}

export function loadConfig(env: Env = process.env): Config {
  const s = readSettings(env);
  const saslConfig = sasl(s);
  return {
    kafka: {
      brokers: brokers(s.KAFKA_BROKERS ?? `127.0.0.1:${s.STACK_KAFKA_PORT}`),
      clientId: s.KAFKA_CLIENT_ID,
      ssl: s.KAFKA_SSL,
      ...(saslConfig ? { sasl: saslConfig } : {}),
    },
    registryUrl: (s.SCHEMA_REGISTRY_URL ?? `http://127.0.0.1:${s.STACK_REGISTRY_PORT}/apis/ccompat/v7`).replace(/\/$/, ''),
    databaseUrl: s.DATABASE_URL ?? `postgres://gridstream@127.0.0.1:${s.STACK_POSTGRES_PORT}/gridstream`,
    redisUrl: s.REDIS_URL ?? `redis://127.0.0.1:${s.STACK_REDIS_PORT}`,
    external: {
      kafka: s.KAFKA_BROKERS !== undefined,
      registry: s.SCHEMA_REGISTRY_URL !== undefined,
      postgres: s.DATABASE_URL !== undefined,
      redis: s.REDIS_URL !== undefined,
    },
    metricsPort: s.METRICS_PORT,
    http: {
      host: s.GRIDSTREAM_HTTP_HOST,
      // METRICS_PORT was the metrics server's port before this server existed; it still works.
      port: s.GRIDSTREAM_HTTP_PORT ?? s.METRICS_PORT ?? DEFAULT_HTTP_PORT,
      // How often the status page's hour of throughput and lag is sampled.
      historySampleMs: s.GRIDSTREAM_HISTORY_SAMPLE_MS,
    },
    stageBackoff: { minMs: s.GRIDSTREAM_BACKOFF_MIN_MS, maxMs: s.GRIDSTREAM_BACKOFF_MAX_MS },
    onceAttempts: s.GRIDSTREAM_ONCE_ATTEMPTS,
    metricsFile: s.GRIDSTREAM_METRICS_FILE,
    redisMemoryBudget: s.REDIS_MEMORY_BUDGET,
    logLevel: s.LOG_LEVEL,
    namespace: s.GRIDSTREAM_NAMESPACE,
  };
}

let cached: Config | undefined;
/** The process's configuration, read once. */
export function config(): Config {
  cached ??= loadConfig();
  return cached;
}
