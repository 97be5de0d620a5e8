// GET /api/plans?city=&tdsp=&term=&green=&rate_type=&sort= — answered from memory (short TTL) -> the Redis view ->
// Postgres, never from the upstream API: a TDSP with no data at all makes the request enqueue a priority sync for
// the source (a Redis set it reads at its next poll) and answers 503 with Retry-After. Every answer carries the
// data's age (X-Data-Age-Seconds, from the TDSP's last completed sync) and X-Data-Stale when syncs have been failing
// for longer than COMPAREPOWER_STALE_AFTER_MS: the last good data is served, never nothing.
// Cache use is counted per layer in /metrics, with the hit rate as a gauge.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type pg from 'pg';
import type { Redis } from 'ioredis';
import client from 'prom-client';
import type { Route } from '../../runtime/http-server.js';
import { log } from '../../runtime/log.js';
import { registry } from '../../runtime/metrics.js';
import { compareDecimal } from '../../schemas/comparepower/decimal.js';
import { RATE_TYPES } from '../../schemas/comparepower/records.js';
import { findTdsp } from '../../schemas/comparepower/tdsp.js';
import { syncRequestsKey } from '../../schemas/comparepower/topics.js';
import type { ComparePowerTables } from './tables.js';
import { buildTdspDoc, facetsOf, loadCities, mergePlans, readCitiesView, readTdspView, type CityDoc, type ComparePowerViews, type PlanView, type TdspPlansDoc } from './views.js';

export const LAYERS = ['memory', 'redis', 'postgres', 'miss'] as const;
export type Layer = (typeof LAYERS)[number];

const lookups = new client.Counter({
  name: 'gridstream_plans_api_lookups_total',
  help: 'TDSP plan lists the plans API looked up, by the layer that answered (memory, redis, postgres; miss = no data anywhere)',
  labelNames: ['layer'],
  registers: [registry],
});
for (const layer of LAYERS) lookups.inc({ layer }, 0);
new client.Gauge({
  name: 'gridstream_plans_api_cache_hit_ratio',
  help: 'Share of plans API lookups answered from memory or the Redis view since the process started',
  registers: [registry],
  async collect() {
    const values = (await lookups.get()).values;
    const of = (l: Layer) => values.find((v) => v.labels.layer === l)?.value ?? 0;
    const total = LAYERS.reduce((n, l) => n + of(l), 0);
    this.set(total ? (of('memory') + of('redis')) / total : 0);
  },
});

export interface PlansApiOptions {
  db: () => pg.Pool;
  redis: () => Redis;
  tables: ComparePowerTables;
  views: ComparePowerViews;
  /** Queue the source reads sync requests from (the flow id). */
  queueId: string;
  /** Memory TTL (ms); 0 = no memory cache. */
  cacheTtlMs: number;
  staleAfterMs: number;
  now?: () => number;
}

export const SORTS = ['rate_1000', 'rate_500', 'rate_2000', 'term', 'green'] as const;
type Sort = (typeof SORTS)[number];

export interface PlanQuery {
  city?: string;
  tdsp?: string;
  term?: number;
  /** Minimum renewable share, percent (green=true means 100). */
  green?: string;
  rateType?: string;
  sort: Sort;
}

class BadRequest extends Error {}

/** Bound on the distinct query strings kept whole in memory (dropped together when reached). */
const MAX_CACHED_ANSWERS = 2000;

export function parseQuery(url: URL): PlanQuery {
  const q = url.searchParams;
  const city = q.get('city')?.trim().toLowerCase() || undefined;
  const tdsp = q.get('tdsp')?.trim() || undefined;
  if (!city && !tdsp) throw new BadRequest('city or tdsp is required');
  const termText = q.get('term')?.trim();
  const term = termText ? Number(termText) : undefined;
  if (term !== undefined && (!Number.isInteger(term) || term < 0 || term > 120)) throw new BadRequest(`term: not a number of months: ${termText}`);
  let green = q.get('green')?.trim().toLowerCase() || undefined;
  if (green === 'true') green = '100';
  if (green !== undefined && !/^\d+(\.\d+)?$/.test(green)) throw new BadRequest(`green: expected a minimum percentage or true: ${green}`);
  const rateType = q.get('rate_type')?.trim().toLowerCase() || undefined;
  if (rateType !== undefined && !(RATE_TYPES as readonly string[]).includes(rateType) && rateType !== 'tou') throw new BadRequest(`rate_type: expected one of ${[...RATE_TYPES, 'tou'].join(', ')}`);
  const sort = (q.get('sort')?.trim().toLowerCase() || 'rate_1000') as Sort;
  if (!SORTS.includes(sort)) throw new BadRequest(`sort: expected one of ${SORTS.join(', ')}`);
  return { ...(city ? { city } : {}), ...(tdsp ? { tdsp } : {}), ...(term !== undefined ? { term } : {}), ...(green ? { green } : {}), ...(rateType ? { rateType } : {}), sort };
}

