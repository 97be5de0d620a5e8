// `export parquet` on the real stack: clean AEMO records (normalised from the real fixtures) on topics of this file's
// own -> the reference updater's four files, read back with hyparquet (an independent reader).
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closePool } from '../../runtime/db.js';
import { kafka } from '../../runtime/kafka.js';
import { Serde } from '../../runtime/serde.js';
import { applyTopics } from '../../runtime/topics-apply.js';
import { isRejection, type InputMessage, type OutputRecord, type Rejection } from '../../runtime/types.js';
import { parseMms, readMms, type MmsRow } from '../../producers/aemo/mms-csv.js';
import { toRawRecords } from '../../producers/aemo/records.js';
import { zipCsvs } from '../../producers/aemo/zip.js';
import { emptyRooftop5State, rooftop5Step } from '../../processors/aemo/components.js';
import { aemoCleanTopics } from '../../schemas/aemo/topics.js';
import { normaliseInterconnectorFlow } from '../../processors/aemo/interconnector-flow.js';
import { normaliseRegionPrice } from '../../processors/aemo/region-price.js';
import { normaliseRooftopPv } from '../../processors/aemo/rooftop-pv.js';
import { normaliseUnitScada } from '../../processors/aemo/unit-scada.js';
import type { CleanRooftopPv } from '../../schemas/aemo/clean.js';
import { exportParquet } from '../../ops/aemo/parquet-export.js';

const FIXTURES = fileURLToPath(new URL('../../../shared/fixtures/aemo/', import.meta.url));
const id = `t_aemopq_${randomBytes(3).toString('hex')}`;
const clean = aemoCleanTopics({ id });
const serde = Serde.fromConfig();
let out: string;

const ok = <C>(r: OutputRecord<C>[] | Rejection): OutputRecord<C>[] => {
  if (isRejection(r)) throw new Error(r.reject);
  return r;
};
const msg = <V>(value: V, offset = 0): InputMessage<V> => ({ topic: 'x', partition: 0, offset: String(offset), key: null, value, timestamp: 0, headers: {} });

