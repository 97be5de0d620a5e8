// The plans API on the process's HTTP server (mounted like `gridstream serve` does), over data the real pipeline
// landed from the API double: memory -> Redis view -> Postgres, filters and sorts, a city fan-out, a municipal city,
// a miss that enqueues a sync without calling upstream, the last good data served with its age while the upstream
// is down, and the cache hit rate in /metrics.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closePool, pool } from '../../runtime/db.js';
import { mountRoute, startHttpServer, stopHttpServer } from '../../runtime/http-server.js';
import { runPgSink } from '../../runtime/pg-sink-runner.js';
import { runProcessor } from '../../runtime/processor-runner.js';
import { runSource } from '../../runtime/producer-runner.js';
import { closeSharedRedis, sharedRedis, viewKey } from '../../runtime/redis-views.js';
import { compareDecimal } from '../../schemas/comparepower/decimal.js';
import { syncRequestsKey } from '../../schemas/comparepower/topics.js';
import { plansApi, type PlansApi } from '../../sinks/comparepower/plans-api.js';
import type { PlanView } from '../../sinks/comparepower/views.js';
import { comparePowerTestFlow, startComparePowerApiDouble, type ComparePowerApiDouble, type ComparePowerTestFlow } from '../support/comparepower.js';

const ONCOR = '1039940674000';
const HOUR = 3_600_000;
let upstream: ComparePowerApiDouble;
let f: ComparePowerTestFlow;
let api: PlansApi;
/** A second API over a flow with no data (the miss test); requests with flow=empty go to it. */
let other: PlansApi | undefined;
let base: string;
let clockOffset = 0;

interface Answer {
  status: number;
  headers: Headers;
  body: { plans: PlanView[]; count: number; facets: { term: Record<string, number>; rateType: Record<string, number>; green: Record<string, number> }; deregulated?: boolean; tdsps: string[] };
}

async function get(query: string): Promise<Answer> {
  const res = await fetch(`${base}/api/plans?${query}`);
  return { status: res.status, headers: res.headers, body: (await res.json()) as Answer['body'] };
}

beforeAll(async () => {
  upstream = await startComparePowerApiDouble({ plansPerTdsp: 140 });
  f = await comparePowerTestFlow('cpapi', upstream.baseUrl, { http: { retries: 0 } });
  await runSource(f.source, { serde: f.serde, once: true });
  await runProcessor(f.processor, { serde: f.serde, mode: 'drain' });
  await runPgSink(f.sink, { serde: f.serde, mode: 'drain' });
  api = plansApi({ db: pool, redis: sharedRedis, tables: f.tables, views: f.views, queueId: f.id, cacheTtlMs: 60_000, staleAfterMs: 2 * HOUR, now: () => Date.now() + clockOffset });
  mountRoute('/api/', (req, res, url) => (url.searchParams.get('flow') === 'empty' && other ? other.route(req, res, url) : api.route(req, res, url)));
  const server = await startHttpServer({ host: '127.0.0.1', port: 0, dependencies: [] });
  base = server!.url;
});
afterAll(async () => {
  await stopHttpServer();
  await upstream?.close();
  closeSharedRedis();
  await closePool();
});

