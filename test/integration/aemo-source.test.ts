// The AEMO source against the real stack and a NEMWEB stand-in serving the real fixtures: continuous mode (every
// live file once, its rows in the right raw topic with file and row headers; a flaky file retried; a corrupt and a
// truncated file dead-lettered; nothing republished on the next run) and backfill (MMSDM months via %2523, the daily
// and weekly nested archives, the old PUBLIC_DVD_ names, progress, and nothing republished on a rerun).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closePool } from '../../runtime/db.js';
import { readTopic } from '../../runtime/inspect.js';
import type { StoredMessage } from '../../runtime/inspect.js';
import { runSource } from '../../runtime/producer-runner.js';
import type { ProduceResult } from '../../runtime/producer-runner.js';
import { Serde } from '../../runtime/serde.js';
import { applyTopics } from '../../runtime/topics-apply.js';
import type { SourceBatch } from '../../runtime/types.js';
import { catalogue } from '../../schemas/catalogue.js';
import { repairPlan } from '../../producers/aemo/backfill.js';
import { BROWSER_USER_AGENT, aemoSource } from '../../producers/aemo/source.js';
import type { AemoCursor, AemoOptions, AemoRawValue } from '../../producers/aemo/source.js';
import type { RawDispatchPrice, RawInterconnectorRes, RawRooftopActual, RawUnitScada } from '../../schemas/aemo/raw.js';
import { startAemoDemo } from '../../devkit/aemo/demo.js';
import { parseMms, truncation } from '../../producers/aemo/mms-csv.js';
import { generatedDayTree, serveNemweb } from '../../devkit/aemo/nemweb-tree.js';
import { zipCsvs } from '../../producers/aemo/zip.js';
import { countRows, fixture, LIVE, MMSDM_2024_08, MMSDM_DVD_ROOFTOP_2019_12, startFixtureNemweb } from '../support/nemweb-server.js';
import type { FixtureNemweb } from '../support/nemweb-server.js';

// Short backoff: the flaky file's two 500s should not cost seconds.
const FAST_HTTP = { minDelayMs: 20, maxDelayMs: 100, requestsPerSecond: 1000 };

let server: FixtureNemweb;
const serde = Serde.fromConfig();

async function newSource(tag: string) {
  const id = `t_aemo_${tag}_${randomBytes(3).toString('hex')}`;
  const source = aemoSource({ name: id, topicPrefix: `raw.${id}`, baseUrl: server.url, http: FAST_HTTP });
  await applyTopics(catalogue([{ source, sinks: [] }]), serde);
  return { id, source };
}

async function decoded<V>(topic: string): Promise<{ m: StoredMessage; v: V }[]> {
  const messages = await readTopic(topic);
  return Promise.all(messages.map(async (m) => ({ m, v: (await serde.decode(m.value!)) as V })));
}

/** Text of the (only) CSV in a fixture zip. */
async function fixtureCsv(name: string): Promise<string> {
  for await (const e of zipCsvs(fixture(name), { label: name })) return e.text();
  throw new Error(`no CSV in ${name}`);
}

beforeAll(async () => {
  server = await startFixtureNemweb({ browserOnly: true });
});
afterAll(async () => {
  await server?.close();
  await closePool();
});

