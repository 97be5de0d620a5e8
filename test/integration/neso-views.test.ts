// NESO geocoding and Redis views on the real stack, with a generated register (both spellings) served by the CKAN
// double and local doubles of postcodes.io and Nominatim: each postcode or place is asked once ever, misses are
// retried later, the views equal the tables, an incremental refresh reads far fewer bytes from Postgres than a
// rebuild, and on a Redis of 2 MB the memory guard keeps the indexes and drops the map clusters.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer } from '../../infra/stack/redis.js';
import { portOpen } from '../../infra/stack/proc.js';
import { closePool, pool } from '../../runtime/db.js';
import { runPgSink } from '../../runtime/pg-sink-runner.js';
import { runProcessor } from '../../runtime/processor-runner.js';
import { runSource } from '../../runtime/producer-runner.js';
import { redisClient, redisUsage, viewKey, type ViewRedis } from '../../runtime/redis-views.js';
import { ident } from '../../runtime/sql.js';
import { CMU_RESOURCE, COMPONENT_RESOURCE } from '../../schemas/neso/raw.js';
import { MAP_ZOOMS, readNesoEntry, readNesoMap } from '../../sinks/neso/views.js';
import { startCkanDouble, type CkanDouble } from '../../devkit/neso/ckan-double.js';
import { startGeocoderDouble, type GeocoderDouble } from '../../devkit/neso/geocoder-doubles.js';
import { generateRegister } from '../../devkit/neso/generator.js';
import { nesoTestFlow, type NesoTestFlow } from '../support/neso.js';

let api: CkanDouble;
let geo: GeocoderDouble;
let f: NesoTestFlow;
let small: NesoTestFlow;
let r: ViewRedis;
let tiny: ViewRedis;
const port = 16400 + Math.floor(Math.random() * 500);

async function pipelineOnce(x: NesoTestFlow) {
  await runSource(x.source, { serde: x.serde, once: true });
  await runProcessor(x.cmuProcessor, { serde: x.serde, mode: 'drain' });
  await runProcessor(x.componentProcessor, { serde: x.serde, mode: 'drain' });
  await runPgSink(x.sinks.cmus, { serde: x.serde, mode: 'drain' });
  await runPgSink(x.sinks.components, { serde: x.serde, mode: 'drain' });
  await runSource(x.geocoder, { serde: x.serde, once: true });
  await runPgSink(x.sinks.locations, { serde: x.serde, mode: 'drain' });
}

const UNKNOWN = 'ZZ9 9ZZ';

beforeAll(async () => {
  const reg = generateRegister({ cmus: 60 });
  // One component at a postcode the geocoder does not know.
  reg.components[1]!['Location and Post Code'] = `Nowhere farm, ${UNKNOWN}`;
  api = await startCkanDouble({ [CMU_RESOURCE]: reg.register, [COMPONENT_RESOURCE]: reg.components });
  geo = await startGeocoderDouble();
  geo.unknown.add(UNKNOWN);
  r = redisClient();
  const geocoder = { postcodesUrl: geo.baseUrl, geocoderUrl: geo.baseUrl, textPerSecond: 50, http: { minDelayMs: 20, maxDelayMs: 50 } };
  f = await nesoTestFlow('views', { source: { baseUrl: api.baseUrl, pageSize: 50, cmusPerBatch: 20 }, geocoder, redis: () => r });
  await pipelineOnce(f);
  // The same register again, views on a Redis of 2 MB of its own.
  startRedisServer({ port, dir: mkdtempSync(join(tmpdir(), 'gs-neso-redis-')), maxmemory: '2mb' });
  for (let i = 0; i < 50 && !(await portOpen(port)); i++) await new Promise((res) => setTimeout(res, 100));
  tiny = redisClient(`redis://127.0.0.1:${port}`);
  small = await nesoTestFlow('tiny', { source: { baseUrl: api.baseUrl, pageSize: 50, cmusPerBatch: 20 }, geocoder, redis: () => tiny });
  await pipelineOnce(small);
}, 300_000);

afterAll(async () => {
  await tiny?.shutdown('NOSAVE').catch(() => undefined);
  tiny?.disconnect();
  r?.disconnect();
  await api?.close();
  await geo?.close();
  await closePool();
});

