// Every endpoint and knob comes from the environment. A variable that is set names an existing service, and the
// local stack leaves that service alone; an unset one defaults to the local stack's address.
import { STACK_PORTS } from './stack-ports.js';

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
  }
}

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
}

type Env = Record<string, string | undefined>;

/** The HTTP server's port when neither GRIDSTREAM_HTTP_PORT nor METRICS_PORT is set. */
export const DEFAULT_HTTP_PORT = 9464;

const localDefaults = {
  brokers: `127.0.0.1:${STACK_PORTS.kafka}`,
  registryUrl: `http://127.0.0.1:${STACK_PORTS.registry}/apis/ccompat/v7`,
  databaseUrl: `postgres://gridstream@127.0.0.1:${STACK_PORTS.postgres}/gridstream`,
  redisUrl: `redis://127.0.0.1:${STACK_PORTS.redis}`,
};

function nonEmpty(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

function url(env: Env, name: string, protocols: string[], fallback: string): string {
  const raw = nonEmpty(env, name) ?? fallback;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, `not a URL (expected ${protocols.map((p) => `${p}//…`).join(' or ')})`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `protocol ${parsed.protocol} not supported (expected ${protocols.join(' or ')})`);
  }
  return raw;
}

function brokers(env: Env): string[] {
  const raw = nonEmpty(env, 'KAFKA_BROKERS') ?? localDefaults.brokers;
  const list = raw.split(',').map((b) => b.trim()).filter(Boolean);
  for (const b of list) {
    if (!/^[^\s:]+:\d{1,5}$/.test(b)) throw new ConfigError('KAFKA_BROKERS', `"${b}" is not host:port`);
  }
  return list;
}

function sasl(env: Env): KafkaConfig['sasl'] {
  const mechanism = nonEmpty(env, 'KAFKA_SASL_MECHANISM')?.toLowerCase();
  if (!mechanism) return undefined;
  if (mechanism !== 'plain' && mechanism !== 'scram-sha-256' && mechanism !== 'scram-sha-512') {
    throw new ConfigError('KAFKA_SASL_MECHANISM', 'expected plain, scram-sha-256 or scram-sha-512');
  }
  const username = nonEmpty(env, 'KAFKA_SASL_USERNAME');
  const password = env.KAFKA_SASL_PASSWORD;
  if (!username) throw new ConfigError('KAFKA_SASL_USERNAME', 'required when KAFKA_SASL_MECHANISM is set');
  if (!password) throw new ConfigError('KAFKA_SASL_PASSWORD', 'required when KAFKA_SASL_MECHANISM is set');
  return { mechanism, username, password };
}

function int(env: Env, name: string, fallback: number | undefined, min: number, max: number): number | undefined {
  const raw = nonEmpty(env, name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(name, `expected an integer ${min}..${max}`);
  return n;
}

function fraction(env: Env, name: string, fallback: number): number {
  const raw = nonEmpty(env, name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!(n > 0 && n <= 1)) throw new ConfigError(name, 'expected a number in (0, 1]');
  return n;
}

function bool(env: Env, name: string): boolean {
  const raw = nonEmpty(env, name)?.toLowerCase();
  if (raw === undefined) return false;
  if (['1', 'true', 'yes'].includes(raw)) return true;
  if (['0', 'false', 'no'].includes(raw)) return false;
  throw new ConfigError(name, 'expected true or false');
}

export function loadConfig(env: Env = process.env): Config {
  const saslConfig = sasl(env);
  return {
    kafka: {
      brokers: brokers(env),
      clientId: nonEmpty(env, 'KAFKA_CLIENT_ID') ?? 'gridstream',
      ssl: bool(env, 'KAFKA_SSL'),
      ...(saslConfig ? { sasl: saslConfig } : {}),
    },
    registryUrl: url(env, 'SCHEMA_REGISTRY_URL', ['http:', 'https:'], localDefaults.registryUrl).replace(/\/$/, ''),
    databaseUrl: url(env, 'DATABASE_URL', ['postgres:', 'postgresql:'], localDefaults.databaseUrl),
    redisUrl: url(env, 'REDIS_URL', ['redis:', 'rediss:'], localDefaults.redisUrl),
    external: {
      kafka: nonEmpty(env, 'KAFKA_BROKERS') !== undefined,
      registry: nonEmpty(env, 'SCHEMA_REGISTRY_URL') !== undefined,
      postgres: nonEmpty(env, 'DATABASE_URL') !== undefined,
      redis: nonEmpty(env, 'REDIS_URL') !== undefined,
    },
    metricsPort: int(env, 'METRICS_PORT', undefined, 0, 65535),
    http: {
      host: nonEmpty(env, 'GRIDSTREAM_HTTP_HOST') ?? '127.0.0.1',
      // METRICS_PORT was the metrics server's port before this server existed; it still works.
      port: int(env, 'GRIDSTREAM_HTTP_PORT', undefined, 0, 65535) ?? int(env, 'METRICS_PORT', undefined, 0, 65535) ?? DEFAULT_HTTP_PORT,
      // How often the status page's hour of throughput and lag is sampled.
      historySampleMs: int(env, 'GRIDSTREAM_HISTORY_SAMPLE_MS', 10_000, 100, 600_000)!,
    },
    stageBackoff: { minMs: int(env, 'GRIDSTREAM_BACKOFF_MIN_MS', 1000, 1, 3_600_000)!, maxMs: int(env, 'GRIDSTREAM_BACKOFF_MAX_MS', 60_000, 1, 3_600_000)! },
    onceAttempts: int(env, 'GRIDSTREAM_ONCE_ATTEMPTS', 3, 1, 100)!,
    metricsFile: nonEmpty(env, 'GRIDSTREAM_METRICS_FILE'),
    redisMemoryBudget: fraction(env, 'REDIS_MEMORY_BUDGET', 0.8),
    logLevel: nonEmpty(env, 'LOG_LEVEL') ?? 'info',
  };
}

let cached: Config | undefined;
/** The process's configuration, read once. */
export function config(): Config {
  cached ??= loadConfig();
  return cached;
}
