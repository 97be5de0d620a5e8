// The AEMO processing and sink half end to end on the real stack: raw records built from the real NEMWEB fixtures
// (read in place from /work/shared) -> the four normalisers -> clean topics -> the stateful 5-min rooftop
// interpolation -> the five Postgres tables. Topics, tables, groups and views are this file's own.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SourceComponent } from '../../runtime/components.js';
import { closePool, pool } from '../../runtime/db.js';
import { kafka } from '../../runtime/kafka.js';
import { runPgSink } from '../../runtime/pg-sink-runner.js';
import { runProcessor } from '../../runtime/processor-runner.js';
import { runSource } from '../../runtime/producer-runner.js';
import { publishWholeView, readWholeView, redisClient, runKeyedView } from '../../runtime/redis-views.js';
import { Serde } from '../../runtime/serde.js';
import { runStatefulProcessor } from '../../runtime/stateful-processor-runner.js';
import { applyTopics } from '../../runtime/topics-apply.js';
import { catalogue } from '../../schemas/catalogue.js';
import { rawTopic, type TopicSpec } from '../../schemas/topics.js';
import { parseMms, readMms, type MmsRow } from '../../producers/aemo/mms-csv.js';
import { parseNemTime } from '../../schemas/aemo/nem-time.js';
import { toRawRecords, type AemoRawRecord } from '../../producers/aemo/records.js';
import { zipCsvs } from '../../producers/aemo/zip.js';
import type { RawRecord } from '../../runtime/types.js';
import { interpolateSeries } from '../../processors/aemo/rooftop-interpolation.js';
import type { CleanRooftopPv } from '../../schemas/aemo/clean.js';
import { closeAemoViews, type AemoSinks } from '../../sinks/aemo/index.js';
import { aemoPipelineFlows } from '../../pipeline/aemo.js';
import type { AemoProcessing } from '../../processors/aemo/components.js';

const FIXTURES = fileURLToPath(new URL('../../../shared/fixtures/aemo/', import.meta.url));
const fixture = (name: string) => join(FIXTURES, name);
const SCADA_FILE = 'PUBLIC_DISPATCHSCADA_202512270005_0000000495867506.CSV';
const IS_FILE = 'PUBLIC_DISPATCHIS_202512270005_0000000495867507.CSV';
const ROOFTOP_ZIP = 'PUBLIC_ARCHIVE%23ROOFTOP_PV_ACTUAL%23FILE01%23202408010000.zip';

const id = `t_aemo_${randomBytes(3).toString('hex')}`;
const serde = Serde.fromConfig();
let processing: AemoProcessing;
let sinks: AemoSinks;
let raw: { scada: TopicSpec; price: TopicSpec; interconnector: TopicSpec; rooftop: TopicSpec };
const tables = { scada: `${id}_scada`, price: `${id}_price`, interconnector: `${id}_ic`, rooftop: `${id}_rooftop`, rooftop5: `${id}_rooftop5`, registry: `${id}_duids` };
const views = { priceLatest: `${id}_price_latest`, price24h: `${id}_price_24h`, generationLatest: `${id}_gen_latest` };

/** The DISPATCHIS fixture plus an intervention run (INTERVENTION=1) copy of the NSW1 price and VIC1-NSW1 flow rows. */
function dispatchIsText(): string {
  const lines = readFileSync(fixture('sample_dispatchis.csv'), 'utf8').split('\r\n');
  const out: string[] = [];
  for (const line of lines) {
    out.push(line);
    if (line.startsWith('D,DISPATCH,PRICE,5,') && line.includes(',NSW1,')) {
      const f = line.split(',');
      f[8] = '1'; // INTERVENTION (fields: D,DISPATCH,PRICE,5,"date time",RUNNO,REGIONID,DISPATCHINTERVAL,INTERVENTION,RRP)
      f[9] = '35.5';
      out.push(f.join(','));
    }
    if (line.startsWith('D,DISPATCH,INTERCONNECTORRES,3,') && line.includes(',VIC1-NSW1,')) {
      const f = line.split(',');
      f[8] = '1';
      f[9] = '1000.25'; // METEREDMWFLOW
      out.push(f.join(','));
    }
  }
  return out.join('\r\n');
}