describe('geocoding stage', () => {
  it('asks each postcode and place once, even across flows sharing nothing but the doubles', async () => {
    const asked = geo.postcodesAsked.filter((p) => p !== UNKNOWN);
    // Two flows (f and small) each ask once.
    const distinct = new Set(asked);
    expect(asked.length).toBe(distinct.size * 2);
    const before = geo.postcodesAsked.length + geo.textsAsked.length;
    await runSource(f.geocoder, { serde: f.serde, once: true });
    expect(geo.postcodesAsked.length + geo.textsAsked.length).toBe(before);
    const cache = await pool().query<{ status: string; n: number }>(`select status, count(*)::int as n from ${ident(f.tables.geocodeCache)} group by 1 order by 1`);
    expect(cache.rows.map((x) => x.status)).toEqual(['found', 'missing']);
  });

  it('keeps a miss for later instead of blocking, and stores the answers', async () => {
    const miss = await pool().query<{ status: string; later: boolean }>(`select status, next_try_at > now() + interval '1 day' as later from ${ident(f.tables.geocodeCache)} where query = $1`, [UNKNOWN]);
    expect(miss.rows).toEqual([{ status: 'missing', later: true }]);
    const loc = await pool().query<{ found: boolean; n: number }>(`select found, count(*)::int as n from ${ident(f.tables.locations)} group by 1 order by 1`);
    expect(loc.rows[0]).toEqual({ found: false, n: 1 });
    expect(loc.rows[1]!.n).toBeGreaterThan(100);
  });

  it('is skipped, and says so, when no geocoder is configured', async () => {
    const off = await nesoTestFlow('nogeo', { geocoder: { postcodesUrl: undefined, geocoderUrl: undefined }, views: false });
    const saved = { p: process.env.POSTCODES_URL, g: process.env.GEOCODER_URL };
    delete process.env.POSTCODES_URL;
    delete process.env.GEOCODER_URL;
    try {
      const res = await runSource(off.geocoder, { serde: off.serde, once: true });
      expect(res.records).toBe(0);
    } finally {
      if (saved.p) process.env.POSTCODES_URL = saved.p;
      if (saved.g) process.env.GEOCODER_URL = saved.g;
    }
  });
});

