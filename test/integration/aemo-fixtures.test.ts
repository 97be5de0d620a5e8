// Every real AEMO fixture whose tables gridstream ingests, end to end on the real stack: the fixture NEMWEB server ->
// the AEMO source (continuous mode for the live files, backfill for the MMSDM months) -> the four normalisers and
// the 5-min rooftop interpolation -> Postgres tables of this file's own. Each table is then compared, row by row and
// column by column, with an independent reading of the file: yauzl to unzip, csv-parse for the CSV, columns mapped
// by the I row's names, numbers as Number(text), NEM times as UTC+10. Nothing of gridstream's CSV/zip/time code
// (mms-csv.ts, zip.ts, nem-time.ts) is used on the expected side.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import yauzl from 'yauzl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closePool, pool } from '../../runtime/db.js';
import { readTopic } from '../../runtime/inspect.js';
import { runSource } from '../../runtime/producer-runner.js';
import type { ProduceResult } from '../../runtime/producer-runner.js';
import { Serde } from '../../runtime/serde.js';
import { runStages } from '../../runtime/stages.js';
import { applyTopics } from '../../runtime/topics-apply.js';
import type { Flow } from '../../runtime/components.js';
import { catalogue } from '../../schemas/catalogue.js';
import { DIR, serveNemweb } from '../../devkit/aemo/nemweb-tree.js';
import type { NemwebServer, NemwebTree } from '../../devkit/aemo/nemweb-tree.js';
import { aemoSource } from '../../producers/aemo/source.js';
import { aemoRawTopicSpecs } from '../../schemas/aemo/topics.js';
import type { AemoOptions } from '../../producers/aemo/source.js';
import { aemoPipelineFlows } from '../../pipeline/aemo.js';
import type { AemoTableNames } from '../../sinks/aemo/index.js';
import { LIVE, MMSDM_2024_08, MMSDM_DVD_ROOFTOP_2019_12, startFixtureNemweb } from '../support/nemweb-server.js';
import type { FixtureNemweb } from '../support/nemweb-server.js';

const FIXTURES = fileURLToPath(new URL('../../../shared/fixtures/aemo/', import.meta.url));
const LEGACY = 'PUBLIC_DISPATCH_202403151945_20240315194011_LEGACY.zip';
const FAST_HTTP = { minDelayMs: 20, maxDelayMs: 100, requestsPerSecond: 1000 };
const NOW = '2026-11-23T00:00:00Z';
const serde = Serde.fromConfig();

// ---- the expected side: an independent reading of the files ----

/** The text of the only entry of a zip, by yauzl. */
function unzipOnly(bytes: Buffer): Promise<{ name: string; text: string }> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(bytes, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err ?? new Error('no zip'));
      const found: { name: string; text: string }[] = [];
      zip.on('error', reject);
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e ?? new Error('no stream'));
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('error', reject);
          stream.on('end', () => {
            found.push({ name: entry.fileName, text: Buffer.concat(chunks).toString('utf8') });
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => (found.length === 1 ? resolve(found[0]!) : reject(new Error(`${found.length} entries`))));
      zip.readEntry();
    });
  });
}

const fileBytes = (name: string): Buffer => readFileSync(join(FIXTURES, name));
const fileText = async (name: string): Promise<string> => (name.endsWith('.zip') ? (await unzipOnly(fileBytes(name))).text : fileBytes(name).toString('utf8'));

/** D rows of one table (`report,subtype`), as objects keyed by the I row's column names. */
function tableRows(text: string, report: string, subtype: string): Record<string, string>[] {
  const records = parse(text, { relax_column_count: true }) as string[][];
  let columns: string[] | undefined;
  const out: Record<string, string>[] = [];
  for (const r of records) {
    if (r[1] !== report || r[2] !== subtype) continue;
    if (r[0] === 'I') columns = r.slice(4);
    else if (r[0] === 'D') {
      if (!columns) throw new Error(`D row before I row for ${report},${subtype}`);
      out.push(Object.fromEntries(columns.map((c, i) => [c, r[4 + i]!])));
    }
  }
  return out;
}