async function seed(topic: string, records: OutputRecord<unknown>[]): Promise<void> {
  const producer = kafka().producer({ transactionalId: `${id}.seed.${topic}`, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    const tx = await producer.transaction();
    await tx.send({ topic, messages: records.map((r) => ({ key: r.key, value: serde.encode(topic, r.value), timestamp: String(r.eventTime ?? 0) })) });
    await tx.commit();
  } finally {
    await producer.disconnect();
  }
}

const read = async (file: string) => {
  const buf = await asyncBufferFromFile(join(out, file));
  return { rows: (await parquetReadObjects({ file: buf })) as Record<string, unknown>[], meta: await parquetMetadataAsync(buf) };
};
/** Column name -> (physical type, converted type) from the file's own schema. */
const columns = (meta: Awaited<ReturnType<typeof parquetMetadataAsync>>) => meta.schema.slice(1).map((s) => [s.name, s.type, s.converted_type ?? null]);

let rooftop: CleanRooftopPv[];

beforeAll(async () => {
  await applyTopics([clean.scada, clean.price, clean.interconnector, clean.rooftop5], serde);
  out = await mkdtemp(join(tmpdir(), 'gridstream-parquet-'));

  const scada = toRawRecords(parseMms(readFileSync(join(FIXTURES, 'sample_dispatchscada.csv'))).rows, { file: 'scada.CSV', fallbackTime: 0 });
  await seed(clean.scada.name, scada.flatMap((r) => (r.topic === 'raw.aemo.unit_scada' ? ok(normaliseUnitScada(msg(r.record.value))) : [])));
  const is = toRawRecords(parseMms(readFileSync(join(FIXTURES, 'sample_dispatchis.csv'))).rows, { file: 'is.CSV', fallbackTime: 0 });
  const prices = is.flatMap((r) => (r.topic === 'raw.aemo.dispatch_price' ? ok(normaliseRegionPrice(msg(r.record.value))) : []));
  // An intervention-run row: spot_hist keeps the market run (INTERVENTION 0) only.
  prices.push({ ...prices[0]!, key: 'NSW1|2025-12-27T00:05:00|1', value: { ...prices[0]!.value, intervention: 1, rrp: 999 } });
  await seed(clean.price.name, prices);
  await seed(clean.interconnector.name, is.flatMap((r) => (r.topic === 'raw.aemo.interconnector' ? ok(normaliseInterconnectorFlow(msg(r.record.value))) : [])));

  // First day of the rooftop archive (NSW1, SA1), through the interpolation step as the processor would emit it:
  // provisional flat slots first, then the interpolated values that replace them.
  const rows: MmsRow[] = [];
  for await (const e of zipCsvs(join(FIXTURES, 'PUBLIC_ARCHIVE%23ROOFTOP_PV_ACTUAL%23FILE01%23202408010000.zip'))) for await (const r of readMms(await e.open())) rows.push(r);
  rooftop = toRawRecords(rows, { file: 'rooftop.CSV', fallbackTime: 0 })
    .flatMap((r) => (r.topic === 'raw.aemo.rooftop_actual' ? ok(normaliseRooftopPv(msg(r.record.value))) : []))
    .map((r) => r.value as CleanRooftopPv)
    .filter((r) => r.interval_datetime_nem <= '2024-08-02T00:00:00');
  let state = emptyRooftop5State();
  const five: OutputRecord<unknown>[] = [];
  rooftop.forEach((r, i) => {
    const s = rooftop5Step(state, msg(r, i));
    state = s.state;
    five.push(...ok(s.out));
  });
  await seed(clean.rooftop5.name, five);

  await exportParquet({ outDir: out, topics: clean, serde });
});

afterAll(closePool);

describe('export parquet', () => {
  it('gen_output.parquet: settlementdate (naive NEM timestamp), duid (string), scadavalue (double)', async () => {
    const { rows, meta } = await read('gen_output.parquet');
    expect(columns(meta)).toEqual([
      ['settlementdate', 'INT64', 'TIMESTAMP_MILLIS'],
      ['duid', 'BYTE_ARRAY', 'UTF8'],
      ['scadavalue', 'DOUBLE', null],
    ]);
    expect(rows.length).toBe(493);
    const bw01 = rows.find((r) => r.duid === 'BW01')!;
    // The interval ending 2025/12/27 00:05 NEM, written as that wall clock without a zone.
    expect((bw01.settlementdate as Date).toISOString()).toBe('2025-12-27T00:05:00.000Z');
    expect(bw01.scadavalue).toBe(328.16663);
    expect(rows.find((r) => r.duid === 'HDWF2')!.scadavalue).toBe(76.5);
  });

  it('spot_hist.parquet: SETTLEMENTDATE, REGIONID, RRP of the market run only', async () => {
    const { rows, meta } = await read('spot_hist.parquet');
    expect(columns(meta)).toEqual([
      ['SETTLEMENTDATE', 'INT64', 'TIMESTAMP_MILLIS'],
      ['REGIONID', 'BYTE_ARRAY', 'UTF8'],
      ['RRP', 'DOUBLE', null],
    ]);
    expect(rows.map((r) => [(r.SETTLEMENTDATE as Date).toISOString(), r.REGIONID, r.RRP])).toEqual([
      ['2025-12-27T00:05:00.000Z', 'NSW1', 33.51273],
      ['2025-12-27T00:05:00.000Z', 'QLD1', 34.75],
      ['2025-12-27T00:05:00.000Z', 'SA1', 0.02331],
      ['2025-12-27T00:05:00.000Z', 'TAS1', 1.12],
      ['2025-12-27T00:05:00.000Z', 'VIC1', -2.69976],
    ]);
  });

  it('transmission_flows.parquet: the reference columns in its order', async () => {
    const { rows, meta } = await read('transmission_flows.parquet');
    expect(columns(meta).map((c) => c[0])).toEqual(['settlementdate', 'interconnectorid', 'meteredmwflow', 'mwflow', 'exportlimit', 'importlimit', 'mwlosses']);
    expect(columns(meta).slice(2).every((c) => c[1] === 'DOUBLE')).toBe(true);
    expect(rows.length).toBe(6);
    expect(rows.find((r) => r.interconnectorid === 'VIC1-NSW1')).toEqual({
      settlementdate: new Date('2025-12-27T00:05:00.000Z'),
      interconnectorid: 'VIC1-NSW1',
      meteredmwflow: 1087.51257,
      mwflow: 1110.2242,
      exportlimit: 1110.2242,
      importlimit: -624.34752,
      mwlosses: 132.31201,
    });
  });

  it('rooftop_solar.parquet: wide 5-min rows with the six interpolated values per 30-min interval', async () => {
    const { rows, meta } = await read('rooftop_solar.parquet');
    expect(columns(meta).map((c) => c[0])).toEqual(['settlementdate', 'NSW1', 'QLD1', 'SA1', 'TAS1', 'VIC1', 'QLDC', 'QLDN', 'QLDS', 'TASN', 'TASS']);
    expect(columns(meta).slice(1).every((c) => c[1] === 'DOUBLE')).toBe(true);
    expect(rows.length).toBe(48 * 6);
    const power = (region: string, nem: string) => Number(rooftop.find((r) => r.regionid === region && r.type === 'MEASUREMENT' && r.interval_datetime_nem === nem)!.power);
    for (const region of ['NSW1', 'SA1']) {
      const cur = power(region, '2024-08-01T12:00:00');
      const next = power(region, '2024-08-01T12:30:00');
      for (let j = 0; j < 6; j++) {
        const at = new Date(Date.parse('2024-08-01T12:00:00Z') + j * 300_000);
        const row = rows.find((r) => (r.settlementdate as Date).getTime() === at.getTime())!;
        expect(row[region]).toBeCloseTo(((6 - j) * cur + j * next) / 6, 9);
      }
    }
    // Regions the file has no data for are empty (null), not zero.
    expect(rows[0]!.VIC1).toBeNull();
    // The last 30-min value of the day has no next value yet: flat.
    expect(rows.slice(-6).map((r) => r.NSW1)).toEqual(Array(6).fill(power('NSW1', '2024-08-02T00:00:00')));
  });

  it('a second export adds nothing and leaves the files as they were', async () => {
    const files = ['gen_output.parquet', 'spot_hist.parquet', 'transmission_flows.parquet', 'rooftop_solar.parquet'];
    const before = files.map((f) => statSync(join(out, f)).mtimeMs);
    const r = await exportParquet({ outDir: out, topics: clean, serde });
    expect(r.written).toEqual({});
    expect(files.map((f) => statSync(join(out, f)).mtimeMs)).toEqual(before);
    expect((await read('gen_output.parquet')).rows.length).toBe(493);
  });

  it('new records merge into the files without duplicates (latest wins)', async () => {
    const restated = { settlementdate: Date.parse('2025-12-26T14:05:00Z'), settlementdate_nem: '2025-12-27T00:05:00', duid: 'BW01', scadavalue: 111.5, lastchanged: null };
    await seed(clean.scada.name, [{ key: 'BW01|2025-12-27T00:05:00', value: restated }]);
    const r = await exportParquet({ outDir: out, topics: clean, serde });
    expect(r.written).toEqual({ 'gen_output.parquet': 1 });
    const { rows } = await read('gen_output.parquet');
    expect(rows.length).toBe(493);
    expect(rows.filter((x) => x.duid === 'BW01').map((x) => x.scadavalue)).toEqual([111.5]);
  });
});
