// The AEMO NEMWEB source. Continuous mode lists the Current dirs and publishes each new 5-/30-minute file as one
// batch, so a file's rows and the cursor that marks it done commit in one Kafka transaction. Backfill mode
// ({from, to}) reads the Current dir, the daily/weekly nested archives or the MMSDM monthly tables, whichever holds
// each day (backfill.ts plans it). All HTTP goes through createHttpClient (pacing, retries, circuit breaker).
import type { SourceComponent } from '../../runtime/components.js';
import { createHttpClient } from '../../runtime/http.js';
import type { HttpClient, HttpClientOptions } from '../../runtime/http.js';
import { metrics } from '../../runtime/metrics.js';
import { parseWants } from './backfill.js';
import { aemoRawTopicSpecs, type AemoWant } from '../../schemas/aemo/topics.js';
import { NEMWEB } from './files.js';
import type { RawDispatchPrice, RawInterconnectorRes, RawRooftopActual, RawUnitScada } from '../../schemas/aemo/raw.js';
import { poll } from './live.js';
import { backfill } from './backfill-read.js';
import { type Run } from './run.js';
import { type AemoCursor } from './cursor.js';
import { readSetting } from '../../runtime/settings.js';

export type { AemoCursor, BackfillCursor, LiveCursor } from './cursor.js';
export { markLive } from './cursor.js';

export type AemoRawValue = RawUnitScada | RawDispatchPrice | RawInterconnectorRes | RawRooftopActual;

/** The source's options (CLI flags). Without `from`/`to` it polls the Current dirs. */
export interface AemoOptions {
  /** Backfill: first and last NEM calendar day, `YYYY-MM-DD`. */
  from?: string;
  to?: string;
  /** Subset of scada, price, interconnector, rooftop (array or comma list); default all. Applies to both modes. */
  datasets?: string | AemoWant[];
  /** Pretend it is this instant (ms or ISO) when choosing Current / Archive / MMSDM: for tests and reruns. */
  now?: number | string;
  /** Backfill a range again even if an earlier run of the same range finished (gap repair). */
  refetch?: boolean;
  /** Polls a truncated live file is retried on before it is dead-lettered (default 3). */
  truncatedRetries?: number;
  /** Rows per batch when reading an MMSDM monthly table (default 10 000). */
  rowsPerBatch?: number;
}

export interface AemoSourceConfig {
  /** Source name (cursor key, transactional id); default `aemo`. */
  name?: string;
  /** Raw topic prefix; default `raw.aemo` (topics `<prefix>.unit_scada`, …). Tests use their own. */
  topicPrefix?: string;
  /** Default: AEMO_BASE_URL, read when a run starts, else https://nemweb.com.au. */
  baseUrl?: string;
  pollEveryMs?: number;
  /** How long names of live files stay in the cursor (default 48 h: the Current dir holds about 2-3 days). */
  keepHours?: number;
  /** HTTP client overrides (tests shorten the backoff). */
  http?: Partial<Omit<HttpClientOptions, 'source'>>;
}

/** NEMWEB is reported to answer 406 to non-browser clients; the reference sends a browser User-Agent. */
export const BROWSER_USER_AGENT = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36';

/**
 * Which table a raw value is. The values carry no table field, but each schema has a column no other has, and
 * records.ts always sets every column (null when absent), so the key is always present.
 */
export function rawTableOf(v: AemoRawValue): AemoWant {
  if ('duid' in v) return 'scada';
  if ('interconnectorid' in v) return 'interconnector';
  if ('interval_datetime' in v) return 'rooftop';
  if ('rrp' in v) return 'price';
  throw new Error('not a raw AEMO value (no duid, interconnectorid, interval_datetime or rrp field)');
}

export function aemoSource(config: AemoSourceConfig = {}): SourceComponent<AemoRawValue, AemoCursor, AemoOptions> {
  const name = config.name ?? 'aemo';
  const specs = aemoRawTopicSpecs(config.topicPrefix);
  const clients = new Map<string, HttpClient>();
  // One client per base URL for the component's life, so pacing and the circuit breaker span polls.
  const clientFor = (base: string): HttpClient => {
    const existing = clients.get(base);
    if (existing) return existing;
    // Paced for nemweb.com.au; a local stand-in (demo, tests, benchmark) is not a public server to be polite to.
    const local = /^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:|\/|$)/.test(base);
    const client = createHttpClient({
      source: 'aemo',
      userAgent: BROWSER_USER_AGENT,
      ...(local ? {} : { requestsPerSecond: 10 }),
      concurrency: 2,
      retries: 4,
      circuitBreaker: { failureThreshold: 5, resetMs: 60_000 },
      onRequest: (i) => metrics.httpRequests.inc({ source: i.source, status: String(i.status) }),
      ...config.http,
    });
    clients.set(base, client);
    return client;
  };
  return {
    kind: 'source',
    name,
    // Unit SCADA first: the runner sends a batch's dead letters (whole unreadable files) to the dead-letter topic of
    // a source's first topic, `dlq.<prefix>.unit_scada`.
    topics: [specs.scada, specs.price, specs.interconnector, specs.rooftop],
    topicOf: (v) => specs[rawTableOf(v)].name,
    pollEveryMs: config.pollEveryMs ?? 30_000,
    source: {
      name,
      read(cursor, options, ctx) {
        const base = (config.baseUrl ?? readSetting('AEMO_BASE_URL') ?? NEMWEB).replace(/\/+$/, '');
        const run: Run = {
          http: clientFor(base),
          base,
          wants: parseWants(options.datasets),
          keepMs: (config.keepHours ?? 48) * 3600_000,
          truncatedRetries: options.truncatedRetries ?? 3,
          rowsPerBatch: options.rowsPerBatch ?? 10_000,
          now: options.now === undefined ? Date.now() : typeof options.now === 'number' ? options.now : Date.parse(options.now),
          ctx,
          state: cursor ? structuredClone(cursor) : { v: 1, live: {} },
        };
        if (Number.isNaN(run.now)) throw new Error(`now: not a time: ${JSON.stringify(options.now)}`);
        if (options.from !== undefined || options.to !== undefined) {
          const from = options.from ?? options.to!;
          return backfill(run, { from, to: options.to ?? from, wants: run.wants }, options.refetch === true);
        }
        return poll(run);
      },
    },
  };
}