async function rooftopRows(): Promise<MmsRow[]> {
  const rows: MmsRow[] = [];
  for await (const entry of zipCsvs(fixture(ROOFTOP_ZIP))) for await (const row of readMms(await entry.open())) rows.push(row);
  return rows;
}

const scadaRecords = () => toRawRecords(parseMms(readFileSync(fixture('sample_dispatchscada.csv'))).rows, { file: SCADA_FILE, fallbackTime: 0 });
const isRecords = () => toRawRecords(parseMms(dispatchIsText()).rows, { file: IS_FILE, fallbackTime: 0 });

/** Publishes raw records through the real source runner, with a one-batch in-test source. */
async function publish(records: AemoRawRecord[]): Promise<void> {
  const topicOf = new WeakMap<object, string>();
  const topicName = { 'raw.aemo.unit_scada': raw.scada.name, 'raw.aemo.dispatch_price': raw.price.name, 'raw.aemo.interconnector': raw.interconnector.name, 'raw.aemo.rooftop_actual': raw.rooftop.name };
  for (const r of records) topicOf.set(r.record.value, topicName[r.topic]);
  const source: SourceComponent<object, number> = {
    kind: 'source',
    name: `${id}_source`,
    topics: [raw.scada, raw.price, raw.interconnector, raw.rooftop],
    topicOf: (v) => topicOf.get(v)!,
    pollEveryMs: 1000,
    source: {
      name: `${id}_source`,
      async *read(cursor) {
        yield { records: records.map((r) => r.record as RawRecord<object>), cursor: (cursor ?? 0) + 1 };
      },
    },
  };
  await runSource(source, { serde, once: true });
}

async function processAll(): Promise<void> {
  const p = processing.processors;
  const o = { serde, mode: 'drain' } as const;
  await Promise.all([runProcessor(p.scada, o), runProcessor(p.price, o), runProcessor(p.interconnector, o), runProcessor(p.rooftop, o)]);
  // After the 30-min rooftop processor: the interpolation reads its output.
  await runStatefulProcessor(p.rooftop5, { serde, mode: 'drain' });
}

async function sinkAll(): Promise<void> {
  const o = { serde, mode: 'drain' } as const;
  await Promise.all([runPgSink(sinks.scada, o), runPgSink(sinks.price, o), runPgSink(sinks.interconnector, o), runPgSink(sinks.rooftop, o), runPgSink(sinks.rooftop5, o)]);
  await runKeyedView(sinks.priceLatest!, { serde, mode: 'drain' });
}

async function dump(table: string): Promise<Record<string, unknown>[]> {
  if (!/^[a-z0-9_]+$/.test(table)) throw new Error('bad table name');
  const r = await pool().query(`select * from ${table} order by 1, 2, 3`);
  return r.rows.map((row: Record<string, unknown>) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v])));
}

const allTables = () => Promise.all(Object.values(tables).map(dump));
const iso = (nem: string) => new Date(parseNemTime(nem)!.utc).toISOString();
const num = (v: string | undefined) => (v === undefined || v === '' ? null : Number(v));

let rooftop: MmsRow[];
let cut: number;

