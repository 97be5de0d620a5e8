import { describe, expect, it } from 'vitest';
import { isRejection } from '../../../runtime/types.js';
import type { OutputRecord, Rejection } from '../../../runtime/types.js';
import { parseMms } from '../../../producers/aemo/mms-csv.js';
import { toRawRecords } from '../../../producers/aemo/records.js';
import type { AemoRawRecord } from '../../../producers/aemo/records.js';
import type { RawUnitScada } from '../../../schemas/aemo/raw.js';
import { decimal, FieldError, integer } from '../../../processors/aemo/fields.js';
import { normaliseInterconnectorFlow } from '../../../processors/aemo/interconnector-flow.js';
import { normaliseRegionPrice } from '../../../processors/aemo/region-price.js';
import { normaliseRooftopPv } from '../../../processors/aemo/rooftop-pv.js';
import { normaliseUnitScada } from '../../../processors/aemo/unit-scada.js';
import { message, onlyCsv, readFixture, ZIPS } from './helpers.js';

const rawOf = (file: string, text: Buffer | string): AemoRawRecord[] => toRawRecords(parseMms(text).rows, { file, fallbackTime: 0 });

function ok<C>(result: OutputRecord<C>[] | Rejection): OutputRecord<C> {
  if (isRejection(result)) throw new Error(`rejected: ${result.reject}`);
  expect(result).toHaveLength(1);
  return result[0] as OutputRecord<C>;
}

const scadaRaw = rawOf('scada.CSV', readFixture('sample_dispatchscada.csv'));
const isRaw = rawOf('is.CSV', readFixture('sample_dispatchis.csv'));

function scadaValue(duid: string): RawUnitScada {
  const r = scadaRaw.find((x) => x.topic === 'raw.aemo.unit_scada' && x.record.value.duid === duid);
  if (!r || r.topic !== 'raw.aemo.unit_scada') throw new Error(duid);
  return r.record.value;
}

describe('number parsing', () => {
  it('parses numbers exactly as written', () => {
    expect(decimal('-1E-05', 'X')).toBe(-0.00001);
    expect(decimal('0.20', 'X')).toBe(0.2);
    expect(decimal('-0.004410', 'X')).toBe(-0.00441);
    expect(decimal('328.166630', 'X')).toBe(328.16663);
    expect(decimal('17500', 'X')).toBe(17500);
    expect(decimal('.5', 'X')).toBe(0.5);
    expect(decimal('', 'X')).toBeNull();
    expect(decimal(null, 'X')).toBeNull();
  });

  it('rejects anything that is not a plain decimal, naming column and value', () => {
    for (const bad of ['abc', 'NaN', 'Infinity', '0x10', ' 1', '1,5', '1e', '-', '1.2.3']) {
      expect(() => decimal(bad, 'SCADAVALUE'), bad).toThrow(new FieldError(`SCADAVALUE: not a number: ${JSON.stringify(bad)}`));
    }
  });

  it('rejects numbers that overflow to Infinity (issue 15: 1e400 was accepted)', () => {
    for (const bad of ['1e400', '-1e400', '1' + '0'.repeat(400)]) {
      expect(() => decimal(bad, 'RRP'), bad).toThrow(new FieldError(`RRP: not a finite number: ${JSON.stringify(bad)}`));
    }
    expect(decimal('1e300', 'RRP')).toBe(1e300);
    const rejected = normaliseUnitScada(message('raw.aemo.unit_scada', { ...scadaValue('BW01'), scadavalue: '1e400' }));
    expect(rejected).toEqual({ reject: 'SCADAVALUE: not a finite number: "1e400"' });
  });

  it('accepts integral flags and refuses fractions', () => {
    expect(integer('1', 'INTERVENTION')).toBe(1);
    expect(integer('1.0', 'INTERVENTION')).toBe(1);
    expect(() => integer('0.5', 'INTERVENTION')).toThrow('INTERVENTION: not an integer: "0.5"');
  });
});

describe('unit SCADA', () => {
  it('normalises a live row', () => {
    const out = ok(normaliseUnitScada(message('raw.aemo.unit_scada', scadaValue('BW01'))));
    expect(out).toEqual({
      key: 'BW01|2025-12-27T00:05:00',
      eventTime: Date.parse('2025-12-26T14:05:00Z'),
      value: {
        settlementdate: Date.parse('2025-12-26T14:05:00Z'),
        settlementdate_nem: '2025-12-27T00:05:00',
        duid: 'BW01',
        scadavalue: 328.16663,
        lastchanged: Date.parse('2025-12-26T14:00:22Z'),
      },
    });
    expect(ok(normaliseUnitScada(message('t', scadaValue('BARCSF1')))).value.scadavalue).toBe(0.2);
  });

  it('normalises every row of the live file and of the archive without LASTCHANGED', async () => {
    const all = scadaRaw.flatMap((r) => (r.topic === 'raw.aemo.unit_scada' ? [r.record.value] : []));
    expect(all.map((v) => ok(normaliseUnitScada(message('t', v))).value.scadavalue).filter((x) => x === null)).toEqual([]);
    const { rows } = await onlyCsv(ZIPS.scadaMmsdm);
    const archive = toRawRecords(rows, { file: 'a', fallbackTime: 0 });
    const clean = archive.map((r) => ok(normaliseUnitScada(message('t', r.record.value as RawUnitScada))).value);
    expect(clean.every((c) => c.lastchanged === null)).toBe(true);
    expect(clean.at(-1)).toMatchObject({ duid: 'HDWF2', scadavalue: 64.2, settlementdate_nem: '2024-09-01T00:00:00' });
  });

  it('maps an empty value to null and rejects bad values, timestamps and missing keys', () => {
    const base = scadaValue('HDWF2');
    expect(ok(normaliseUnitScada(message('t', { ...base, scadavalue: '' }))).value.scadavalue).toBeNull();
    expect(normaliseUnitScada(message('t', { ...base, scadavalue: 'n/a' }))).toEqual({ reject: 'SCADAVALUE: not a number: "n/a"' });
    expect(normaliseUnitScada(message('t', { ...base, settlementdate: '2025/13/27 00:05:00' }))).toEqual({
      reject: 'SETTLEMENTDATE: not a NEM timestamp: "2025/13/27 00:05:00"',
    });
    expect(normaliseUnitScada(message('t', { ...base, lastchanged: 'yesterday' }))).toEqual({
      reject: 'LASTCHANGED: not a NEM timestamp: "yesterday"',
    });
    expect(normaliseUnitScada(message('t', { ...base, duid: '' }))).toEqual({ reject: 'DUID: missing' });
    expect(normaliseUnitScada(message('t', { ...base, settlementdate: null }))).toEqual({ reject: 'SETTLEMENTDATE: missing' });
  });
});

