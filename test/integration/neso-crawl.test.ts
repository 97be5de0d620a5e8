// NESO Capacity Market Register end to end on the real stack: the CKAN double (rows built from the real fixtures in
// ../shared/fixtures/neso) -> crawl -> raw topics -> normalisers -> clean topics -> Postgres, checked against the
// issue's Checks: both spellings in the same columns, a crawl killed mid-page and resumed equals an uninterrupted one,
// `filters` not `q` (no component under the wrong CMU), an incremental crawl rewrites only the changed rows, search.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closePool, pool } from '../../runtime/db.js';
import { readTopic } from '../../runtime/inspect.js';
import { runPgSink } from '../../runtime/pg-sink-runner.js';
import { runProcessor } from '../../runtime/processor-runner.js';
import { runSource } from '../../runtime/producer-runner.js';
import { ident } from '../../runtime/sql.js';
import { CMU_RESOURCE, COMPONENT_RESOURCE } from '../../schemas/neso/raw.js';
import { searchRegister } from '../../ops/neso/search.js';
import { startCkanDouble, type CkanDouble } from '../../devkit/neso/ckan-double.js';
import { fixtureResources, nesoFixtureData, nesoTestFlow, type NesoFixtureData, type NesoTestFlow } from '../support/neso.js';

let data: NesoFixtureData;
let api: CkanDouble;
let whole: NesoTestFlow;
let resumed: NesoTestFlow;
let crashes = 0;

const PAGE = 5;

async function process(f: NesoTestFlow) {
  await runProcessor(f.cmuProcessor, { serde: f.serde, mode: 'drain' });
  await runProcessor(f.componentProcessor, { serde: f.serde, mode: 'drain' });
  await runPgSink(f.sinks.cmus, { serde: f.serde, mode: 'drain' });
  await runPgSink(f.sinks.components, { serde: f.serde, mode: 'drain' });
}

async function dump(f: NesoTestFlow): Promise<{ cmus: string[]; components: string[] }> {
  const rows = async (table: string) => (await pool().query<{ row: string }>(`select t::text as row from ${ident(table)} t order by 1`)).rows.map((x) => x.row);
  return { cmus: await rows(f.tables.cmus), components: await rows(f.tables.components) };
}

/** Runs the source until it finishes, killing it (abort while a request hangs) on the given request numbers. */
async function crawlWithKills(f: NesoTestFlow, killAt: number[]) {
  const pending = new Set(killAt);
  for (let attempt = 0; attempt < 10; attempt++) {
    const stop = new AbortController();
    api.onRequest = (_r, n) => {
      if (!pending.has(n)) return undefined;
      pending.delete(n);
      // The request is in flight when the crawl dies: killed mid-page.
      setTimeout(() => stop.abort(new Error('killed')), 50);
      return 'hang';
    };
    try {
      await runSource(f.source, { serde: f.serde, once: true, signal: stop.signal });
      return;
    } catch {
      crashes++;
    } finally {
      api.onRequest = undefined;
    }
  }
  throw new Error('the crawl never finished');
}

beforeAll(async () => {
  data = nesoFixtureData();
  // A record the register could hold but the normaliser cannot read: it must reach the dead-letter topic with its reason.
  data.register.push({ ...data.register[0]!, 'CMU ID': 'BADYR1', 'Delivery Year': 'soon' });
  api = await startCkanDouble(fixtureResources(data));
  whole = await nesoTestFlow('whole', { source: { baseUrl: api.baseUrl, pageSize: PAGE, cmusPerBatch: 3 }, views: false });
  resumed = await nesoTestFlow('resumed', { source: { baseUrl: api.baseUrl, pageSize: PAGE, cmusPerBatch: 3 }, views: false });
  await runSource(whole.source, { serde: whole.serde, once: true });
  await process(whole);
  // Killed on the 3rd request (register page 3), then during the components phase (3 register pages + the rest).
  const registerPages = Math.ceil((data.register.length + 1) / PAGE);
  const n0 = api.requests.length;
  await crawlWithKills(resumed, [n0 + 3, n0 + 2 + registerPages + 4]);
  await process(resumed);
}, 300_000);

afterAll(async () => {
  await api?.close();
  await closePool();
});

const registerCmuIds = () => new Set(data.register.map((r) => String(r['CMU ID'])));