describe('continuous mode', () => {
  let id: string;
  let topics: { scada: string; price: string; ic: string; rooftop: string };
  const runs: ProduceResult[] = [];

  beforeAll(async () => {
    const s = await newSource('live');
    id = s.id;
    topics = { scada: `raw.${id}.unit_scada`, price: `raw.${id}.dispatch_price`, ic: `raw.${id}.interconnector`, rooftop: `raw.${id}.rooftop_actual` };
    // Three polls: the truncated file is retried on the first and dead-lettered on the second (2 attempts allowed).
    for (let i = 0; i < 3; i++) runs.push(await runSource(s.source, { serde, once: true, options: { truncatedRetries: 2 } }));
  });

  it('publishes every readable live file once, then nothing on later runs', () => {
    // 493 + 493 SCADA rows, 5 prices, 6 interconnectors, 10 + 10 rooftop rows.
    expect(runs.map((r) => r.records)).toEqual([1017, 0, 0]);
    expect(runs.map((r) => r.deadLetters)).toEqual([1, 1, 0]);
  });

  it('routes SCADA rows to the unit_scada topic with file and row headers', async () => {
    const rows = await decoded<RawUnitScada>(topics.scada);
    expect(rows).toHaveLength(986);
    expect([...new Set(rows.map((r) => r.m.headers.file))].sort()).toEqual([LIVE.scada.replace('.zip', '.CSV'), LIVE.flaky.replace('.zip', '.CSV')]);
    const live = rows.filter((r) => r.m.headers.file === LIVE.scada.replace('.zip', '.CSV'));
    expect(live).toHaveLength(countRows(server.texts.scada, 'DISPATCH', 'UNIT_SCADA', '', '9'));
    const bw01 = live.find((r) => r.v.duid === 'BW01')!;
    expect(bw01.v.scadavalue).toBe('328.166630');
    expect(bw01.v.settlementdate).toBe('2025/12/27 00:05:00');
    expect(bw01.m.key).toBe('BW01|2025-12-27T00:05:00');
    expect(bw01.m.timestamp).toBe(Date.parse('2025-12-27T00:05:00+10:00'));
    expect(bw01.m.headers['source-ref']).toBe(LIVE.scada);
    // The header row is the line in the CSV: line 1 is the C header, line 2 the I row.
    const line = server.texts.scada.split('\r\n').findIndex((l) => l.includes(',BW01,')) + 1;
    expect(bw01.m.headers.row).toBe(String(line));
    expect(bw01.v.row).toBe(line);
    // Every row of the two files, keyed by DUID, exactly once.
    expect(new Set(rows.map((r) => r.m.key)).size).toBe(986);
  });

  it('fetches the flaky file after its two 500s and publishes it once', async () => {
    const asked = server.requests.filter((r) => r.path.endsWith(LIVE.flaky)).map((r) => r.status);
    expect(asked).toEqual([500, 500, 200]);
    const rows = await decoded<RawUnitScada>(topics.scada);
    expect(rows.filter((r) => r.v.settlementdate === '2025/12/27 00:10:00')).toHaveLength(493);
  });

  it('routes DISPATCHIS prices and interconnectors to their topics, other tables nowhere', async () => {
    const prices = await decoded<RawDispatchPrice>(topics.price);
    expect(Object.fromEntries(prices.map((p) => [p.v.regionid, p.v.rrp]))).toEqual({ NSW1: '33.51273', QLD1: '34.75', SA1: '0.02331', TAS1: '1.12', VIC1: '-2.69976' });
    expect(prices.every((p) => p.m.headers.file === LIVE.dispatchis.replace('.zip', '.CSV') && Number(p.m.headers.row) > 2)).toBe(true);
    const ics = await decoded<RawInterconnectorRes>(topics.ic);
    expect(ics.map((i) => i.v.interconnectorid).sort()).toEqual(['N-Q-MNSP1', 'NSW1-QLD1', 'T-V-MNSP1', 'V-S-MNSP1', 'V-SA', 'VIC1-NSW1']);
    const vn = ics.find((i) => i.v.interconnectorid === 'VIC1-NSW1')!;
    expect([vn.v.meteredmwflow, vn.v.mwflow]).toEqual(['1087.51257', '1110.2242']);
  });

  it('keeps both rooftop estimates (TYPE tells them apart)', async () => {
    const rooftop = await decoded<RawRooftopActual>(topics.rooftop);
    expect(rooftop).toHaveLength(20);
    expect(rooftop.filter((r) => r.v.type === 'SATELLITE').every((r) => r.v.qi === '0.6')).toBe(true);
    expect(new Set(rooftop.map((r) => r.m.headers.file))).toEqual(new Set([server.rooftop.measurement, server.rooftop.satellite].map((n) => n.replace('.zip', '.csv'))));
  });

  it('dead-letters the corrupt zip and, after its retries, the truncated file, whole and with reasons', async () => {
    const dead = await readTopic(`dlq.${topics.scada}`);
    expect(dead).toHaveLength(2);
    const byRef = new Map(dead.map((d) => [d.headers['source-ref'], d]));
    const corrupt = byRef.get(LIVE.corrupt)!;
    expect(corrupt.headers.reason).toMatch(/^corrupt zip PUBLIC_DISPATCHSCADA_202512270015/);
    expect(corrupt.value).toEqual(server.bytes.get(`/Reports/Current/Dispatch_SCADA/${LIVE.corrupt}`));
    const truncated = byRef.get(LIVE.truncated)!;
    expect(truncated.headers.reason).toMatch(/END OF REPORT says 496 lines but the file has 301.*after 2 polls/);
    expect(truncated.value).toEqual(server.bytes.get(`/Reports/Current/Dispatch_SCADA/${LIVE.truncated}`));
    expect(truncated.headers.stage).toBe(`produce:${id}`);
    // Asked for on the first two polls only: the third run knew it was done.
    expect(server.requests.filter((r) => r.path.endsWith(LIVE.truncated))).toHaveLength(2);
  });

  it('reads listings with absolute and relative links, as a browser', () => {
    const listings = server.requests.filter((r) => r.path.endsWith('/'));
    expect(listings.length).toBe(9);
    expect(server.requests.every((r) => r.userAgent === BROWSER_USER_AGENT)).toBe(true);
    expect(server.requests.some((r) => r.status === 406)).toBe(false);
  });
});