beforeAll(async () => {
  raw = {
    scada: rawTopic(`raw.aemo.unit_scada.${id}`, { key: 'duid|settlementdate', schema: './aemo/raw.aemo.unit_scada.avsc', description: 'test' }),
    price: rawTopic(`raw.aemo.dispatch_price.${id}`, { key: 'regionid|settlementdate|intervention', schema: './aemo/raw.aemo.dispatch_price.avsc', description: 'test' }),
    interconnector: rawTopic(`raw.aemo.interconnector.${id}`, { key: 'interconnectorid|settlementdate|intervention', schema: './aemo/raw.aemo.interconnector.avsc', description: 'test' }),
    // One partition, as recommended for the real raw rooftop topic: rows reach the interpolation in file order.
    rooftop: rawTopic(`raw.aemo.rooftop_actual.${id}`, { key: 'regionid|interval_datetime|type', schema: './aemo/raw.aemo.rooftop_actual.avsc', partitions: 1, description: 'test' }),
  };
  const built = aemoPipelineFlows(raw, { id, tables, views });
  processing = built.processing;
  sinks = built.sinks;
  const like = { scada: 'aemo_unit_scada', price: 'aemo_region_price', interconnector: 'aemo_interconnector_flow', rooftop: 'aemo_rooftop_pv', rooftop5: 'aemo_rooftop_pv_5min', registry: 'aemo_duid_registry' } as const;
  for (const [k, t] of Object.entries(tables)) await pool().query(`create table ${t} (like ${like[k as keyof typeof like]} including all)`);
  await pool().query(`insert into ${tables.registry} (duid, regionid, fuel) values ('BW01', 'NSW1', 'Coal'), ('ER01', 'NSW1', 'Coal')`);
  await applyTopics(catalogue(built.flows), serde);

  // First run: SCADA, DISPATCHIS and the first part of the rooftop file; the rest of rooftop comes in a second run,
  // so the interpolation must carry its state (the last 30-min value per region) across runs.
  rooftop = await rooftopRows();
  cut = Math.floor(rooftop.length / 3);
  await publish([...scadaRecords(), ...isRecords(), ...toRawRecords(rooftop.slice(0, cut), { file: ROOFTOP_ZIP, fallbackTime: 0 })]);
  await processAll();
  await sinkAll();
});

afterAll(async () => {
  closeAemoViews();
  await closePool();
});

