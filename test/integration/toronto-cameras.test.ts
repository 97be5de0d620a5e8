// Toronto cameras and map payloads on the real stack: camera locations (GeoJSON) and charges (XLSX) shaped from the
// real output layers in ../shared/fixtures/toronto -> raw -> processors -> camera tables, yearly tables, GeoJSON;
// parking rows built from the real tpt_sample.csv with its geocodes -> neighbourhood chunks in Redis; and
// `reconcile toronto` against the published totals.
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closePool, pool } from '../../runtime/db.js';
import { runPgSink } from '../../runtime/pg-sink-runner.js';
import { runProcessor } from '../../runtime/processor-runner.js';
import { runSource } from '../../runtime/producer-runner.js';
import { closeSharedRedis, readWholeView, sharedRedis } from '../../runtime/redis-views.js';
import { startCkanDouble, type CkanDouble } from '../../devkit/toronto/ckan-double.js';
import { putCameras } from '../../devkit/toronto/cameras.js';
import { BASE_VARIANT } from '../../devkit/toronto/tickets.js';
import { putYear, tempDir, writeYearZip } from '../../devkit/toronto/years.js';
import { reconcileToronto } from '../../ops/toronto/reconcile.js';
import { ident } from '../../sinks/toronto/tables.js';
import { fixtureCameraSites, fixtureGeocodes, fixtureTicketRows, torontoTestFlow, type TorontoTestFlow } from '../support/toronto.js';

let ckan: CkanDouble;
let f: TorontoTestFlow;
const sites = fixtureCameraSites();
const fixture = fixtureTicketRows(2017);

beforeAll(async () => {
  ckan = await startCkanDouble();
  await putCameras(ckan, sites.red, sites.ase);
  const zip = await writeYearZip(await tempDir(), 2017, () => fixture.rows, fixture.rows.length, { ...BASE_VARIANT, encoding: 'utf16le' });
  putYear(ckan, 'res-2017', 2017, zip.path);
  f = await torontoTestFlow('torcam', ckan.baseUrl);
  for (const g of fixtureGeocodes()) {
    await pool().query(`insert into ${ident(f.tables.geocodes)} (location, latitude, longitude, neighbourhood) values ($1, $2, $3, $4) on conflict do nothing`, [g.location, g.latitude, g.longitude, g.neighbourhood]);
  }
  await runSource(f.source, { serde: f.serde, once: true, options: { years: '2017' } });
  await runProcessor(f.parkingProcessor, { serde: f.serde, mode: 'drain' });
  await runProcessor(f.cameraLocationProcessor, { serde: f.serde, mode: 'drain' });
  await runProcessor(f.cameraChargesProcessor, { serde: f.serde, mode: 'drain' });
  await runPgSink(f.parkingSink, { serde: f.serde, mode: 'drain' });
  await runPgSink(f.cameraLocationSink, { serde: f.serde, mode: 'drain' });
  await runPgSink(f.cameraChargesSink, { serde: f.serde, mode: 'drain' });
});
afterAll(async () => {
  await ckan?.close();
  closeSharedRedis();
  await closePool();
});

const decode = (payload: string) => {
  const p = JSON.parse(payload) as { raw: string; etag: string; featureCount: number; version: number };
  return { ...p, fc: JSON.parse(gunzipSync(Buffer.from(p.raw, 'base64')).toString('utf8')) as { type: string; features: { properties: Record<string, unknown> }[] } };
};

describe('parking neighbourhoods', () => {
  it('equal a direct aggregation of the tickets over their locations\' neighbourhoods, top infraction included', async () => {
    const direct = await pool().query(
      `with tk as (select t.*, coalesce(g.neighbourhood, 'Unknown') as hood
                  from ${ident(f.tables.tickets)} t left join ${ident(f.tables.geocodes)} g on g.location = t.location where t.location is not null)
       select hood as neighbourhood, year, count(*)::int as n, sum(coalesce(set_fine_amount, 0))::numeric(18,2)::text as r,
              count(distinct location)::int as locations,
              (select t2.infraction_code from tk t2 where t2.year = tk.year and t2.hood = tk.hood
                group by t2.infraction_code order by count(*) desc, t2.infraction_code asc nulls last limit 1) as top
       from tk group by hood, year order by 1, 2`,
    );
    const hoods = await pool().query(
      `select neighbourhood, year, ticket_count::int as n, total_revenue::text as r, location_count as locations, top_infraction as top
       from ${ident(f.tables.neighbourhoods)} order by 1, 2`,
    );
    expect(direct.rows.length).toBeGreaterThan(3);
    expect(hoods.rows).toEqual(direct.rows);
  });
});