/** `report,subtype` of every I row of a file. */
function tablesOf(text: string): string[] {
  return (parse(text, { relax_column_count: true }) as string[][]).filter((r) => r[0] === 'I').map((r) => `${r[1]},${r[2]}`);
}

const NEM_RE = /^(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;
/** `YYYY/MM/DD HH:MM:SS` NEM time (UTC+10, no daylight saving) -> UTC ms. */
function nemMs(s: string): number {
  const m = NEM_RE.exec(s);
  if (!m) throw new Error(`not a NEM time: ${s}`);
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) - 10 * 3600_000;
}
const iso = (s: string | undefined): string | null => (s === undefined || s === '' ? null : new Date(nemMs(s)).toISOString());
const nemLabel = (s: string): string => s.replaceAll('/', '-').replace(' ', 'T');
const labelOf = (utc: number): string => new Date(utc + 10 * 3600_000).toISOString().slice(0, 19);
const num = (s: string | undefined): number | null => (s === undefined || s === '' ? null : Number(s));

type Row = Record<string, unknown>;

const expectScada = (rows: Record<string, string>[]): Row[] =>
  rows.map((r) => ({ settlementdate: iso(r.SETTLEMENTDATE), duid: r.DUID, scadavalue: num(r.SCADAVALUE), lastchanged: iso(r.LASTCHANGED), settlementdate_nem: nemLabel(r.SETTLEMENTDATE!) }));
const expectPrice = (rows: Record<string, string>[]): Row[] =>
  rows.map((r) => ({
    settlementdate: iso(r.SETTLEMENTDATE),
    regionid: r.REGIONID,
    intervention: num(r.INTERVENTION),
    rrp: num(r.RRP),
    eep: num(r.EEP),
    rop: num(r.ROP),
    apcflag: num(r.APCFLAG),
    marketsuspendedflag: num(r.MARKETSUSPENDEDFLAG),
    lastchanged: iso(r.LASTCHANGED),
    settlementdate_nem: nemLabel(r.SETTLEMENTDATE!),
  }));
const expectInterconnector = (rows: Record<string, string>[]): Row[] =>
  rows.map((r) => ({
    settlementdate: iso(r.SETTLEMENTDATE),
    interconnectorid: r.INTERCONNECTORID,
    intervention: num(r.INTERVENTION),
    meteredmwflow: num(r.METEREDMWFLOW),
    mwflow: num(r.MWFLOW),
    mwlosses: num(r.MWLOSSES),
    exportlimit: num(r.EXPORTLIMIT),
    importlimit: num(r.IMPORTLIMIT),
    lastchanged: iso(r.LASTCHANGED),
    settlementdate_nem: nemLabel(r.SETTLEMENTDATE!),
  }));
const expectRooftop = (rows: Record<string, string>[]): Row[] =>
  rows.map((r) => ({
    interval_datetime: iso(r.INTERVAL_DATETIME),
    regionid: r.REGIONID,
    type: r.TYPE,
    power: num(r.POWER),
    qi: num(r.QI),
    lastchanged: iso(r.LASTCHANGED),
    interval_datetime_nem: nemLabel(r.INTERVAL_DATETIME!),
  }));

/** Rows whose time field (an interval END) lies in the NEM days from..to: (from 00:00, to+1 00:00]. */
function inDays(rows: Record<string, string>[], column: string, from: string, to: string): Record<string, string>[] {
  const start = Date.parse(`${from}T00:00:00+10:00`);
  const end = Date.parse(`${to}T00:00:00+10:00`) + 24 * 3600_000;
  return rows.filter((r) => nemMs(r[column]!) > start && nemMs(r[column]!) <= end);
}

// ---- the actual side: a pipeline of this file's own per scenario ----

interface Pipeline {
  id: string;
  tables: AemoTableNames;
  topics: Record<'scada' | 'price' | 'interconnector' | 'rooftop', string>;
  produced: ProduceResult;
  flows: Flow[];
}

const created: string[] = [];