describe('AEMO raw fixtures through processors and sinks', () => {
  it('aemo_unit_scada holds every SCADA row of the live file with identical values', async () => {
    const want = parseMms(readFileSync(fixture('sample_dispatchscada.csv'))).rows.filter((r) => r.table.subtype === 'UNIT_SCADA');
    expect(want.length).toBe(493);
    const rows = await dump(tables.scada);
    expect(rows.length).toBe(493);
    const byDuid = new Map(rows.map((r) => [r.duid as string, r]));
    for (const w of want) {
      const got = byDuid.get(w.row.DUID!);
      expect(got, w.row.DUID).toEqual({
        settlementdate: '2025-12-26T14:05:00.000Z',
        duid: w.row.DUID,
        scadavalue: num(w.row.SCADAVALUE),
        lastchanged: iso(w.row.LASTCHANGED!),
        settlementdate_nem: '2025-12-27T00:05:00',
      });
    }
    expect(byDuid.get('BW01')?.scadavalue).toBe(328.16663);
    expect(byDuid.get('ER01')?.scadavalue).toBe(491.88983);
    expect(byDuid.get('HDWF2')?.scadavalue).toBe(76.5);
  });

  it('prices and flows match the DISPATCHIS file, intervention 0 and 1 rows both kept', async () => {
    const prices = await dump(tables.price);
    expect(prices.map((p) => [p.regionid, p.intervention, p.rrp])).toEqual([
      ['NSW1', 0, 33.51273],
      ['NSW1', 1, 35.5],
      ['QLD1', 0, 34.75],
      ['SA1', 0, 0.02331],
      ['TAS1', 0, 1.12],
      ['VIC1', 0, -2.69976],
    ]);
    expect(prices[0]).toMatchObject({ settlementdate: '2025-12-26T14:05:00.000Z', eep: 0, rop: 33.51273, apcflag: 0, marketsuspendedflag: 0, lastchanged: '2025-12-26T14:00:15.000Z', settlementdate_nem: '2025-12-27T00:05:00' });
    const flows = await dump(tables.interconnector);
    expect(flows.length).toBe(7);
    const vn = flows.filter((f) => f.interconnectorid === 'VIC1-NSW1');
    expect(vn).toEqual([
      { settlementdate: '2025-12-26T14:05:00.000Z', interconnectorid: 'VIC1-NSW1', intervention: 0, meteredmwflow: 1087.51257, mwflow: 1110.2242, mwlosses: 132.31201, exportlimit: 1110.2242, importlimit: -624.34752, lastchanged: '2025-12-26T14:00:15.000Z', settlementdate_nem: '2025-12-27T00:05:00' },
      { settlementdate: '2025-12-26T14:05:00.000Z', interconnectorid: 'VIC1-NSW1', intervention: 1, meteredmwflow: 1000.25, mwflow: 1110.2242, mwlosses: 132.31201, exportlimit: 1110.2242, importlimit: -624.34752, lastchanged: '2025-12-26T14:00:15.000Z', settlementdate_nem: '2025-12-27T00:05:00' },
    ]);
    expect(flows.find((f) => f.interconnectorid === 'T-V-MNSP1')).toMatchObject({ intervention: 0, exportlimit: 125, importlimit: -0.00001 }); // -1E-05 as written
  });

  it('the Redis views show the market price per region, the 24 h series and generation by region and fuel', async () => {
    const r = redisClient();
    try {
      const latest = await r.hgetall(`gs:view:${views.priceLatest}:by_region`);
      expect(Object.keys(latest).sort()).toEqual(['NSW1', 'QLD1', 'SA1', 'TAS1', 'VIC1']);
      expect(JSON.parse(latest.NSW1!)).toMatchObject({ rrp: 33.51273, settlementdate_nem: '2025-12-27T00:05:00' }); // intervention 1 (35.5) ignored
      const series = JSON.parse((await readWholeView(r, views.price24h))!) as { regions: Record<string, [string, number][]> };
      expect(series.regions.VIC1).toEqual([['2025-12-26T14:05:00.000Z', -2.69976]]);
      const gen = JSON.parse((await readWholeView(r, views.generationLatest))!) as { regions: Record<string, Record<string, number>>; unknownDuids: string[] };
      expect(gen.regions.NSW1!.Coal).toBeCloseTo(328.16663 + 491.88983, 4);
      expect(gen.unknownDuids).toContain('HDWF2');
      expect(gen.unknownDuids).not.toContain('BW01');
      expect(gen.regions.NSW1!['Distributed Gen']).toBeDefined(); // DG_NSW1, guessed from its name
    } finally {
      r.disconnect();
    }
  });

  it('a whole view lost after the last batch (Redis restarted) is rebuilt by a caught-up sink, with no new record', async () => {
    const r = redisClient();
    try {
      const before = { price: await readWholeView(r, views.price24h), gen: await readWholeView(r, views.generationLatest) };
      expect(before.price).not.toBeNull();
      // What a Redis restart without persistence leaves: no pointer and no version of either view.
      for (const v of [views.price24h, views.generationLatest]) {
        const keys = await r.keys(`${r.options.keyPrefix ?? ''}gs:view:${v}:*`);
        for (const k of keys) await r.del(k.slice((r.options.keyPrefix ?? '').length));
      }
      expect(await readWholeView(r, views.price24h)).toBeNull();
      // A running sink with nothing left to consume heals on its timer; a drain heals before it ends.
      const stop = new AbortController();
      const running = runPgSink(sinks.price, { serde, mode: 'forever', healEveryMs: 200, signal: stop.signal });
      const deadline = Date.now() + 60_000;
      while ((await readWholeView(r, views.price24h)) === null && Date.now() < deadline) await new Promise((ok) => setTimeout(ok, 200));
      stop.abort();
      await running;
      expect(await readWholeView(r, views.price24h)).toBe(before.price);
      await runPgSink(sinks.scada, { serde, mode: 'drain' });
      expect(await readWholeView(r, views.generationLatest)).toBe(before.gen);
    } finally {
      r.disconnect();
    }
  });

  it('a view left stale by a rebuild that failed in a process since killed is rebuilt by the next sink process', async () => {
    const r = redisClient();
    try {
      const good = await readWholeView(r, views.price24h);
      expect(good).not.toBeNull();
      await publishWholeView(r, { name: views.price24h, priority: 'normal' }, JSON.stringify({ stale: true }));
      // A new process: its sinks have not rebuilt anything yet, so its first heal rebuilds whatever Redis holds.
      const restarted = aemoPipelineFlows(raw, { id, tables, views }).sinks;
      await runPgSink(restarted.price, { serde, mode: 'drain' });
      expect(await readWholeView(r, views.price24h)).toBe(good);
    } finally {
      r.disconnect();
    }
  });

  it('rooftop rows match the file, and the 5-min series carries state across runs', async () => {
    await publish(toRawRecords(rooftop.slice(cut), { file: ROOFTOP_ZIP, fallbackTime: 0 }));
    await processAll();
    await sinkAll();

    const rows = await dump(tables.rooftop);
    expect(rows.length).toBe(960);
    const byKey = new Map(rows.map((r) => [`${r.regionid as string}|${r.interval_datetime as string}|${r.type as string}`, r]));
    for (const w of rooftop) {
      const got = byKey.get(`${w.row.REGIONID!}|${iso(w.row.INTERVAL_DATETIME!)}|${w.row.TYPE!}`);
      expect(got).toMatchObject({ power: num(w.row.POWER), qi: num(w.row.QI), lastchanged: iso(w.row.LASTCHANGED!) });
    }

    // The whole 5-min table equals the pure reference expansion of all MEASUREMENT rows.
    const clean: CleanRooftopPv[] = rooftop.map((w) => ({
      interval_datetime: parseNemTime(w.row.INTERVAL_DATETIME!)!.utc,
      interval_datetime_nem: parseNemTime(w.row.INTERVAL_DATETIME!)!.nem,
      regionid: w.row.REGIONID!,
      type: w.row.TYPE!,
      power: num(w.row.POWER),
      qi: num(w.row.QI),
      lastchanged: parseNemTime(w.row.LASTCHANGED!)!.utc,
    }));
    const expected = interpolateSeries(clean).map((x) => ({ settlementdate: new Date(x.settlementdate).toISOString(), regionid: x.regionid, power: x.power, provisional: x.provisional, settlementdate_nem: x.settlementdate_nem }));
    const five = await dump(tables.rooftop5);
    expect(five.length).toBe(2 * 240 * 6);
    const sortKey = (x: Record<string, unknown>) => `${x.regionid as string}|${x.settlementdate as string}`;
    expect([...five].sort((a, b) => sortKey(a).localeCompare(sortKey(b)))).toEqual([...expected].sort((a, b) => sortKey(a).localeCompare(sortKey(b))));

    // By hand, for two consecutive 30-min intervals of each region with a non-zero value (midday).
    for (const region of ['NSW1', 'SA1']) {
      const m = rooftop.filter((w) => w.row.REGIONID === region && w.row.TYPE === 'MEASUREMENT');
      const at = (nem: string) => Number(m.find((w) => parseNemTime(w.row.INTERVAL_DATETIME!)!.nem === nem)!.row.POWER);
      const cur = at('2024-08-01T12:00:00');
      const next = at('2024-08-01T12:30:00');
      expect(cur).toBeGreaterThan(0);
      const got = await pool().query<{ power: number; provisional: boolean; settlementdate_nem: string }>(
        `select power, provisional, settlementdate_nem from ${tables.rooftop5} where regionid = $1 and settlementdate_nem >= '2024-08-01T12:00:00' and settlementdate_nem < '2024-08-01T12:30:00' order by settlementdate`,
        [region],
      );
      expect(got.rows.map((r) => r.settlementdate_nem)).toEqual(['12:00', '12:05', '12:10', '12:15', '12:20', '12:25'].map((t) => `2024-08-01T${t}:00`));
      got.rows.forEach((r, j) => {
        expect(r.power).toBeCloseTo(((6 - j) * cur + j * next) / 6, 9);
        expect(r.provisional).toBe(false);
      });
    }
    // The newest interval has no next value yet: flat and provisional.
    const tail = await pool().query<{ n: number }>(`select count(*)::int as n from ${tables.rooftop5} where provisional and settlementdate_nem >= '2024-09-01T00:00:00'`);
    expect(tail.rows[0]!.n).toBe(12);
  });

  it('a restarted interpolation rebuilds its state without emitting again', async () => {
    const admin = kafka().admin();
    await admin.connect();
    try {
      const before = await admin.fetchTopicOffsets(processing.clean.rooftop5.name);
      await runStatefulProcessor(processing.processors.rooftop5, { serde, mode: 'drain' });
      expect(await admin.fetchTopicOffsets(processing.clean.rooftop5.name)).toEqual(before);
      const [committed] = await admin.fetchOffsets({ groupId: `gridstream.process.${processing.processors.rooftop5.name}`, topics: [processing.clean.rooftop.name] });
      const p0 = committed!.partitions[0]!;
      const end = (await admin.fetchTopicOffsets(processing.clean.rooftop.name))[0]!;
      // Committed at the oldest input the state still needs (below the end), emission recorded in the metadata.
      expect(BigInt(p0.offset)).toBeLessThan(BigInt(end.high));
      expect(JSON.parse(p0.metadata!)).toMatchObject({ v: 1 });
    } finally {
      await admin.disconnect();
    }
  });

  it('running the same files again changes no row', async () => {
    const before = await allTables();
    await publish([...scadaRecords(), ...isRecords(), ...toRawRecords(rooftop, { file: ROOFTOP_ZIP, fallbackTime: 0 })]);
    await processAll();
    await sinkAll();
    expect(await allTables()).toEqual(before);
  });

  it('a restatement with a later LASTCHANGED wins; one with an older LASTCHANGED does not', async () => {
    const bw01 = scadaRecords().find((r) => r.topic === 'raw.aemo.unit_scada' && r.record.value.duid === 'BW01')!;
    const restated = (scadavalue: string, lastchanged: string): AemoRawRecord => ({
      topic: 'raw.aemo.unit_scada',
      record: { ...bw01.record, value: { ...(bw01.record.value as object), scadavalue, lastchanged } } as RawRecord<never>,
    } as AemoRawRecord);
    const nsw = rooftop.find((w) => w.row.REGIONID === 'NSW1' && w.row.TYPE === 'MEASUREMENT' && w.row.INTERVAL_DATETIME!.includes('2024/08/01 12:00'))!;
    const roof = (power: string, lastchanged: string) => toRawRecords([{ ...nsw, row: { ...nsw.row, POWER: power, LASTCHANGED: lastchanged } }], { file: 'restated.CSV', fallbackTime: 0 });

    await publish([restated('400.5', '2025/12/27 09:00:00'), ...roof('1234.5', '2024/08/02 09:00:00')]);
    await processAll();
    await sinkAll();
    const scada = async () => (await pool().query<{ scadavalue: number }>(`select scadavalue from ${tables.scada} where duid = 'BW01'`)).rows[0]!.scadavalue;
    const roofAt = async () => (await pool().query<{ power: number }>(`select power from ${tables.rooftop} where regionid = 'NSW1' and type = 'MEASUREMENT' and interval_datetime_nem = '2024-08-01T12:00:00'`)).rows[0]!.power;
    expect(await scada()).toBe(400.5);
    expect(await roofAt()).toBe(1234.5);
    // The 5-min slots of the restated interval and of the one before it were recomputed.
    const slot = async (nem: string) => (await pool().query<{ power: number }>(`select power from ${tables.rooftop5} where regionid = 'NSW1' and settlementdate_nem = $1`, [nem])).rows[0]!.power;
    expect(await slot('2024-08-01T12:00:00')).toBe(1234.5);
    const prevPower = Number(rooftop.find((w) => w.row.REGIONID === 'NSW1' && w.row.TYPE === 'MEASUREMENT' && w.row.INTERVAL_DATETIME!.includes('2024/08/01 11:30'))!.row.POWER);
    expect(await slot('2024-08-01T11:55:00')).toBeCloseTo((1 * prevPower + 5 * 1234.5) / 6, 9);

    await publish([restated('1.5', '2025/12/27 00:00:01'), ...roof('1.5', '2024/08/01 12:00:01')]);
    await processAll();
    await sinkAll();
    expect(await scada()).toBe(400.5);
    expect(await roofAt()).toBe(1234.5);
    expect(await slot('2024-08-01T12:00:00')).toBe(1234.5);
  });
});