const nullsLast = (a: string | null, b: string | null) => (a === null ? (b === null ? 0 : 1) : b === null ? -1 : compareDecimal(a, b));

export function filterAndSort(plans: readonly PlanView[], q: PlanQuery): PlanView[] {
  const out = plans.filter(
    (p) =>
      (q.term === undefined || p.termMonths === q.term) &&
      (q.green === undefined || (p.percentGreen !== null && compareDecimal(p.percentGreen, q.green) >= 0)) &&
      (q.rateType === undefined || (q.rateType === 'tou' ? p.timeOfUse : p.rateType === q.rateType)),
  );
  if (q.sort === 'rate_1000') return out; // the view's order
  const by: Record<Exclude<Sort, 'rate_1000'>, (a: PlanView, b: PlanView) => number> = {
    rate_500: (a, b) => nullsLast(a.rates.kwh500, b.rates.kwh500),
    rate_2000: (a, b) => nullsLast(a.rates.kwh2000, b.rates.kwh2000),
    term: (a, b) => a.termMonths - b.termMonths,
    green: (a, b) => -nullsLast(a.percentGreen, b.percentGreen),
  };
  return [...out].sort((a, b) => by[q.sort as Exclude<Sort, 'rate_1000'>](a, b) || compareDecimal(a.rates.kwh1000, b.rates.kwh1000) || a.id.localeCompare(b.id));
}

interface Held<T> {
  value: T;
  at: number;
}

export interface PlansApi {
  route: Route;
  /** Drops the memory cache (tests). */
  clearMemory: () => void;
}