describe('Redis views', () => {
  it('a CMU summary and a company entry equal the tables', async () => {
    const cmu = (await readNesoEntry(f.views.names, 'cmu', 'G00004', r)) as { company: string; auctions: { deratedMw: number | null }[]; components: number };
    const row = await pool().query<{ company: string; mw: number | null }>(`select company, derated_capacity_mw as mw from ${ident(f.tables.cmus)} where cmu_id = 'G00004'`);
    expect(cmu.company).toBe(row.rows[0]!.company);
    expect(cmu.auctions.map((a) => a.deratedMw)).toEqual([row.rows[0]!.mw]);
    expect(cmu.components).toBe(3);
    const company = (await readNesoEntry(f.views.names, 'company', cmu.company, r)) as { cmus: string[]; deratedMwByYear: Record<string, number> };
    const sums = await pool().query<{ y: string; mw: string; ids: string[] }>(
      `select delivery_year_label as y, round(sum(coalesce(derated_capacity_mw, 0))::numeric, 3)::text as mw, array_agg(cmu_id) as ids from ${ident(f.tables.cmus)} where company = $1 group by 1 order by 1`,
      [cmu.company],
    );
    expect(Object.fromEntries(Object.entries(company.deratedMwByYear).map(([k, v]) => [k, String(v)]))).toEqual(Object.fromEntries(sums.rows.map((x) => [x.y, x.mw])));
    expect(company.cmus).toEqual(sums.rows.flatMap((x) => x.ids).sort());
  });

  it('location -> components, with the coordinates the geocoder gave', async () => {
    const c = await pool().query<{ postcode: string }>(`select postcode from ${ident(f.tables.components)} where postcode is not null and postcode <> $1 order by postcode limit 1`, [UNKNOWN]);
    const pc = c.rows[0]!.postcode;
    const entry = (await readNesoEntry(f.views.names, 'location', pc, r)) as { lat: number; components: { cmuId: string }[] };
    const n = await pool().query(`select 1 from ${ident(f.tables.components)} where postcode = $1`, [pc]);
    expect(entry.components).toHaveLength(n.rowCount!);
    expect(entry.lat).toBeGreaterThan(49);
  });

  it('clusters each technology at zoom 6, 7 and 8, counting every geocoded component once', async () => {
    const points = await pool().query<{ n: number }>(
      `select count(*)::int as n from ${ident(f.tables.components)} c join ${ident(f.tables.locations)} l on l.found and l.query = coalesce(c.postcode, regexp_replace(btrim(c.location), '\\s+', ' ', 'g')) where c.technology_class = 'battery'`,
    );
    for (const z of MAP_ZOOMS) {
      const m = (await readNesoMap(f.views.names, 'battery', z, r)) as { clusters: [number, number, number][] };
      expect(m.clusters.reduce((n, c) => n + c[2], 0)).toBe(points.rows[0]!.n);
    }
  });

  it('an incremental refresh reads only what changed from Postgres: bytes against a full rebuild', async () => {
    api.load(CMU_RESOURCE, api.rows(CMU_RESOURCE).map((x) => (x['CMU ID'] === 'G00010' ? { ...x, 'Name of Applicant': 'Renamed Power Ltd' } : x)));
    api.load(COMPONENT_RESOURCE, api.rows(COMPONENT_RESOURCE).map((x) => (x['Component ID'] === 'G00011C2' ? { ...x, 'Description of CMU Components': 'changed' } : x)));
    const start = f.views.bytesRead();
    await pipelineOnce(f);
    const incremental = f.views.bytesRead() - start;
    expect(((await readNesoEntry(f.views.names, 'company', 'Renamed Power Ltd', r)) as { cmus: string[] }).cmus).toEqual(['G00010']);
    // Its old company's entry no longer lists it.
    const old = await pool().query<{ company: string }>(`select company from ${ident(f.tables.cmus)} where cmu_id = 'G00009'`);
    expect(((await readNesoEntry(f.views.names, 'company', old.rows[0]!.company, r)) as { cmus: string[] }).cmus).not.toContain('G00010');
    const full = (await f.views.rebuild()).bytesRead;
    process.stdout.write(`neso egress: incremental refresh ${incremental} B vs full rebuild ${full} B (60 CMUs, 180 components)\n`);
    expect(incremental).toBeGreaterThan(0);
    expect(incremental * 5).toBeLessThan(full);
    expect(((await readNesoEntry(f.views.names, 'company', 'Renamed Power Ltd', r)) as { cmus: string[] }).cmus).toEqual(['G00010']);
  });
});

describe('memory guard on a 2 MB Redis', () => {
  it('keeps the indexes and drops the map clusters', async () => {
    const grown = generateRegister({ cmus: 300, seed: 7 });
    api.load(CMU_RESOURCE, grown.register);
    api.load(COMPONENT_RESOURCE, grown.components);
    await pipelineOnce(small);
    const stats = await small.views.rebuild();
    const usage = await redisUsage(tiny);
    process.stdout.write(`neso guard: ${JSON.stringify({ stats, usage })}\n`);
    expect(stats.shed).toBe(true);
    expect(stats.refused).toEqual([small.views.names.map]);
    // Indexes whole: every CMU, company and location of the tables is there.
    const counts = await pool().query<{ cmus: number; companies: number }>(`select count(distinct cmu_id)::int as cmus, count(distinct company)::int as companies from ${ident(small.tables.cmus)}`);
    expect(await tiny.hlen(viewKey(small.views.names.cmu, 'by_key'))).toBe(counts.rows[0]!.cmus);
    expect(await tiny.hlen(viewKey(small.views.names.company, 'by_key'))).toBe(counts.rows[0]!.companies);
    const locations = await pool().query<{ n: number }>(`select count(distinct coalesce(postcode, regexp_replace(btrim(location), '\\s+', ' ', 'g')))::int as n from ${ident(small.tables.components)}`);
    expect(locations.rows[0]!.n).toBeGreaterThan(800);
    expect(await tiny.hlen(viewKey(small.views.names.location, 'by_key'))).toBe(locations.rows[0]!.n);
    // No map cluster left, and a marker that says why.
    for (const z of MAP_ZOOMS) expect(await readNesoMap(small.views.names, 'battery', z, tiny)).toBeNull();
    expect(await tiny.get(viewKey(small.views.names.map, 'shed'))).toMatch(/refused|do not fit/);
    expect(usage.views[small.views.names.location]).toBeGreaterThan(0);
    expect(usage.used).toBeLessThan(usage.max * 0.8);
  });
});
