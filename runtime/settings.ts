// Every environment variable gridstream reads, in one schema (zod): its type, default and meaning. `readSettings`
// validates all of them and names the first bad one in a one-line ConfigError; runtime/config.ts builds the
// process's configuration from them, and the README's configuration table is generated from this list.
//
// Sources' variables are listed here too (the one schema), but read when a run starts, not cached: the demo and the
// tests point a source at a local server by setting its variable just before the run.
import { z } from 'zod';

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
  }
}

export type SettingGroup = 'endpoints' | 'runtime' | 'sources' | 'stack';

export interface Setting<T> {
  group: SettingGroup;
  schema: z.ZodType<T>;
  /** The default as the README shows it (the schema applies it); undefined: unset means off or absent. */
  shown: string;
  doc: string;
}

type Env = Record<string, string | undefined>;

const setting = <T>(group: SettingGroup, schema: z.ZodType<T>, shown: string, doc: string): Setting<T> => ({ group, schema, shown, doc });

// Unset and empty are the same: an empty variable in a compose file or a CI matrix means "not set".
const optionalText = z.string().trim().optional().transform((v) => (v ? v : undefined));
const text = (fallback: string) => optionalText.transform((v) => v ?? fallback);

const number = (o: { fallback?: number; min?: number; max?: number; integer?: boolean }) =>
  optionalText.transform((raw, ctx) => {
    if (raw === undefined) return o.fallback;
    const n = Number(raw);
    const bounds = `${o.min ?? '-∞'}..${o.max ?? '∞'}`;
    if (!Number.isFinite(n) || (o.integer && !Number.isInteger(n)) || (o.min !== undefined && n < o.min) || (o.max !== undefined && n > o.max)) {
      ctx.addIssue({ code: 'custom', message: `expected ${o.integer ? 'an integer' : 'a number'} in ${bounds}, got ${JSON.stringify(raw)}` });
      return z.NEVER;
    }
    return n;
  });

const port = (fallback: number) => number({ fallback, min: 1, max: 65535, integer: true }) as z.ZodType<number>;
const millis = (fallback: number) => number({ fallback, min: 1, integer: true }) as z.ZodType<number>;

const flag = optionalText.transform((raw, ctx) => {
  if (raw === undefined) return false;
  const v = raw.toLowerCase();
  if (['1', 'true', 'yes'].includes(v)) return true;
  if (['0', 'false', 'no'].includes(v)) return false;
  ctx.addIssue({ code: 'custom', message: `expected true or false, got ${JSON.stringify(raw)}` });
  return z.NEVER;
});