/** Own topics, tables and source name; runs the source once with `options`, then processors and sinks (drain). */
async function runPipeline(tag: string, baseUrl: string, options: AemoOptions, o: { without5min?: boolean } = {}): Promise<Pipeline> {
  const id = `t_aemofx_${tag}_${randomBytes(3).toString('hex')}`;
  const prefix = `raw.${id}`;
  const raw = aemoRawTopicSpecs(prefix);
  const source = aemoSource({ name: id, topicPrefix: prefix, baseUrl, http: FAST_HTTP });
  const tables: AemoTableNames = { scada: `${id}_scada`, price: `${id}_price`, interconnector: `${id}_ic`, rooftop: `${id}_rooftop`, rooftop5: `${id}_rooftop5`, registry: `${id}_duids` };
  const built = aemoPipelineFlows(raw, { id, tables, views: false, source });
  const like: AemoTableNames = { scada: 'aemo_unit_scada', price: 'aemo_region_price', interconnector: 'aemo_interconnector_flow', rooftop: 'aemo_rooftop_pv', rooftop5: 'aemo_rooftop_pv_5min', registry: 'aemo_duid_registry' };
  for (const k of Object.keys(tables) as (keyof AemoTableNames)[]) {
    await pool().query(`create table ${tables[k]} (like ${like[k]} including all)`);
    created.push(tables[k]);
  }
  await applyTopics(catalogue(built.flows), serde);
  const produced = await runSource(source, { serde, once: true, options });
  const flows = o.without5min ? built.flows.filter((f) => f.processor !== built.processing.processors.rooftop5) : built.flows;
  await runStages(flows, serde, { kinds: ['process', 'sink'], once: true });
  return { id, tables, topics: { scada: raw.scada.name, price: raw.price.name, interconnector: raw.interconnector.name, rooftop: raw.rooftop.name }, produced, flows: built.flows };
}

/** A whole table, times as ISO strings, in a stable order. */
async function dump(table: string): Promise<Row[]> {
  if (!/^[a-z0-9_]+$/.test(table)) throw new Error('bad table name');
  const r = await pool().query<Row>(`select * from ${table}`);
  return sortRows(r.rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v]))));
}