describe('region price', () => {
  const prices = isRaw.flatMap((r) => (r.topic === 'raw.aemo.dispatch_price' ? [r.record.value] : []));

  it('normalises the five live prices', () => {
    const clean = prices.map((p) => ok(normaliseRegionPrice(message('t', p))));
    expect(Object.fromEntries(clean.map((c) => [c.value.regionid, c.value.rrp]))).toEqual({
      NSW1: 33.51273, QLD1: 34.75, SA1: 0.02331, TAS1: 1.12, VIC1: -2.69976,
    });
    expect(clean[0]?.key).toBe('NSW1|2025-12-27T00:05:00|0');
    expect(clean[0]?.value).toMatchObject({ intervention: 0, eep: 0, rop: 33.51273, apcflag: 0, marketsuspendedflag: 0 });
  });

  it('normalises the archive price', async () => {
    const { rows } = await onlyCsv(ZIPS.priceMmsdm);
    const [first] = toRawRecords(rows.slice(0, 1), { file: 'a', fallbackTime: 0 });
    expect(first?.topic).toBe('raw.aemo.dispatch_price');
    if (first?.topic !== 'raw.aemo.dispatch_price') return;
    expect(ok(normaliseRegionPrice(message('t', first.record.value))).value).toMatchObject({
      regionid: 'NSW1', rrp: 199.99, settlementdate_nem: '2024-08-01T00:05:00', lastchanged: Date.parse('2024-07-31T14:00:03Z'),
    });
  });

  it('requires RRP and INTERVENTION', () => {
    const p = prices[0];
    if (!p) throw new Error('no price');
    expect(normaliseRegionPrice(message('t', { ...p, rrp: '' }))).toEqual({ reject: 'RRP: missing' });
    expect(normaliseRegionPrice(message('t', { ...p, intervention: null }))).toEqual({ reject: 'INTERVENTION: missing' });
    expect(ok(normaliseRegionPrice(message('t', { ...p, intervention: '1' }))).key).toBe('NSW1|2025-12-27T00:05:00|1');
  });
});

describe('interconnector flow', () => {
  const flows = isRaw.flatMap((r) => (r.topic === 'raw.aemo.interconnector' ? [r.record.value] : []));

  it('normalises the live rows, including -1E-05', () => {
    const clean = flows.map((f) => ok(normaliseInterconnectorFlow(message('t', f))).value);
    expect(clean.find((c) => c.interconnectorid === 'VIC1-NSW1')).toMatchObject({ meteredmwflow: 1087.51257, mwflow: 1110.2242 });
    // Basslink's import limit is written `-1E-05` in this file.
    expect(clean.find((c) => c.interconnectorid === 'T-V-MNSP1')?.importlimit).toBe(-0.00001);
  });

  it('normalises the archive row', async () => {
    const { rows } = await onlyCsv(ZIPS.interconnectorMmsdm);
    const [first] = toRawRecords(rows.slice(0, 1), { file: 'a', fallbackTime: 0 });
    if (first?.topic !== 'raw.aemo.interconnector') throw new Error('not a flow');
    expect(ok(normaliseInterconnectorFlow(message('t', first.record.value))).value).toMatchObject({
      interconnectorid: 'VIC1-NSW1', meteredmwflow: 338.52533, mwflow: 400.92134, mwlosses: 22.28013,
      exportlimit: 1160.2152, importlimit: -522.02497,
    });
  });

  it('keeps absent limit columns as null', () => {
    const f = flows[0];
    if (!f) throw new Error('no flow');
    const out = ok(normaliseInterconnectorFlow(message('t', { ...f, exportlimit: null, importlimit: '' })));
    expect(out.value).toMatchObject({ exportlimit: null, importlimit: null });
  });
});

describe('rooftop pv', () => {
  it('normalises MEASUREMENT and SATELLITE rows, empty POWER as null', async () => {
    const { rows } = await onlyCsv(ZIPS.rooftopDvd);
    const recs = toRawRecords(rows, { file: 'dvd', fallbackTime: 0 });
    const clean = recs.map((r) => {
      if (r.topic !== 'raw.aemo.rooftop_actual') throw new Error(r.topic);
      return ok(normaliseRooftopPv(message('t', r.record.value)));
    });
    expect(clean).toHaveLength(30720);
    const qldc = clean.find((c) => c.key === 'QLDC|2019-12-01T12:00:00|MEASUREMENT')?.value;
    expect(qldc).toMatchObject({ power: 191.855, qi: 1, interval_datetime: Date.parse('2019-12-01T02:00:00Z') });
    expect(clean.find((c) => c.key === 'TASS|2019-12-21T03:30:00|SATELLITE')?.value).toMatchObject({ power: null, qi: 0 });
  });
});