describe('NESO crawl against the CKAN double', () => {
  it('lands both field spellings in the same columns', async () => {
    // 2026 CSV spelling "De Rated Capacity" (text) and 2025 datastore spelling "De-Rated Capacity".
    const csv = await pool().query<{ mw: number; year: number; label: string; phone: string | null }>(
      `select derated_capacity_mw as mw, delivery_year_start as year, delivery_year_label as label, contact_telephone as phone from ${ident(whole.tables.cmus)} where cmu_id = '17SR11'`,
    );
    expect(csv.rows).toEqual([{ mw: 18.962, year: 2018, label: '2018/19', phone: '+441217121970' }]);
    const old = await pool().query<{ mw: number | null; conn: number | null }>(
      `select derated_capacity_mw as mw, connection_capacity_mw as conn from ${ident(whole.tables.cmus)} where cmu_id = 'HJF242'`,
    );
    expect(old.rows).toEqual([{ mw: 6.801, conn: 30 }]);
    // "N/A" and "TBC" become null numbers with the text kept.
    const placeholders = await pool().query<{ mw: number | null; text: string | null; conn: number | null; conn_text: string | null }>(
      `select derated_capacity_mw as mw, derated_capacity_text as text, connection_capacity_mw as conn, connection_capacity_text as conn_text from ${ident(whole.tables.cmus)} where cmu_id = 'JP3009'`,
    );
    expect(placeholders.rows).toEqual([{ mw: null, text: 'N/A', conn: null, conn_text: 'TBC' }]);
    const comp = await pool().query<{ mw: number; conn: number }>(`select derated_capacity_mw as mw, connection_capacity_mw as conn from ${ident(whole.tables.components)} where cmu_id = 'HJF242'`);
    expect(comp.rows).toEqual([{ mw: 6.801, conn: 30 }]);
    // Both spellings' fields end under the same normalised names, whichever resource release they came from.
    const keys = await pool().query<{ k: string }>(`select distinct jsonb_object_keys(fields_json) as k from ${ident(whole.tables.components)}`);
    const names = keys.rows.map((r) => r.k);
    expect(names).toContain('derated_capacity');
    expect(names).toContain('connection_capacity');
    expect(names).toContain('permitted_on_site_generating_unit');
    expect(names.some((n) => /rated|DSR/i.test(n) && n !== 'derated_capacity' && !n.includes('refurbishing'))).toBe(false);
  });

  it('parses postcodes, outward codes, aggregated rows and technology classes', async () => {
    const r = await pool().query<{ postcode: string | null; outward: string | null; aggregated: boolean; tech: string }>(
      `select postcode, outward_code as outward, aggregated, technology_class as tech from ${ident(whole.tables.components)} where component_id in ('001RIS', 'BEDFST', 'ANGLCM - AggregatedComponent - CHP and autogeneration') order by component_id`,
    );
    expect(r.rows).toEqual([
      { postcode: 'CA15 8ES', outward: 'CA15', aggregated: false, tech: 'battery' },
      { postcode: null, outward: null, aggregated: true, tech: 'chp' },
      { postcode: 'MK44 3SD', outward: 'MK44', aggregated: false, tech: 'oil' },
    ]);
  });

  it('asks for components with filters, never q, and files none under the wrong CMU', async () => {
    const componentCalls = api.requests.filter((r) => r.resourceId === COMPONENT_RESOURCE);
    expect(componentCalls.length).toBeGreaterThan(0);
    expect(componentCalls.every((r) => r.q === undefined && r.filters && typeof r.filters['CMU ID'] === 'string')).toBe(true);
    // The trap is real in the double: q=JFIE21 returns rows of JFIE22 (its Component ID is JFIE21).
    const q = await (await fetch(`${api.baseUrl}/api/3/action/datastore_search?resource_id=${COMPONENT_RESOURCE}&q=JFIE21&limit=100`)).json() as { result: { records: Record<string, unknown>[] } };
    expect(q.result.records.some((x) => x['CMU ID'] === 'JFIE22')).toBe(true);
    // Every stored component is under the CMU its own record names, and exactly the register's CMUs' components landed.
    const bad = await pool().query(`select 1 from ${ident(whole.tables.components)} where fields_json->>'cmu_id' <> cmu_id`);
    expect(bad.rowCount).toBe(0);
    const ids = registerCmuIds();
    const want = new Set(data.components.filter((c) => ids.has(String(c['CMU ID']))).map((c) => `${String(c['Auction Name'])}|${String(c['CMU ID'])}|${String(c['Component ID'])}`));
    const got = await pool().query<{ k: string }>(`select auction_name || '|' || cmu_id || '|' || component_id as k from ${ident(whole.tables.components)}`);
    expect(new Set(got.rows.map((r) => r.k))).toEqual(want);
    const jfie22 = await pool().query<{ n: number }>(`select count(*)::int as n from ${ident(whole.tables.components)} where cmu_id = 'JFIE22'`);
    expect(jfie22.rows[0]!.n).toBe(data.components.filter((c) => c['CMU ID'] === 'JFIE22').length);
  });

  it('a crawl killed mid-page and resumed gives exactly the rows of an uninterrupted one, with no duplicate record', async () => {
    expect(crashes).toBe(2);
    expect(await dump(resumed)).toEqual(await dump(whole));
    const count = async (topic: string) => {
      const m = await readTopic(topic);
      return { n: m.length, keys: new Set(m.map((x) => x.key)).size };
    };
    const a = await count(whole.topics.components.name);
    const b = await count(resumed.topics.components.name);
    expect(b).toEqual(a);
    expect(b.n).toBe(b.keys);
    expect(await count(resumed.topics.cmus.name)).toEqual(await count(whole.topics.cmus.name));
  });

  it('dead-letters a record it cannot normalise, with the reason, and stores the rest', async () => {
    const dead = await readTopic(`dlq.${whole.topics.cmus.name}`);
    expect(dead).toHaveLength(1);
    expect(dead[0]!.headers.reason).toMatch(/Delivery Year is not a year: "soon"/);
    expect(dead[0]!.key).toContain('BADYR1');
    const rows = await pool().query(`select 1 from ${ident(whole.tables.cmus)}`);
    expect(rows.rowCount).toBe(data.register.length - 1);
  });

  it('logs each finished crawl with its counts in etl_run_log', async () => {
    const r = await pool().query<{ records_in: number; records_out: number; details: { unchanged: number; wrongCmu: number } }>(
      `select records_in, records_out, details from etl_run_log where task = $1 order by id`,
      [`crawl:${whole.id}`],
    );
    expect(r.rows).toHaveLength(1);
    expect(r.rows[0]!.records_out).toBe(data.register.length + (await pool().query(`select 1 from ${ident(whole.tables.components)}`)).rowCount!);
    expect(r.rows[0]!.details.unchanged).toBe(0);
  });

  it('an incremental crawl after two records changed publishes and rewrites only those two rows', async () => {
    const xmins = async () => {
      const r = await pool().query<{ k: string; x: string }>(
        `select 'c|' || auction_name || '|' || cmu_id as k, xmin::text as x from ${ident(whole.tables.cmus)}
         union all select 'p|' || auction_name || '|' || cmu_id || '|' || component_id, xmin::text from ${ident(whole.tables.components)}`,
      );
      return new Map(r.rows.map((x) => [x.k, x.x]));
    };
    const before = await xmins();
    const rawBefore = (await readTopic(whole.topics.cmus.name)).length + (await readTopic(whole.topics.components.name)).length;
    // A reload with two changed records: every _id is renumbered too, which must not count as a change.
    const register = api.rows(CMU_RESOURCE).map((r) => (r['CMU ID'] === 'Vent01' ? { ...r, 'De Rated Capacity': '7.9' } : r));
    const components = api.rows(COMPONENT_RESOURCE).map((r) => (r['Component ID'] === 'BEDFST' ? { ...r, 'Location and Post Code': 'BEDFORD STW, Meadow Lane, Bedford, MK44 3SE' } : r));
    api.load(CMU_RESOURCE, register);
    api.load(COMPONENT_RESOURCE, components);
    const r = await runSource(whole.source, { serde: whole.serde, once: true });
    expect(r.records).toBe(2);
    await process(whole);
    const after = await xmins();
    const rewritten = [...after].filter(([k, x]) => before.get(k) !== x).map(([k]) => k);
    expect(rewritten.sort()).toEqual(['c|2018-19 (T-1) One Year Ahead Capacity Auction|Vent01', 'p|2016-17 (TR) Transitional Capacity Auction|ANGLCM|BEDFST']);
    expect((await readTopic(whole.topics.cmus.name)).length + (await readTopic(whole.topics.components.name)).length).toBe(rawBefore + 2);
    const v = await pool().query<{ mw: number }>(`select derated_capacity_mw as mw from ${ident(whole.tables.cmus)} where cmu_id = 'Vent01'`);
    expect(v.rows).toEqual([{ mw: 7.9 }]);
    const log = await pool().query<{ details: { unchanged: number; published: number } }>(`select details from etl_run_log where task = $1 order by id desc limit 1`, [`crawl:${whole.id}`]);
    expect(log.rows[0]!.details.published).toBe(2);
  });

  it('spaces its requests by the throttle (NESO_THROTTLE_MS, 1.5 s by default; 150 ms here)', async () => {
    const polite = await nesoTestFlow('polite', { source: { baseUrl: api.baseUrl, pageSize: 50, cmusPerBatch: 50, throttleMs: 150 }, views: false });
    const from = api.requests.length;
    await runSource(polite.source, { serde: polite.serde, once: true });
    const at = api.requests.slice(from).map((r) => r.at);
    expect(at.length).toBeGreaterThan(10);
    const gaps = at.slice(1).map((t, i) => t - at[i]!);
    // Paced when sent; arrival times at the double jitter by the machine's load, so: on average the full spacing,
    // and never anywhere near back to back.
    expect((at[at.length - 1]! - at[0]!) / gaps.length).toBeGreaterThanOrEqual(148);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(100);
  });

  it('search finds a CMU by company, by postcode and by CMU ID', async () => {
    const byCompany = await searchRegister(pool(), whole.tables, 'tata steel');
    expect(byCompany.map((h) => h.cmuId).sort()).toEqual(['2015_1', '2015_2']);
    const byPostcode = await searchRegister(pool(), whole.tables, 'CA15 8ES');
    expect(byPostcode[0]!.cmuId).toBe('001RIS');
    const byOutward = await searchRegister(pool(), whole.tables, 'KY14');
    expect(byOutward.map((h) => h.cmuId)).toEqual(expect.arrayContaining(['JFIE21', 'JFIE22', 'HJF242']));
    const byId = await searchRegister(pool(), whole.tables, 'Vent01');
    expect(byId[0]).toMatchObject({ cmuId: 'Vent01', company: 'Morpheat Limited' });
  });
});