const urlOf = (protocols: string[]) =>
  optionalText.transform((raw, ctx) => {
    if (raw === undefined) return undefined;
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      ctx.addIssue({ code: 'custom', message: `not a URL (expected ${protocols.map((p) => `${p}//…`).join(' or ')})` });
      return z.NEVER;
    }
    if (!protocols.includes(parsed.protocol)) {
      ctx.addIssue({ code: 'custom', message: `protocol ${parsed.protocol} not supported (expected ${protocols.join(' or ')})` });
      return z.NEVER;
    }
    return raw;
  });

const oneOf = <T extends string>(values: readonly T[], fallback?: T) =>
  optionalText.transform((raw, ctx) => {
    if (raw === undefined) return fallback;
    const v = raw.toLowerCase() as T;
    if (!values.includes(v)) {
      ctx.addIssue({ code: 'custom', message: `expected one of ${values.join(', ')}, got ${JSON.stringify(raw)}` });
      return z.NEVER;
    }
    return v;
  });

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** A namespace name: it becomes a topic and group prefix, a Postgres schema and a Redis key prefix, so it stays plain. */
export const NAMESPACE_PATTERN = /^[a-z][a-z0-9_]{0,30}$/;

export const SETTINGS = {
  // ---- endpoints: a variable that is set names an existing service, and the local stack leaves it alone ----
  KAFKA_BROKERS: setting('endpoints', optionalText, '127.0.0.1:19092', 'comma-separated `host:port` list'),
  KAFKA_SSL: setting('endpoints', flag, 'false', 'TLS to the brokers'),
  KAFKA_SASL_MECHANISM: setting('endpoints', oneOf(['plain', 'scram-sha-256', 'scram-sha-512'] as const), 'unset', '`plain`, `scram-sha-256` or `scram-sha-512`'),
  KAFKA_SASL_USERNAME: setting('endpoints', optionalText, 'unset', 'SASL user (required with a mechanism)'),
  KAFKA_SASL_PASSWORD: setting('endpoints', optionalText, 'unset', 'SASL password (required with a mechanism; never logged)'),
  KAFKA_CLIENT_ID: setting('endpoints', text('gridstream'), 'gridstream', 'Kafka client id'),
  SCHEMA_REGISTRY_URL: setting('endpoints', urlOf(['http:', 'https:']), 'http://127.0.0.1:18081/apis/ccompat/v7', 'any Confluent-compatible registry'),
  DATABASE_URL: setting('endpoints', urlOf(['postgres:', 'postgresql:']), 'postgres://gridstream@127.0.0.1:15432/gridstream', 'Postgres'),
  REDIS_URL: setting('endpoints', urlOf(['redis:', 'rediss:']), 'redis://127.0.0.1:16379', 'Redis'),

  // ---- runtime ----
  GRIDSTREAM_NAMESPACE: setting(
    'runtime',
    optionalText.refine((v) => v === undefined || NAMESPACE_PATTERN.test(v), { message: `not a namespace (expected ${NAMESPACE_PATTERN.source}; empty for the production namespace)` }).transform((v) => v ?? ''),
    'unset (the production namespace)',
    'run in namespace `ns` (`[a-z][a-z0-9_]{0,30}`): topics, consumer groups and transactional ids `ns.<name>` (so subjects `ns.<topic>-value`), Postgres schema `ns`, Redis keys `ns:…`; see [Namespaces](#namespaces)',
  ),
  REDIS_MEMORY_BUDGET: setting('runtime', number({ fallback: 0.8, min: 0.01, max: 1 }) as z.ZodType<number>, '0.8', 'share of `maxmemory` views may fill; lower-priority views are refused first (normal at 90 %, low at 80 % of it)'),
  RAW_RETENTION_MS: setting('runtime', number({ fallback: -1, min: -1, integer: true }) as z.ZodType<number>, '-1 (keep all)', 'retention of raw topics (replay reads them)'),
  METRICS_PORT: setting('runtime', number({ min: 0, max: 65535, integer: true }), 'unset', 'serve Prometheus metrics on `127.0.0.1:<port>/metrics`'),
  LOG_LEVEL: setting('runtime', oneOf(LOG_LEVELS, 'info') as z.ZodType<(typeof LOG_LEVELS)[number]>, 'info', `pino level: ${LOG_LEVELS.join(', ')}`),
  GRIDSTREAM_SESSION_TIMEOUT_MS: setting('runtime', millis(30_000), '30000', 'consumer group session timeout; a stage silent this long loses its partitions'),
  GRIDSTREAM_FETCH_MAX_BYTES: setting('runtime', number({ fallback: 1024 * 1024, min: 1024, integer: true }) as z.ZodType<number>, '1048576', 'bytes fetched per partition at a time'),
  GRIDSTREAM_HEAP_GROWING_PERCENT: setting(
    'runtime',
    number({ fallback: 50, min: 0, max: 1000, integer: true }) as z.ZodType<number>,
    '50',
    'how far V8 lets the heap grow past its live size before the next full collection (0: V8 decides, up to 4×); 50 keeps `run` under 300 MB RSS at no measured cost',
  ),
  GRIDSTREAM_DRAIN_IDLE_MS: setting('runtime', millis(15_000), '15000', '`--once` and replays: how long a partition short of its end may fetch nothing before it counts as drained'),
  GRIDSTREAM_REGISTRY_TIMEOUT_MS: setting('runtime', millis(10_000), '10000', 'one schema registry request; an outage is waited out, never treated as bad data'),
  GRIDSTREAM_REGISTRY_MAX_BACKOFF_MS: setting('runtime', millis(10_000), '10000', 'longest wait between tries while the registry is away'),
  GRIDSTREAM_HTTP_HOST: setting('runtime', text('127.0.0.1'), '127.0.0.1', 'address of the process HTTP server (`/`, `/healthz`, `/readyz`, `/metrics`, `/status.json`)'),
  GRIDSTREAM_HTTP_PORT: setting('runtime', number({ min: 0, max: 65535, integer: true }), '9464 (or METRICS_PORT)', 'port of the process HTTP server; taken: logged, and the command runs without it'),
  GRIDSTREAM_HISTORY_SAMPLE_MS: setting('runtime', number({ fallback: 10_000, min: 100, max: 600_000, integer: true }) as z.ZodType<number>, '10000', 'how often the status page samples throughput and lag (one hour kept)'),
  GRIDSTREAM_LAG_SAMPLE_MS: setting('runtime', number({ fallback: 10_000, min: 100, max: 600_000, integer: true }) as z.ZodType<number>, '10000', 'how often `gridstream_consumer_lag_records` is sampled'),
  GRIDSTREAM_BACKOFF_MIN_MS: setting('runtime', number({ fallback: 1000, min: 1, max: 3_600_000, integer: true }) as z.ZodType<number>, '1000', 'a failed stage waits at least this long before its restart'),
  GRIDSTREAM_BACKOFF_MAX_MS: setting('runtime', number({ fallback: 60_000, min: 1, max: 3_600_000, integer: true }) as z.ZodType<number>, '60000', 'and at most this long (capped exponential backoff with jitter)'),
  GRIDSTREAM_ONCE_ATTEMPTS: setting('runtime', number({ fallback: 3, min: 1, max: 100, integer: true }) as z.ZodType<number>, '3', '`--once`: tries per stage before it is reported failed'),
  GRIDSTREAM_METRICS_FILE: setting('runtime', optionalText, 'unset', '`--once`: write the final metrics to this file (textfile-collector format)'),
  GRIDSTREAM_HOME: setting('runtime', optionalText, 'the checkout, or `$XDG_DATA_HOME/gridstream` when installed', 'where gridstream keeps its own files (the local stack under `.stack/`)'),

  // ---- sources ----
  AEMO_BASE_URL: setting('sources', urlOf(['http:', 'https:']), 'https://nemweb.com.au', 'NEMWEB (or a mirror)'),
  ELEXON_BASE_URL: setting('sources', urlOf(['http:', 'https:']), 'https://data.elexon.co.uk/bmrs/api/v1', 'Elexon Insights API'),
  ELEXON_REQUESTS_PER_MINUTE: setting('sources', number({ min: 1 }), '4000', 'Elexon request rate'),
  ELEXON_BMU_MAPPING: setting('sources', optionalText, 'unset', 'a BMU mapping file in the old `bmuMapping.json` format; overrides the API reference per unit'),
  BTC_MINER_MODELS: setting('sources', optionalText, 'the built-in models', 'bitcoin miner models for the potential figures (`NAME:TH/s:W,…` or JSON)'),
  COMPAREPOWER_API_URL: setting('sources', urlOf(['http:', 'https:']), 'https://pricing.api.comparepower.com', 'ComparePower pricing API (Texas electricity plans)'),
  COMPAREPOWER_PRIORITY_TDSPS: setting('sources', optionalText, 'Oncor, CenterPoint', 'TDSPs (DUNS or slugs, comma-separated) synced every `COMPAREPOWER_PRIORITY_EVERY_MS`'),
  COMPAREPOWER_PRIORITY_EVERY_MS: setting('sources', millis(3_600_000), '3600000', 'sync interval of the priority TDSPs'),
  COMPAREPOWER_ALL_EVERY_MS: setting('sources', millis(86_400_000), '86400000', 'sync interval of every TDSP'),
  COMPAREPOWER_REQUESTS_PER_SECOND: setting('sources', number({ fallback: 25, min: 0.01, max: 25 }) as z.ZodType<number>, '25', 'ComparePower request rate (at most 25/s)'),
  COMPAREPOWER_BREAKER_RESET_MS: setting('sources', millis(60_000), '60000', 'how long the ComparePower circuit stays open before a trial request'),
  COMPAREPOWER_CACHE_TTL_MS: setting('sources', number({ fallback: 5_000, min: 0, integer: true }) as z.ZodType<number>, '5000', '`serve`: how long `/api/plans` keeps a TDSP\'s plans in memory (0: no memory cache)'),
  COMPAREPOWER_STALE_AFTER_MS: setting('sources', millis(7_200_000), '7200000', '`serve`: plans whose last completed sync is older are answered with `X-Data-Stale: true`'),
  BTC_DIFFICULTY_URL: setting('sources', urlOf(['http:', 'https:']), 'unset', 'CSV of bitcoin difficulty per date for `load btc-difficulty` without a file'),
  NESO_BASE_URL: setting('sources', urlOf(['http:', 'https:']), 'https://api.neso.energy', 'NESO CKAN (Capacity Market Register `datastore_search`)'),
  NESO_THROTTLE_MS: setting('sources', number({ min: 0, integer: true }), '1500', 'pause between NESO CKAN requests (the old crawler slept 1–1.5 s)'),
  POSTCODES_URL: setting('sources', urlOf(['http:', 'https:']), 'unset (postcode geocoding off)', 'a postcodes.io-compatible API (`POST /postcodes`, 100 per call), e.g. https://api.postcodes.io'),
  GEOCODER_URL: setting('sources', urlOf(['http:', 'https:']), 'unset (free-text geocoding off)', 'a Nominatim-compatible API (`/search?format=jsonv2`) for locations without a postcode'),
  GEOCODER_REQUESTS_PER_SECOND: setting('sources', number({ min: 0.01 }), '1', 'free-text geocoder rate (Nominatim policy: at most 1/s)'),
  TORONTO_CKAN_URL: setting('sources', urlOf(['http:', 'https:']), 'https://ckan0.cf.opendata.inter.prod-toronto.ca', 'Toronto Open Data CKAN (package_show, resource downloads)'),

  // ---- the local stack (`gridstream stack up`) ----
  STACK_KAFKA_PORT: setting('stack', port(19092), '19092', 'Kafka listener'),
  STACK_KAFKA_CONTROLLER_PORT: setting('stack', port(19093), '19093', 'Kafka KRaft controller'),
  STACK_REGISTRY_PORT: setting('stack', port(18081), '18081', 'Apicurio Registry'),
  STACK_REGISTRY_MANAGEMENT_PORT: setting('stack', port(19001), '19001', 'Apicurio management (health)'),
  STACK_POSTGRES_PORT: setting('stack', port(15432), '15432', 'PostgreSQL'),
  STACK_REDIS_PORT: setting('stack', port(16379), '16379', 'Redis'),
  STACK_REDIS_MAXMEMORY: setting('stack', text('1gb'), '1gb', 'the stack Redis `maxmemory` (views must fit in its budget)'),
  GRIDSTREAM_STACK_DIR: setting('stack', optionalText, '`$GRIDSTREAM_HOME/.stack`', 'where the local stack keeps its files'),
  GRIDSTREAM_KAFKA_JAVA: setting('stack', optionalText, '`java` on PATH', 'the Java 17+ that runs Kafka'),
  GRIDSTREAM_REGISTRY_JAVA: setting('stack', optionalText, 'a JDK 21+ under /usr/lib/jvm, or `JAVA_HOME`', 'the Java 21+ that runs Apicurio Registry'),
} as const;

export type SettingName = keyof typeof SETTINGS;
export type Settings = { [K in SettingName]: (typeof SETTINGS)[K] extends Setting<infer T> ? T : never };

/** One variable, validated; a bad value is a ConfigError naming it. */
export function readSetting<K extends SettingName>(name: K, env: Env = process.env): Settings[K] {
  const r = (SETTINGS[name].schema as z.ZodType<Settings[K]>).safeParse(env[name]);
  if (!r.success) throw new ConfigError(name, r.error.issues[0]?.message ?? 'invalid');
  return r.data;
}

/** Every variable, validated (the first bad one throws). */
export function readSettings(env: Env = process.env): Settings {
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(SETTINGS) as SettingName[]) out[name] = readSetting(name, env);
  return out as Settings;
}

/** The README's configuration table. */
export function settingsTable(): string {
  const rows = (Object.entries(SETTINGS) as [string, Setting<unknown>][]).map(([name, s]) => `| \`${name}\` | ${s.group} | ${s.shown} | ${s.doc} |`);
  return ['| variable | group | default | meaning |', '|---|---|---|---|', ...rows].join('\n');
}