/** Reads a source directly (no Kafka): batches, progress and the final cursor. */
async function readAll(tag: string, options: AemoOptions, cursor?: AemoCursor) {
  const source = aemoSource({ name: `t_aemo_${tag}`, baseUrl: server.url, http: FAST_HTTP });
  const batches: SourceBatch<AemoRawValue, AemoCursor>[] = [];
  const progress: [number, number | undefined][] = [];
  for await (const b of source.source.read(cursor, options, { signal: new AbortController().signal, progress: (d, t) => progress.push([d, t]) })) batches.push(b);
  const records = batches.flatMap((b) => b.records);
  const topicCounts: Record<string, number> = {};
  for (const r of records) topicCounts[source.topicOf!(r.value)] = (topicCounts[source.topicOf!(r.value)] ?? 0) + 1;
  return { batches, records, progress, topicCounts, cursor: batches.at(-1)?.cursor };
}

describe('backfill', () => {
  it('reads MMSDM months through %2523 URLs, only the requested days, in batches, via the real stack', async () => {
    const { id, source } = await newSource('mmsdm');
    const before = server.requests.length;
    const options: AemoOptions = { from: '2024-08-01', to: '2024-08-02', now: '2026-11-23T00:00:00Z', rowsPerBatch: 500 };
    const first = await runSource(source, { serde, once: true, options });
    const asked = server.requests.slice(before);
    for (const name of Object.values(MMSDM_2024_08)) {
      const hit = asked.find((r) => r.path.endsWith(name.replaceAll('%23', '%2523')));
      expect(hit?.status, name).toBe(200);
    }
    // A literal `#` never goes out (it would start a fragment), nor a once-encoded `%23`.
    expect(asked.some((r) => /PUBLIC_ARCHIVE(#|%23D)/.test(r.path))).toBe(false);
    // After FILE01 the source asks for FILE02 and stops at its 404.
    expect(asked.filter((r) => r.path.includes('FILE02') && r.status === 404)).toHaveLength(4);

    const window = ['2024/08/01 00:00:00', '2024/08/03 00:00:00'] as const;
    const want = {
      scada: countRows(await fixtureCsv(MMSDM_2024_08.scada), 'DISPATCH', 'UNIT_SCADA', ...window),
      price: countRows(await fixtureCsv(MMSDM_2024_08.price), 'DISPATCH', 'PRICE', ...window),
      interconnector: countRows(await fixtureCsv(MMSDM_2024_08.interconnector), 'DISPATCH', 'INTERCONNECTORRES', ...window),
      rooftop: countRows(await fixtureCsv(MMSDM_2024_08.rooftop), 'ROOFTOP', 'ACTUAL', window[0], '2024/08/03 00:00:00'),
    };
    expect(want).toEqual({ scada: 2 * 2 * 288, price: 2 * 2 * 288, interconnector: 2 * 288, rooftop: 2 * 2 * 2 * 48 });
    expect(first.records).toBe(want.scada + want.price + want.interconnector + want.rooftop);

    const scada = await decoded<RawUnitScada>(`raw.${id}.unit_scada`);
    expect(scada).toHaveLength(want.scada);
    expect(scada.map((r) => r.v.settlementdate).sort().at(-1)).toBe('2024/08/03 00:00:00');
    expect(scada.every((r) => r.v.lastchanged === null && r.m.headers.file === 'PUBLIC_ARCHIVE#DISPATCH_UNIT_SCADA#FILE01#202408010000.CSV')).toBe(true);
    const prices = await decoded<RawDispatchPrice>(`raw.${id}.dispatch_price`);
    const first0005 = prices.find((p) => p.v.regionid === 'NSW1' && p.v.settlementdate === '2024/08/01 00:05:00');
    expect(first0005?.v.rrp).toBe('199.99');
    const ics = await decoded<RawInterconnectorRes>(`raw.${id}.interconnector`);
    expect(ics.find((i) => i.v.settlementdate === '2024/08/01 00:05:00')?.v.exportlimit).toBe('1160.2152');
    expect((await readTopic(`raw.${id}.rooftop_actual`)).length).toBe(want.rooftop);

    const again = await runSource(source, { serde, once: true, options });
    expect([again.records, again.deadLetters, again.batches]).toEqual([0, 0, 0]);
  });

  it('reads a day from the daily and weekly nested archives, reports progress, and resumes from its cursor', async () => {
    const options: AemoOptions = { from: '2025-12-27', to: '2025-12-27', now: '2026-01-10T12:00:00+10:00' };
    const before = server.requests.length;
    const r = await readAll('archive', options);
    const asked = server.requests.slice(before).map((q) => q.path);
    expect(asked).toEqual(expect.arrayContaining([
      '/Reports/Archive/Dispatch_SCADA/PUBLIC_DISPATCHSCADA_20251227.zip',
      '/Reports/Archive/DispatchIS_Reports/PUBLIC_DISPATCHIS_20251227.zip',
      '/Reports/Archive/ROOFTOP_PV/ACTUAL/PUBLIC_ROOFTOP_PV_ACTUAL_MEASUREMENT_20251225.zip',
    ]));
    const topic = (t: string) => `raw.aemo.${t}`;
    expect(r.topicCounts).toEqual({ [topic('unit_scada')]: 986, [topic('dispatch_price')]: 5, [topic('interconnector')]: 6, [topic('rooftop_actual')]: 10 });
    // One batch per inner 5-minute file carries its rows; the record names the nested path.
    const scadaBatches = r.batches.filter((b) => b.records.some((x) => 'duid' in x.value));
    expect(scadaBatches.map((b) => b.records.length)).toEqual([493, 493]);
    expect(scadaBatches[0]!.records[0]!.sourceRef).toBe(`PUBLIC_DISPATCHSCADA_20251227.zip > ${LIVE.scada} > ${LIVE.scada.replace('.zip', '.CSV')}`);
    expect(r.progress.at(0)).toEqual([0, 4]);
    expect(r.progress.at(-1)).toEqual([4, 4]);
    expect(r.cursor?.backfill?.done).toEqual({ scada: ['2025-12-27'], price: ['2025-12-27'], interconnector: ['2025-12-27'], rooftop: ['2025-12-27'] });

    // The same range again from the final cursor: nothing to do. Resuming mid-way skips the inner files done.
    expect((await readAll('archive', options, r.cursor)).batches).toHaveLength(0);
    const midway = r.batches.find((b) => b.cursor.backfill?.at?.unit === 'archive:scada:20251227' && b.cursor.backfill.at.files === 1)!.cursor;
    const resumed = await readAll('archive', options, midway);
    expect(resumed.topicCounts[topic('unit_scada')]).toBe(493);
    expect(resumed.records.find((x) => 'duid' in x.value)?.headers?.file).toBe(LIVE.flaky.replace('.zip', '.CSV'));
  });

  it('reads old PUBLIC_DVD_ MMSDM names, one dataset, both rooftop types', async () => {
    const r = await readAll('dvd', { from: '2019-12-01', to: '2019-12-01', datasets: 'rooftop', now: '2026-11-23T00:00:00Z' });
    const want = countRows(await fixtureCsv(MMSDM_DVD_ROOFTOP_2019_12), 'ROOFTOP', 'ACTUAL', '2019/12/01 00:00:00', '2019/12/02 00:00:00');
    expect(want).toBe(10 * 48 * 2);
    expect(r.records).toHaveLength(want);
    expect(server.requests.some((q) => q.path.endsWith(`/MMSDM_2019_12/MMSDM_Historical_Data_SQLLoader/DATA/${MMSDM_DVD_ROOFTOP_2019_12}`))).toBe(true);
  });

  it('reads today from the Current dir, sharing the live cursor', async () => {
    const r = await readAll('today', { from: '2025-12-27', to: '2025-12-27', datasets: ['scada'], now: '2025-12-27T12:00:00+10:00', truncatedRetries: 1 });
    expect(r.topicCounts).toEqual({ 'raw.aemo.unit_scada': 986 });
    expect(r.batches.flatMap((b) => b.deadLetters ?? []).map((d) => d.sourceRef).sort()).toEqual([LIVE.corrupt, LIVE.truncated]);
    // The day is still running at `now`, so it is not marked done; its files are, in the live cursor.
    expect(r.cursor?.backfill?.done).toEqual({});
    expect(r.cursor?.live.scada?.done.sort()).toEqual([LIVE.scada, LIVE.flaky]);
  });

  it('plans gap repair as backfill runs of consecutive days', () => {
    const t = (s: string) => Date.parse(`${s}+10:00`);
    expect(repairPlan([
      { table: 'aemo_unit_scada', intervals: [t('2025-12-27T00:05:00'), t('2025-12-28T00:00:00'), t('2025-12-28T10:00:00')] },
      { table: 'aemo_region_price', intervals: [t('2025-12-30T12:00:00')] },
    ])).toEqual([
      { from: '2025-12-27', to: '2025-12-28', datasets: ['scada'], refetch: true },
      { from: '2025-12-30', to: '2025-12-30', datasets: ['price'], refetch: true },
    ]);
  });
});

describe('generated demo tree', () => {
  it('is a whole day in the live formats, which the source reads completely', async () => {
    const tree = generatedDayTree({ day: '2025-12-27' });
    expect(tree.size).toBe(288 + 288 + 48 + 1);
    for (const [path, f] of tree) {
      for await (const e of zipCsvs(f.body as Buffer, { label: path })) {
        const text = await e.text();
        expect(text.endsWith('\r\n') && !/[^\r]\n/.test(text), path).toBe(true);
        const { summary } = parseMms(text);
        expect(truncation(summary), path).toBeNull();
        expect(summary.malformedCount).toBe(0);
      }
    }
    const demo = await serveNemweb(tree, { browserOnly: true });
    try {
      const source = aemoSource({ name: 't_aemo_demo_tree', baseUrl: demo.url, http: FAST_HTTP });
      const counts: Record<string, number> = {};
      const times = new Set<string>();
      for await (const b of source.source.read(undefined, {}, { signal: new AbortController().signal })) {
        for (const r of b.records) {
          counts[source.topicOf!(r.value)] = (counts[source.topicOf!(r.value)] ?? 0) + 1;
          if ('duid' in r.value) times.add(r.value.settlementdate ?? '');
        }
      }
      expect(counts).toEqual({ 'raw.aemo.unit_scada': 288 * 20, 'raw.aemo.dispatch_price': 288 * 5, 'raw.aemo.interconnector': 288 * 6, 'raw.aemo.rooftop_actual': 49 * 10 });
      expect([...times].sort().slice(0, 1).concat([...times].sort().slice(-1))).toEqual(['2025/12/27 00:05:00', '2025/12/28 00:00:00']);
    } finally {
      await demo.close();
    }
  });

  it('the demo part serves the tree through AEMO_BASE_URL and reports table counts even for missing tables', async () => {
    const part = await startAemoDemo();
    try {
      expect(process.env.AEMO_BASE_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const lines: string[] = [];
      await part.report((l) => lines.push(l));
      expect(lines).toHaveLength(6);
      expect(lines.slice(1).map((l) => l.trim().split(/\s+/)[0])).toEqual(['aemo_unit_scada', 'aemo_region_price', 'aemo_interconnector_flow', 'aemo_rooftop_pv', 'aemo_rooftop_pv_5min']);
    } finally {
      await part.close();
    }
    expect(process.env.AEMO_BASE_URL).toBeUndefined();
  });
});