function sortRows(rows: Row[]): Row[] {
  const key = (r: Row) => JSON.stringify(Object.keys(r).sort().map((k) => r[k]));
  return [...rows].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

const count = async (table: string): Promise<number> => (await pool().query<{ n: number }>(`select count(*)::int as n from ${table}`)).rows[0]!.n;

let server: FixtureNemweb;

beforeAll(async () => {
  server = await startFixtureNemweb({ browserOnly: true });
});

afterAll(async () => {
  await server?.close();
  for (const t of created) await pool().query(`drop table if exists ${t}`);
  await closePool();
});

describe('live files (continuous mode): sample_dispatchscada.csv and sample_dispatchis.csv', () => {
  let p: Pipeline;
  let scadaText: string;
  let isText: string;

  beforeAll(async () => {
    scadaText = await fileText('sample_dispatchscada.csv');
    isText = await fileText('sample_dispatchis.csv');
    // The fixture server's Current dirs: the SCADA file (00:05), the same CSV relabelled 00:10 behind two 500s, a
    // corrupt and a truncated zip (dead-lettered), and the DISPATCHIS file. Rooftop live files there are generated,
    // not fixtures, so this run leaves rooftop out.
    p = await runPipeline('live', server.url, { datasets: 'scada,price,interconnector', truncatedRetries: 1 });
  });

  it('aemo_unit_scada: every row of the file, with the file\'s values, at 00:05 (and the 00:10 relabelled copy)', async () => {
    const file = tableRows(scadaText, 'DISPATCH', 'UNIT_SCADA');
    expect(file.length).toBe(493);
    const rows = await dump(p.tables.scada);
    const at0005 = rows.filter((r) => r.settlementdate_nem === '2025-12-27T00:05:00');
    expect(at0005).toEqual(sortRows(expectScada(file)));
    // The server's flaky file is this very CSV with only SETTLEMENTDATE changed.
    const relabelled = file.map((r) => ({ ...r, SETTLEMENTDATE: '2025/12/27 00:10:00' }));
    expect(rows.filter((r) => r.settlementdate_nem === '2025-12-27T00:10:00')).toEqual(sortRows(expectScada(relabelled)));
    expect(rows).toHaveLength(2 * file.length);
    // Spot values as the provenance note gives them, read from the file (not typed in): BW01 328.166630.
    expect(at0005.find((r) => r.duid === 'BW01')?.scadavalue).toBe(Number(file.find((r) => r.DUID === 'BW01')!.SCADAVALUE));
  });

  it('aemo_region_price and aemo_interconnector_flow equal the DISPATCHIS file\'s PRICE and INTERCONNECTORRES rows', async () => {
    const prices = tableRows(isText, 'DISPATCH', 'PRICE');
    const ics = tableRows(isText, 'DISPATCH', 'INTERCONNECTORRES');
    expect([prices.length, ics.length]).toEqual([5, 6]);
    expect(await dump(p.tables.price)).toEqual(sortRows(expectPrice(prices)));
    expect(await dump(p.tables.interconnector)).toEqual(sortRows(expectInterconnector(ics)));
    // No rooftop asked for, none stored; the 5-min table stays empty too.
    expect([await count(p.tables.rooftop), await count(p.tables.rooftop5)]).toEqual([0, 0]);
  });

  it('never asks for the LEGACY Dispatch_Reports file the server also lists', () => {
    expect(server.requests.some((r) => r.path.includes('Dispatch_Reports/'))).toBe(false);
    expect(server.requests.some((r) => r.path.endsWith(LIVE.dispatchis) && r.status === 200)).toBe(true);
  });
});

describe('MMSDM 2024-08 monthly archives (backfill of the whole month)', () => {
  let p: Pipeline;
  const text: Partial<Record<keyof typeof MMSDM_2024_08, string>> = {};

  beforeAll(async () => {
    for (const [k, name] of Object.entries(MMSDM_2024_08)) text[k as keyof typeof MMSDM_2024_08] = await fileText(name);
    p = await runPipeline('mmsdm', server.url, { from: '2024-08-01', to: '2024-08-31', now: NOW });
  });

  it('reads the four files through %2523 URLs and publishes every D row of each, nothing dead-lettered', () => {
    const n = (tableRows(text.scada!, 'DISPATCH', 'UNIT_SCADA').length + tableRows(text.price!, 'DISPATCH', 'PRICE').length
      + tableRows(text.interconnector!, 'DISPATCH', 'INTERCONNECTORRES').length + tableRows(text.rooftop!, 'ROOFTOP', 'ACTUAL').length);
    expect(p.produced.records).toBe(n);
    expect(p.produced.deadLetters).toBe(0);
  });

  it('aemo_unit_scada equals DISPATCH_UNIT_SCADA (no LASTCHANGED column: null)', async () => {
    const file = tableRows(text.scada!, 'DISPATCH', 'UNIT_SCADA');
    expect(Object.keys(file[0]!)).toEqual(['SETTLEMENTDATE', 'DUID', 'SCADAVALUE']);
    const want = expectScada(file);
    expect(want.every((r) => r.lastchanged === null)).toBe(true);
    expect(await dump(p.tables.scada)).toEqual(sortRows(want));
  });

  it('aemo_region_price equals DISPATCHPRICE', async () => {
    expect(await dump(p.tables.price)).toEqual(sortRows(expectPrice(tableRows(text.price!, 'DISPATCH', 'PRICE'))));
  });

  it('aemo_interconnector_flow equals DISPATCHINTERCONNECTORRES', async () => {
    expect(await dump(p.tables.interconnector)).toEqual(sortRows(expectInterconnector(tableRows(text.interconnector!, 'DISPATCH', 'INTERCONNECTORRES'))));
  });

  it('aemo_rooftop_pv equals ROOFTOP_PV_ACTUAL, read by column name (LASTCHANGED,TYPE,QI order)', async () => {
    const file = tableRows(text.rooftop!, 'ROOFTOP', 'ACTUAL');
    expect(Object.keys(file[0]!)).toEqual(['INTERVAL_DATETIME', 'REGIONID', 'POWER', 'LASTCHANGED', 'TYPE', 'QI']);
    expect(new Set(file.map((r) => r.TYPE))).toEqual(new Set(['MEASUREMENT', 'SATELLITE']));
    expect(await dump(p.tables.rooftop)).toEqual(sortRows(expectRooftop(file)));
  });
});

/**
 * The reference 5-min expansion, written out here: per region, the 30-min MEASUREMENT value `cur` labelled T and the
 * next one `next` at T+30 give the six slots T, T+5, ..., T+25, each ((6-j)*cur + j*next)/6; without a value at T+30
 * the six slots are flat `cur` and provisional. An empty POWER counts as 0. SATELLITE rows take no part.
 */
function interpolated(rows: Record<string, string>[]): { rows: Row[]; series: Map<string, Map<number, number>> } {
  const series = new Map<string, Map<number, number>>();
  for (const r of rows.filter((x) => x.TYPE === 'MEASUREMENT')) {
    const m = series.get(r.REGIONID!) ?? new Map<number, number>();
    m.set(nemMs(r.INTERVAL_DATETIME!), r.POWER === '' ? 0 : Number(r.POWER));
    series.set(r.REGIONID!, m);
  }
  const out: Row[] = [];
  for (const [region, values] of series) {
    for (const [t, cur] of values) {
      const next = values.get(t + 30 * 60_000);
      for (let j = 0; j < 6; j++) {
        const slot = t + j * 5 * 60_000;
        out.push({ settlementdate: new Date(slot).toISOString(), regionid: region, power: next === undefined ? cur : ((6 - j) * cur + j * next) / 6, provisional: next === undefined, settlementdate_nem: labelOf(slot) });
      }
    }
  }
  return { rows: sortRows(out), series };
}

describe('PUBLIC_DVD_ROOFTOP_PV_ACTUAL_201912010000.zip (backfill of December 2019, rooftop only)', () => {
  let p: Pipeline;
  let file: Record<string, string>[];
  const FROM = '2019-12-01';
  const TO = '2019-12-31';

  beforeAll(async () => {
    file = tableRows(await fileText(MMSDM_DVD_ROOFTOP_2019_12), 'ROOFTOP', 'ACTUAL');
    // The whole month in one backfill; the 5-min interpolation runs in its own test below.
    p = await runPipeline('dvd', server.url, { from: FROM, to: TO, datasets: 'rooftop', now: NOW }, { without5min: true });
  });

  it('aemo_rooftop_pv holds every row of the file whose interval ends in December, both types, with the file\'s values', async () => {
    expect(file).toHaveLength(30_720);
    expect(file.filter((r) => r.TYPE === 'MEASUREMENT')).toHaveLength(15_360);
    expect(Object.keys(file[0]!)).toEqual(['INTERVAL_DATETIME', 'REGIONID', 'POWER', 'QI', 'TYPE', 'LASTCHANGED']);
    const window = inDays(file, 'INTERVAL_DATETIME', FROM, TO);
    // The file runs on to 2020/01/02 00:00: NEM day 2020-01-01 is January's, outside the requested range.
    expect(file.length - window.length).toBe(inDays(file, 'INTERVAL_DATETIME', '2020-01-01', '2020-01-01').length);
    expect(p.produced.records).toBe(window.length);
    const rows = await dump(p.tables.rooftop);
    expect(rows).toHaveLength(window.length);
    expect(rows).toEqual(sortRows(expectRooftop(window)));
    expect(new Set(rows.map((r) => r.type))).toEqual(new Set(['MEASUREMENT', 'SATELLITE']));
  });

  // One consumed batch of a month's rooftop rows emits ~90k 5-min rows: the runner must split them into record
  // batches under the broker's size limit (it crashed before it used chunks()).
  it('aemo_rooftop_pv_5min for the whole month equals the reference interpolation', async () => {
    const built = p.flows.find((f) => f.processor?.name.startsWith('aemo_rooftop_pv_5min'))!;
    await runStages([built], serde, { kinds: ['process', 'sink'], once: true });
    expect(await dump(p.tables.rooftop5)).toEqual(interpolated(inDays(file, 'INTERVAL_DATETIME', FROM, TO)).rows);
    // A month of 5-minute slots (~90k rows through a transaction and a sink): minutes on a loaded two-core machine.
  }, 300_000);
});

describe('PUBLIC_DVD_ROOFTOP_PV_ACTUAL_201912010000.zip: the 5-min rooftop table for two days', () => {
  let p: Pipeline;
  let window: Record<string, string>[];

  beforeAll(async () => {
    window = inDays(tableRows(await fileText(MMSDM_DVD_ROOFTOP_2019_12), 'ROOFTOP', 'ACTUAL'), 'INTERVAL_DATETIME', '2019-12-14', '2019-12-15');
    p = await runPipeline('dvd5', server.url, { from: '2019-12-14', to: '2019-12-15', datasets: 'rooftop', now: NOW });
  });

  it('aemo_rooftop_pv_5min equals the interpolation formula computed here, every region, MEASUREMENT only', async () => {
    const want = interpolated(window);
    expect(want.series.size).toBe(10);
    const rows = await dump(p.tables.rooftop5);
    expect(rows).toHaveLength(window.filter((r) => r.TYPE === 'MEASUREMENT').length * 6);
    expect(rows).toEqual(want.rows);
  });

  it('one full NEM day of one region by hand: NSW1 on 2019-12-15, 288 slots 00:00 .. 23:55, none provisional', async () => {
    const nsw = interpolated(window).series.get('NSW1')!;
    const day0 = Date.parse('2019-12-15T00:00:00+10:00');
    const rows = (await dump(p.tables.rooftop5)).filter((r) => r.regionid === 'NSW1' && (r.settlementdate_nem as string).startsWith('2019-12-15T'));
    expect(rows).toHaveLength(288);
    for (const r of rows) {
      const slot = Date.parse(r.settlementdate as string);
      const k = (slot - day0) / 300_000;
      const j = k % 6;
      const t = day0 + Math.floor(k / 6) * 1_800_000;
      const cur = nsw.get(t)!;
      const next = nsw.get(t + 1_800_000)!;
      expect(r).toEqual({ settlementdate: new Date(slot).toISOString(), regionid: 'NSW1', power: ((6 - j) * cur + j * next) / 6, provisional: false, settlementdate_nem: labelOf(slot) });
    }
    expect(rows.some((r) => (r.power as number) > 0)).toBe(true);
  });
});

describe('PUBLIC_DISPATCH_..._LEGACY.zip', () => {
  let legacy: NemwebServer;

  afterAll(async () => {
    await legacy?.close();
  });

  it('holds none of the four tables we ingest, and read as a DISPATCHIS file it yields no record for our raw topics', async () => {
    const text = await fileText(LEGACY);
    const tables = tablesOf(text);
    expect(tables).toContain('DREGION,');
    for (const t of ['DISPATCH,UNIT_SCADA', 'DISPATCH,PRICE', 'DISPATCH,INTERCONNECTORRES', 'ROOFTOP,ACTUAL']) expect(tables).not.toContain(t);

    // The source never lists Dispatch_Reports; to make it actually read the file, serve it (bytes unchanged) as
    // this interval's DISPATCHIS and SCADA files.
    const tree: NemwebTree = new Map();
    tree.set(`${DIR.dispatchis}PUBLIC_DISPATCHIS_202403151945_0000000413803622.zip`, { body: fileBytes(LEGACY) });
    tree.set(`${DIR.scada}PUBLIC_DISPATCHSCADA_202403151945_0000000413803622.zip`, { body: fileBytes(LEGACY) });
    legacy = await serveNemweb(tree, { browserOnly: true });
    const p = await runPipeline('legacy', legacy.url, { datasets: 'scada,price,interconnector' });
    expect(legacy.requests.filter((r) => r.path.endsWith('.zip') && r.status === 200)).toHaveLength(2);
    expect(p.produced).toMatchObject({ records: 0, deadLetters: 0 });
    for (const topic of Object.values(p.topics)) expect(await readTopic(topic, { idleMs: 500 }), topic).toHaveLength(0);
    for (const t of [p.tables.scada, p.tables.price, p.tables.interconnector, p.tables.rooftop]) expect(await count(t)).toBe(0);
  });
});