export function plansApi(o: PlansApiOptions): PlansApi {
  const now = o.now ?? Date.now;
  const memory = new Map<string, Held<TdspPlansDoc>>();
  /** Whole answers by query string, for the memory TTL. */
  const answers = new Map<string, Held<{ body: string; syncedAt: number | null; tdsps: number }>>();
  let cities: Held<Record<string, Omit<CityDoc, 'facets' | 'plans'>>> | undefined;

  /** A TDSP's plans: memory -> Redis -> Postgres; a stale memory entry is the last resort when both are down. */
  async function tdspDoc(duns: string): Promise<{ doc: TdspPlansDoc | null; layer: Layer }> {
    const held = memory.get(duns);
    if (held && now() - held.at < o.cacheTtlMs) return { doc: held.value, layer: 'memory' };
    const keep = (doc: TdspPlansDoc, layer: Layer) => {
      if (o.cacheTtlMs > 0) memory.set(duns, { value: doc, at: now() });
      return { doc, layer };
    };
    try {
      const doc = await readTdspView(o.redis(), o.views, duns);
      if (doc) return keep(doc, 'redis');
    } catch (err) {
      log.warn({ tdsp: duns, err: (err as Error).message }, 'plans API: Redis view not read, trying Postgres');
    }
    try {
      const doc = await buildTdspDoc(o.db(), o.tables, duns);
      if (doc.plans.length || doc.syncedAt !== null) return keep(doc, 'postgres');
    } catch (err) {
      if (held) {
        log.warn({ tdsp: duns, err: (err as Error).message }, 'plans API: Postgres away, serving the last plans held in memory');
        return { doc: held.value, layer: 'memory' };
      }
      throw err;
    }
    return { doc: null, layer: 'miss' };
  }

  async function cityEntry(slug: string): Promise<Omit<CityDoc, 'facets' | 'plans'> | undefined> {
    if (!cities || now() - cities.at >= 60_000) {
      // Redis away: the cities come from Postgres.
      const map = await readCitiesView(o.redis(), o.views).catch(() => null);
      cities = { value: map ?? (await loadCities(o.db(), o.tables)), at: now() };
    }
    return cities.value[slug];
  }

  async function requestSync(duns: string): Promise<void> {
    try {
      await o.redis().sadd(syncRequestsKey(o.queueId), duns);
    } catch (err) {
      log.warn({ tdsp: duns, err: (err as Error).message }, 'plans API: sync request not queued');
    }
  }

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers }).end(JSON.stringify(body));

  /** A 200 with the data's age (from the oldest TDSP sync) in headers, stale-flagged past staleAfterMs. */
  function sendPlans(res: ServerResponse, body: string, syncedAt: number | null, cache: string): void {
    const headers: Record<string, string> = { 'content-type': 'application/json', 'cache-control': 'no-store', 'x-cache': cache };
    if (syncedAt !== null) {
      const age = Math.max(0, Math.round((now() - syncedAt) / 1000));
      headers['x-data-age-seconds'] = String(age);
      headers['last-modified'] = new Date(syncedAt).toUTCString();
      if (age * 1000 > o.staleAfterMs) headers['x-data-stale'] = 'true';
    }
    res.writeHead(200, headers).end(body);
  }

  async function answer(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const hit = answers.get(url.search);
    if (hit && now() - hit.at < o.cacheTtlMs) {
      lookups.inc({ layer: 'memory' }, hit.value.tdsps);
      return sendPlans(res, hit.value.body, hit.value.syncedAt, 'memory');
    }
    let q: PlanQuery;
    try {
      q = parseQuery(url);
    } catch (err) {
      if (err instanceof BadRequest) return void send(res, 400, { error: err.message });
      throw err;
    }
    let tdsps: string[];
    let city: (Omit<CityDoc, 'facets' | 'plans'> & { slug: string }) | undefined;
    if (q.tdsp) {
      const t = findTdsp(q.tdsp);
      if (!t) return void send(res, 404, { error: `unknown TDSP: ${q.tdsp}` });
      tdsps = [t.duns];
    } else {
      const c = await cityEntry(q.city!);
      if (!c) return void send(res, 404, { error: `unknown city: ${q.city}` });
      // The same shape whichever layer the city came from (the view also holds facets and counts).
      city = { slug: q.city!, name: c.name, deregulated: c.deregulated, utilities: c.utilities, tdsps: c.tdsps };
      if (!c.deregulated) return void send(res, 200, { city, deregulated: false, message: `${c.name} is served by ${c.utilities.join(', ')}: no retail choice`, count: 0, plans: [] });
      tdsps = c.tdsps;
    }
    const found = await Promise.all(tdsps.map((d) => tdspDoc(d)));
    for (const f of found) lookups.inc({ layer: f.layer });
    const docs = found.map((f) => f.doc).filter((d): d is TdspPlansDoc => d !== null);
    const missing = tdsps.filter((_, i) => found[i]!.doc === null);
    if (docs.length === 0) {
      for (const d of missing) await requestSync(d);
      return void send(res, 503, { error: 'no plans yet for this area: a sync has been requested', tdsps }, { 'retry-after': '60' });
    }
    const all = mergePlans(docs);
    const plans = filterAndSort(all, q);
    // The oldest of the TDSPs' syncs dates the answer.
    const synced = docs.map((d) => d.syncedAt).filter((x): x is number => x !== null);
    const syncedAt = synced.length ? Math.min(...synced) : null;
    const body = JSON.stringify({
      ...(city ? { city } : {}),
      tdsps,
      syncedAt: syncedAt === null ? null : new Date(syncedAt).toISOString(),
      ...(missing.length ? { missingTdsps: missing } : {}),
      facets: docs.length === 1 ? docs[0]!.facets : facetsOf(all),
      count: plans.length,
      plans,
    });
    // A complete answer is kept whole for the memory TTL: a hot query costs a Map lookup, not a filter, sort and
    // JSON.stringify of ≈ 140 plans.
    if (o.cacheTtlMs > 0 && missing.length === 0) {
      if (answers.size >= MAX_CACHED_ANSWERS) answers.clear();
      answers.set(url.search, { value: { body, syncedAt, tdsps: tdsps.length }, at: now() });
    }
    sendPlans(res, body, syncedAt, found.map((f) => f.layer).join(','));
    if (missing.length) for (const d of missing) await requestSync(d);
  }

  return {
    route: async (req, res, url) => {
      if (url.pathname !== '/api/plans' || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
      await answer(req, res, url);
      return true;
    },
    clearMemory: () => {
      memory.clear();
      answers.clear();
      cities = undefined;
    },
  };
}