describe('camera tables', () => {
  it('red light: join code RLC - 3500, $325 a ticket, yearly rows per location', async () => {
    const r = await pool().query<{ n: string; rev: string; located: string }>(
      `select sum(ticket_count)::text as n, sum(total_revenue)::text as rev, sum(ticket_count) filter (where latitude is not null)::text as located from ${ident(f.tables.redLightYearly)}`,
    );
    expect(r.rows[0]).toEqual({ n: '1094217', rev: '355620525.00', located: '1076470' });
    const loc = await pool().query(`select location_code, source_code, ward from ${ident(f.tables.cameraLocations)} where dataset = 'red_light' and location_code = '2671'`);
    expect(loc.rows[0]).toEqual({ location_code: '2671', source_code: '6171', ward: 'Ward 23' });
  });

  it('ASE: monthly charges summed per year, $50 a ticket, 593 locations; top site A207', async () => {
    const r = await pool().query<{ n: string; rev: string }>(`select sum(ticket_count)::text as n, sum(total_revenue)::text as rev from ${ident(f.tables.aseYearly)}`);
    expect(r.rows[0]).toEqual({ n: '2054677', rev: '102733850.00' });
    const top = await pool().query<{ location_code: string; n: string }>(`select location_code, sum(ticket_count)::text as n from ${ident(f.tables.aseYearly)} group by 1 order by sum(ticket_count) desc limit 1`);
    expect(top.rows[0]).toEqual({ location_code: 'A207', n: '68860' });
  });

  it('builds the GeoJSON layers like the old ones (feature counts and ticket sums of the real output files)', async () => {
    const g = await pool().query<{ dataset: string; fc: { features: { properties: { ticketCount: number; yearlyCounts: Record<string, number> } }[] } }>(
      `select dataset, feature_collection as fc from ${ident(f.tables.cameraGeojson)} order by dataset`,
    );
    const by = Object.fromEntries(g.rows.map((r) => [r.dataset, r.fc.features]));
    expect(by.red_light).toHaveLength(309);
    expect(by.ase).toHaveLength(593);
    expect(by.red_light!.reduce((n, x) => n + x.properties.ticketCount, 0)).toBe(1_076_470);
    expect(by.ase!.reduce((n, x) => n + Number(x.properties.ticketCount), 0)).toBe(2_054_677);
  });

  it('reconciles with the published totals', async () => {
    const r = await reconcileToronto(pool(), f.tables);
    expect(r.problems).toEqual([]);
    expect(r.cameras.map((c) => [c.dataset, c.tickets, c.revenue])).toEqual([
      ['red_light', 1_094_217, 355_620_525],
      ['ase', 2_054_677, 102_733_850],
    ]);
    expect(r.years).toEqual([{ year: 2017, rowsRead: fixture.tickets, tickets: fixture.tickets, revenue: fixture.revenue, metricTickets: fixture.tickets, locatedTickets: fixture.tickets }]);
    // A total off by one ticket is a problem.
    const off = await reconcileToronto(pool(), f.tables, { expected: { ase: { tickets: 2_054_676, revenue: 102_733_850 } } });
    expect(off.problems).toEqual(['ase: 2054677 tickets, published 2054676']);
  });
});

describe('Redis map payloads', () => {
  it('one gzip+base64 chunk per neighbourhood with its etag, listed in the manifest', async () => {
    const r = sharedRedis();
    const manifest = JSON.parse((await readWholeView(r, `${f.mapView}.chunks`))!) as { chunks: { view: string; featureCount: number; neighbourhood: string; etag: string }[] };
    expect(manifest.chunks).toHaveLength(6);
    let features = 0;
    for (const c of manifest.chunks) {
      const p = decode((await readWholeView(r, c.view))!);
      expect(p.etag).toBe(c.etag);
      expect(p.fc.features).toHaveLength(c.featureCount);
      for (const x of p.fc.features) expect(x.properties.neighbourhood).toBe(c.neighbourhood);
      features += c.featureCount;
    }
    expect(features).toBe(fixture.locations.size);
    const summary = JSON.parse((await readWholeView(r, `${f.mapView}.summary`))!) as { data: { ticketCount: number; totalRevenue: number } };
    expect(summary.data).toMatchObject({ ticketCount: 736, totalRevenue: 22_080 });
  });

  it('camera layers as payloads too', async () => {
    const p = decode((await readWholeView(sharedRedis(), `${f.mapView}.red_light_locations`))!);
    expect(p.fc.features).toHaveLength(309);
    expect(p.etag).toMatch(/^W\/"red_light_locations:[0-9a-f]{64}"$/);
  });
});
