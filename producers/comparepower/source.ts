// The ComparePower source: one GET per TDSP refreshes every plan of every city that TDSP serves. A poll syncs the
// TDSPs that are due (priority ones hourly, all daily; schedule.ts) plus those the plans API asked for, each as one
// batch = its plans + a sync-complete marker + the cursor, in one Kafka transaction: the marker is published only
// with every plan of its sync, so the sink can deactivate the plans a completed sync did not see.
//
// HTTP through runtime/http.ts: ≤ 25 requests/s, retries with full jitter honouring Retry-After, a circuit breaker
// (5 consecutive failures open it, a trial after 60 s). The client lives as long as the component, so the breaker's
// state outlives a poll and a stage restart. Every call is logged with url, status and ms.
import { randomUUID } from 'node:crypto';
import type { SourceComponent } from '../../runtime/components.js';
import { createHttpClient, type HttpClient, type HttpClientOptions } from '../../runtime/http.js';
import { log, safeUrl } from '../../runtime/log.js';
import { metrics } from '../../runtime/metrics.js';
import { sharedRedis } from '../../runtime/redis-views.js';
import { readSetting } from '../../runtime/settings.js';
import type { SourceBatch, SourceContext } from '../../runtime/types.js';
import type { RawPlanListing } from '../../schemas/comparepower/records.js';
import { PRIORITY_TDSPS, TDSPS, findTdsp } from '../../schemas/comparepower/tdsp.js';
import { comparePowerTopics, syncRequestsKey, type ComparePowerTopics } from '../../schemas/comparepower/topics.js';
import { COMPAREPOWER_API_URL, plansUrl, syncRecords } from './api.js';
import { dueTdsps, type ComparePowerCursor } from './schedule.js';

export interface ComparePowerSourceOptions {
  /** `produce comparepower --datasets oncor,957877905`: sync these now, whatever the schedule says. */
  datasets?: string[];
}

export interface ComparePowerSourceConfig {
  name?: string;
  topics?: ComparePowerTopics;
  /** Queue id the plans API writes sync requests to (default: the flow id). */
  queueId?: string;
  baseUrl?: string;
  tdsps?: string[];
  priority?: string[];
  priorityEveryMs?: number;
  allEveryMs?: number;
  /** How often continuous mode looks for due TDSPs. */
  pollEveryMs?: number;
  /** A requested TDSP synced less than this long ago is not synced again. */
  requestedMinMs?: number;
  http?: Partial<HttpClientOptions>;
  now?: () => number;
}

export class SyncFailed extends Error {}

export function comparePowerSourceComponent(cfg: ComparePowerSourceConfig = {}): SourceComponent<RawPlanListing, ComparePowerCursor, ComparePowerSourceOptions> {
  const name = cfg.name ?? 'comparepower';
  const topics = cfg.topics ?? comparePowerTopics();
  const now = cfg.now ?? Date.now;
  const queue = syncRequestsKey(cfg.queueId ?? 'comparepower');
  let http: HttpClient | undefined;
  const client = () =>
    (http ??= createHttpClient({
      source: name,
      requestsPerSecond: readSetting('COMPAREPOWER_REQUESTS_PER_SECOND'),
      concurrency: 5,
      timeoutMs: 15_000,
      retries: 5,
      minDelayMs: 1_000,
      maxDelayMs: 16_000,
      maxRetryAfterMs: 120_000,
      circuitBreaker: { failureThreshold: 5, resetMs: readSetting('COMPAREPOWER_BREAKER_RESET_MS') },
      onRequest: (i) => {
        metrics.httpRequests.inc({ source: i.source, status: String(i.status) });
        log.info({ source: i.source, url: safeUrl(i.url), status: i.status, ms: Math.round(i.ms) }, 'comparepower call');
      },
      ...cfg.http,
    }));

  /** TDSPs the plans API asked for since the last poll (taken off the queue; Redis away = none). */
  async function requested(): Promise<string[]> {
    try {
      return (await sharedRedis().spop(queue, 100)) ?? [];
    } catch (err) {
      log.warn({ source: name, err: (err as Error).message }, 'sync requests not read');
      return [];
    }
  }

  async function* read(cursor: ComparePowerCursor | undefined, options: ComparePowerSourceOptions, ctx: SourceContext): AsyncGenerator<SourceBatch<RawPlanListing, ComparePowerCursor>> {
    // Read at run time, not import: the demo and tests point the source at a double just before the run.
    const base = cfg.baseUrl ?? readSetting('COMPAREPOWER_API_URL') ?? COMPAREPOWER_API_URL;
    const tdsps = cfg.tdsps ?? TDSPS.map((t) => t.duns);
    let c: ComparePowerCursor = { synced: { ...(cursor?.synced ?? {}) } };
    const t0 = now();
    let due: string[];
    if (options.datasets?.length) {
      due = options.datasets.map((d) => {
        const t = findTdsp(d);
        if (!t) throw new Error(`unknown TDSP ${JSON.stringify(d)} (expected a DUNS or one of ${TDSPS.map((x) => x.slug).join(', ')})`);
        return t.duns;
      });
    } else {
      const schedule = {
        tdsps,
        priority: cfg.priority ?? readSetting('COMPAREPOWER_PRIORITY_TDSPS')?.split(',').map((s) => findTdsp(s)?.duns ?? s.trim()) ?? [...PRIORITY_TDSPS],
        priorityEveryMs: cfg.priorityEveryMs ?? readSetting('COMPAREPOWER_PRIORITY_EVERY_MS'),
        allEveryMs: cfg.allEveryMs ?? readSetting('COMPAREPOWER_ALL_EVERY_MS'),
        requestedMinMs: cfg.requestedMinMs ?? 5 * 60_000,
      };
      due = dueTdsps(schedule, c, t0, await requested());
    }
    const failed: string[] = [];
    let done = 0;
    for (const duns of due) {
      ctx.signal.throwIfAborted();
      const url = plansUrl(base, duns);
      const startedAt = now();
      const syncId = `${duns}-${new Date(startedAt).toISOString()}-${randomUUID().slice(0, 8)}`;
      try {
        const res = await client().get(url, { headers: { accept: 'application/json' }, signal: ctx.signal });
        const parsed = syncRecords(res.body.toString('utf8'), { syncId, startedAt, fetchedAt: now(), tdspDuns: duns, url });
        // An empty list is far likelier an upstream fault than a TDSP with no plans: completing the sync would
        // deactivate every plan of the TDSP, so it is treated as a failed sync and the last good data stays.
        if (parsed.plans === 0) throw new Error('the API returned no plans');
        c = { synced: { ...c.synced, [duns]: startedAt } };
        log.info({ source: name, tdsp: duns, syncId, plans: parsed.plans, rejected: parsed.deadLetters.length }, 'comparepower sync complete');
        yield { records: parsed.records, deadLetters: parsed.deadLetters, cursor: c };
      } catch (err) {
        if (ctx.signal.aborted) throw err;
        failed.push(duns);
        log.error({ source: name, tdsp: duns, url: safeUrl(url), err: (err as Error).message }, 'comparepower sync failed: the last good plans stay served');
      }
      ctx.progress?.(++done, due.length);
    }
    if (failed.length) throw new SyncFailed(`comparepower: sync of ${failed.length} of ${due.length} TDSP(s) failed: ${failed.join(', ')}`);
  }

  return {
    kind: 'source',
    name,
    topics: [topics.raw],
    source: { name, read },
    pollEveryMs: cfg.pollEveryMs ?? 60_000,
  };
}