describe('GET /api/plans', () => {
  it('answers a TDSP from the Redis view first, then from memory, cheapest at 1000 kWh first, with the data age', async () => {
    const a = await get('tdsp=oncor');
    expect(a.status).toBe(200);
    expect(a.headers.get('x-cache')).toBe('redis');
    expect(a.body.count).toBe(140);
    const rates = a.body.plans.map((p) => p.rates.kwh1000);
    expect(rates).toEqual([...rates].sort(compareDecimal));
    expect(Number(a.headers.get('x-data-age-seconds'))).toBeLessThan(120);
    expect(a.headers.get('x-data-stale')).toBeNull();
    const b = await get(`tdsp=${ONCOR}`);
    expect(b.headers.get('x-cache')).toBe('memory');
    expect(b.body.plans).toEqual(a.body.plans);
  });

  it('falls back to Postgres when the view is gone', async () => {
    api.clearMemory();
    await sharedRedis().del(viewKey(f.views.plans('957877905'), 'current'));
    const a = await get('tdsp=centerpoint');
    expect(a.headers.get('x-cache')).toBe('postgres');
    expect(a.body.count).toBe(140);
  });

  it('filters by term, green share and rate type, and sorts', async () => {
    const a = await get('city=dallas&term=12&green=26&rate_type=fixed&sort=rate_500');
    expect(a.status).toBe(200);
    expect(a.body.count).toBeGreaterThan(0);
    for (const p of a.body.plans) {
      expect(p.termMonths).toBe(12);
      expect(compareDecimal(p.percentGreen!, '26')).toBeGreaterThanOrEqual(0);
      expect(p.rateType).toBe('fixed');
    }
    const r500 = a.body.plans.map((p) => p.rates.kwh500!);
    expect(r500).toEqual([...r500].sort(compareDecimal));
    // Facets count the area's plans, not the filtered ones.
    expect(Object.values(a.body.facets.term).reduce((x, y) => x + y, 0)).toBe(140);
    const tou = await get('tdsp=oncor&rate_type=tou');
    expect(tou.body.count).toBeGreaterThan(0);
    expect(tou.body.plans.every((p) => p.timeOfUse)).toBe(true);
    expect((await get('tdsp=oncor&term=abc')).status).toBe(400);
    expect((await get('term=12')).status).toBe(400);
  });

  it('fans a city out to its TDSP, and says a municipal city has no retail choice', async () => {
    const a = await get('city=houston');
    expect(a.body.tdsps).toEqual(['957877905']);
    expect(a.body.count).toBe(140);
    const b = await get('city=austin');
    expect(b.status).toBe(200);
    expect(b.body.deregulated).toBe(false);
    expect(b.body.plans).toEqual([]);
    expect((await get('city=atlantis')).status).toBe(404);
  });

  it('serves the last good data with its age while the upstream is down, and marks it stale', async () => {
    upstream.down();
    const calls = upstream.requests.length;
    await expect(runSource(f.source, { serde: f.serde, once: true, options: { datasets: ['oncor'] } })).rejects.toThrow(/sync of 1 of 1/);
    expect(upstream.requests.length).toBeGreaterThan(calls);
    api.clearMemory();
    clockOffset = 3 * HOUR; // three hours on without a good sync
    const a = await get('tdsp=oncor');
    expect(a.status).toBe(200);
    expect(a.body.count).toBe(140);
    expect(Number(a.headers.get('x-data-age-seconds'))).toBeGreaterThanOrEqual(3 * 3600);
    expect(a.headers.get('x-data-stale')).toBe('true');
    expect(a.headers.get('last-modified')).toBeTruthy();
    clockOffset = 0;
    upstream.recover();
  });

  it('a TDSP with no data anywhere: 503, a sync request queued for the source, and no upstream call', async () => {
    const empty = await comparePowerTestFlow('cpempty', upstream.baseUrl);
    other = plansApi({ db: pool, redis: sharedRedis, tables: empty.tables, views: empty.views, queueId: empty.id, cacheTtlMs: 1000, staleAfterMs: HOUR });
    const calls = upstream.requests.length;
    const a = await get('flow=empty&tdsp=tnmp');
    expect(a.status).toBe(503);
    expect(a.headers.get('retry-after')).toBe('60');
    expect(upstream.requests.length).toBe(calls);
    expect(await sharedRedis().smembers(syncRequestsKey(empty.id))).toEqual(['007929441']);
    // The source takes the request at its next poll and syncs that TDSP (among the due ones).
    const batches = [];
    for await (const b of empty.source.source.read({ synced: { '1039940674000': Date.now(), '957877905': Date.now(), '007924772': Date.now(), '007923311': Date.now(), '007929441': 0 } }, {}, { signal: new AbortController().signal })) batches.push(b);
    expect(batches.map((b) => b.records.at(-1)!.value.tdsp_duns)).toEqual(['007929441']);
    expect(await sharedRedis().smembers(syncRequestsKey(empty.id))).toEqual([]);
  });

  it('exposes lookups per cache layer and the hit rate in /metrics', async () => {
    const text = await (await fetch(`${base}/metrics`)).text();
    const value = (layer: string) => Number(new RegExp(`gridstream_plans_api_lookups_total\\{layer="${layer}"\\} (\\d+)`).exec(text)?.[1]);
    expect(value('memory')).toBeGreaterThan(0);
    expect(value('redis')).toBeGreaterThan(0);
    expect(value('postgres')).toBeGreaterThan(0);
    expect(value('miss')).toBe(1);
    const ratio = Number(/^gridstream_plans_api_cache_hit_ratio (\S+)$/m.exec(text)?.[1]);
    expect(ratio).toBeCloseTo((value('memory') + value('redis')) / (value('memory') + value('redis') + value('postgres') + value('miss')), 6);
  });
});
