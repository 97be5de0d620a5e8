// The NESO Redis views, kept from Postgres: CMU summaries, the company index (company -> CMUs, de-rated MW per
// delivery year), location -> components, and per-technology map clusters for zoom 6–8 (supercluster). After a sink
// batch only the keys it touched are read and rewritten, so an incremental crawl reads what changed, not the tables.
//
// Memory: each view's size is estimated before it is built and passed to the memory guard. The indexes are what
// searches need, the clusters only draw a map, so the clusters are the low-priority view: refused first, and shed
// (deleted, with a marker saying why) when an index needs their room.
import type pg from 'pg';
import Supercluster from 'supercluster';
import { checkout, pool } from '../../runtime/db.js';
import { log } from '../../runtime/log.js';
import { guard, memoryState, redisClient, viewKey, ViewRefused, withinBudget, type ViewRedis } from '../../runtime/redis-views.js';
import type { ViewPriority } from '../../runtime/components.js';
import type { NesoTables } from '../../schemas/neso/tables.js';
import { cmuSummaries, companiesOf, companyIndex, locationIndex, mapPoints, technologiesAt, viewCounts, type Entries } from './view-queries.js';

export const MAP_ZOOMS = [6, 7, 8] as const;
/** Every technology class a component can have (processors/neso/values.ts), so the map keys are a known set. */
const MAP_TECHNOLOGIES = ['battery', 'storage', 'gas', 'chp', 'dsr', 'waste', 'biomass', 'nuclear', 'wind', 'solar', 'hydro', 'interconnector', 'coal', 'oil', 'other', 'unknown'];

// Bytes per entry the rebuild's estimates use, measured on generated registers of 2,000 CMUs (JSON + hash overhead).
const BYTES_PER = { cmu: 420, company: 260, location: 330, mapPoint: 48 };

export interface NesoViewNames {
  cmu: string;
  company: string;
  location: string;
  map: string;
}

export const nesoViewNames = (id = 'neso'): NesoViewNames => ({ cmu: `${id}_cmu`, company: `${id}_company`, location: `${id}_location`, map: `${id}_map` });

// The three indexes answer searches and lookups; the clusters only draw a map, so they are what goes first.
const PRIORITY: Record<keyof NesoViewNames, ViewPriority> = { location: 'high', company: 'high', cmu: 'high', map: 'low' };

export interface Touched {
  cmuIds?: string[];
  locationKeys?: string[];
  /** Postcodes or location strings just geocoded. */
  geocoded?: string[];
}

export interface RefreshStats {
  /** Bytes Postgres sent for the refresh (socket bytes read). */
  bytesRead: number;
  entries: number;
  /** Views refused or shed by the memory guard. */
  refused: string[];
  shed: boolean;
}

export interface NesoViews {
  names: NesoViewNames;
  /** Bytes Postgres has sent for this object's refreshes and rebuilds so far (egress, item 5 of the issue). */
  bytesRead: () => number;
  refresh(t: Touched): Promise<RefreshStats>;
  rebuild(): Promise<RefreshStats>;
}

const socketBytes = (c: pg.PoolClient): number => (c as unknown as { connection: { stream: { bytesRead: number } } }).connection.stream.bytesRead;

export function nesoViews(tables: NesoTables, names: NesoViewNames = nesoViewNames(), o: { redis?: () => ViewRedis } = {}): NesoViews {
  const hashOf = (view: keyof NesoViewNames) => viewKey(names[view], 'by_key');
  const mapKey = (tech: string, zoom: number) => viewKey(names.map, tech, `z${zoom}`);
  const shedMarker = viewKey(names.map, 'shed');

  async function shedMaps(r: ViewRedis, why: string): Promise<void> {
    const keys = MAP_TECHNOLOGIES.flatMap((t) => MAP_ZOOMS.map((z) => mapKey(t, z)));
    await r.unlink(...keys);
    await r.set(shedMarker, why);
    log.warn({ view: names.map, why }, 'map clusters shed to keep the indexes within the Redis memory budget');
  }

  /** Room for `estimate` more bytes: an index refused at first gets the map clusters' room. */
  async function room(r: ViewRedis, view: keyof NesoViewNames, estimate: number, stats: RefreshStats): Promise<boolean> {
    try {
      await guard(r, names[view], PRIORITY[view], estimate);
      return true;
    } catch (err) {
      if (!(err instanceof ViewRefused)) throw err;
      if (view === 'map') {
        stats.refused.push(names.map);
        if (!stats.shed) await shedMaps(r, err.message);
        stats.shed = true;
        return false;
      }
      if (!stats.shed) {
        await shedMaps(r, `to make room for ${names[view]}: ${err.message}`);
        stats.shed = true;
        try {
          await guard(r, names[view], PRIORITY[view], estimate);
          return true;
        } catch (again) {
          if (!(again instanceof ViewRefused)) throw again;
        }
      }
      stats.refused.push(names[view]);
      return false;
    }
  }

  async function writeHash(r: ViewRedis, view: keyof NesoViewNames, entries: Entries, asked: string[] | undefined, estimate: number, stats: RefreshStats): Promise<void> {
    if (!(await room(r, view, estimate, stats))) return;
    const tx = r.multi();
    if (asked === undefined) tx.unlink(hashOf(view));
    else {
      // Keys asked for that no longer have rows are removed.
      const gone = asked.filter((k) => !entries.has(k));
      if (gone.length) tx.hdel(hashOf(view), ...gone);
    }
    if (entries.size) tx.hset(hashOf(view), Object.fromEntries(entries));
    await tx.exec();
    stats.entries += entries.size;
  }

  // Redis keeps a hash field in more than its bytes (dict entry, sds headers, allocator rounding): 1.5x and 64 B each,
  // measured with MEMORY USAGE on the views of a generated register.
  const companyOfCmu = viewKey(names.company, 'of_cmu');
  /** CMU -> its companies (JSON list), so a refresh finds the entries a CMU leaves; `cmuIds` undefined: all. */
  async function writeCompanyOf(r: ViewRedis, pairs: { cmuId: string; company: string }[], cmuIds?: string[]): Promise<void> {
    const of = new Map<string, string[]>();
    for (const p of pairs) of.set(p.cmuId, [...(of.get(p.cmuId) ?? []), p.company]);
    const tx = r.multi();
    if (cmuIds === undefined) tx.unlink(companyOfCmu);
    else {
      const gone = cmuIds.filter((id) => !of.has(id));
      if (gone.length) tx.hdel(companyOfCmu, ...gone);
    }
    if (of.size) tx.hset(companyOfCmu, Object.fromEntries([...of].map(([k, v]) => [k, JSON.stringify(v)])));
    await tx.exec();
  }

  const entryBytes = (e: Entries) => [...e].reduce((n, [k, v]) => n + Math.ceil((Buffer.byteLength(k) + Buffer.byteLength(v)) * 1.5) + 64, 0);

  async function writeMaps(db: pg.PoolClient, r: ViewRedis, technologies: string[], stats: RefreshStats): Promise<void> {
    for (const tech of technologies) {
      const points = await mapPoints(db, tables, tech);
      if (!(await room(r, 'map', points.length * BYTES_PER.mapPoint * MAP_ZOOMS.length, stats))) return;
      const index = new Supercluster<{ c: string }, Record<string, unknown>>({ radius: 60, minZoom: MAP_ZOOMS[0], maxZoom: MAP_ZOOMS[MAP_ZOOMS.length - 1] });
      index.load(points.map((p) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: [p.lon, p.lat] }, properties: { c: `${p.cmuId}/${p.componentId}` } })));
      const tx = r.multi();
      for (const z of MAP_ZOOMS) {
        // [lon, lat, count, component (for a single point)]: compact, as the map only draws them.
        const clusters = index.getClusters([-180, -85, 180, 85], z).map((f) => {
          const [lon, lat] = f.geometry.coordinates as [number, number];
          const p = f.properties as { cluster?: boolean; point_count?: number; c?: string };
          return p.cluster ? [+lon.toFixed(5), +lat.toFixed(5), p.point_count] : [+lon.toFixed(5), +lat.toFixed(5), 1, p.c];
        });
        tx.set(mapKey(tech, z), JSON.stringify({ technology: tech, zoom: z, points: points.length, clusters }));
      }
      tx.del(shedMarker);
      await tx.exec();
      stats.entries += MAP_ZOOMS.length;
    }
  }

  let bytesRead = 0;

  async function run(body: (db: pg.PoolClient, r: ViewRedis, stats: RefreshStats) => Promise<void>): Promise<RefreshStats> {
    const { client: db, done } = await checkout(pool());
    const r = o.redis?.() ?? redisClient();
    const stats: RefreshStats = { bytesRead: 0, entries: 0, refused: [], shed: false };
    const before = socketBytes(db);
    try {
      await body(db, r, stats);
    } finally {
      stats.bytesRead = socketBytes(db) - before;
      bytesRead += stats.bytesRead;
      done();
      if (!o.redis) r.disconnect();
    }
    return stats;
  }

  return {
    names,
    bytesRead: () => bytesRead,
    refresh: (t) =>
      run(async (db, r, stats) => {
        const cmuIds = [...new Set(t.cmuIds ?? [])];
        const locationKeys = [...new Set([...(t.locationKeys ?? []), ...(t.geocoded ?? [])].filter(Boolean))];
        if (locationKeys.length) {
          const e = await locationIndex(db, tables, locationKeys);
          await writeHash(r, 'location', e, locationKeys, entryBytes(e), stats);
        }
        if (cmuIds.length) {
          // A CMU that changed company must leave its old company's entry: the view remembers each CMU's companies.
          const pairs = await companiesOf(db, tables, cmuIds);
          const before = (await r.hmget(companyOfCmu, ...cmuIds)).flatMap((v) => (v ? (JSON.parse(v) as string[]) : []));
          const companies = [...new Set([...pairs.map((p) => p.company), ...before])];
          const ce = await companyIndex(db, tables, companies);
          await writeHash(r, 'company', ce, companies, entryBytes(ce), stats);
          await writeCompanyOf(r, pairs, cmuIds);
          const se = await cmuSummaries(db, tables, cmuIds);
          await writeHash(r, 'cmu', se, cmuIds, entryBytes(se), stats);
        }
        const geocoded = [...new Set(t.geocoded ?? [])];
        if (geocoded.length) await writeMaps(db, r, await technologiesAt(db, tables, geocoded), stats);
      }),
    rebuild: () =>
      run(async (db, r, stats) => {
        // Sizes first, from row counts, so a view that cannot fit is refused before it is read.
        const n = await viewCounts(db, tables);
        const plan: [keyof NesoViewNames, number, () => Promise<Entries>][] = [
          ['location', n.locations * BYTES_PER.location, () => locationIndex(db, tables)],
          ['company', n.companies * BYTES_PER.company, () => companyIndex(db, tables)],
          ['cmu', n.cmus * BYTES_PER.cmu, () => cmuSummaries(db, tables)],
        ];
        // Each rebuilt hash replaces the one there: only its growth needs room.
        const growth = new Map<keyof NesoViewNames, number>();
        for (const [view, estimate] of plan) growth.set(view, Math.max(0, estimate - ((await r.memory('USAGE', hashOf(view), 'SAMPLES', '0')) ?? 0)));
        const indexes = [...growth.values()].reduce((a, b) => a + b, 0);
        const maps = n.geocoded * BYTES_PER.mapPoint * MAP_ZOOMS.length;
        // Everything planned must fit at the clusters' (lowest) share: if not, the clusters go before any index is built.
        if (!withinBudget(await memoryState(r), indexes + maps, PRIORITY.map)) {
          stats.refused.push(names.map);
          await shedMaps(r, `planned views (~${indexes} B of indexes + ~${maps} B of clusters) do not fit under the low-priority budget`);
          stats.shed = true;
        }
        for (const [view, , build] of plan) {
          if (!(await room(r, view, growth.get(view)!, stats))) continue;
          await writeHash(r, view, await build(), undefined, 0, stats);
          if (view === 'company') await writeCompanyOf(r, await companiesOf(db, tables));
        }
        if (stats.shed) return;
        await writeMaps(db, r, n.technologies, stats);
      }),
  };
}

/** One entry of a NESO hash view (a CMU summary, a company, a location), parsed. */
export async function readNesoEntry(names: NesoViewNames, view: 'cmu' | 'company' | 'location', key: string, r: ViewRedis): Promise<unknown> {
  const v = await r.hget(viewKey(names[view], 'by_key'), key);
  return v === null ? null : (JSON.parse(v) as unknown);
}

export async function readNesoMap(names: NesoViewNames, technology: string, zoom: number, r: ViewRedis): Promise<unknown> {
  const v = await r.get(viewKey(names.map, technology, `z${zoom}`));
  return v === null ? null : (JSON.parse(v) as unknown);
}
