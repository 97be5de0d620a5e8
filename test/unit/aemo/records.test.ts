import { describe, expect, it } from 'vitest';
import { parseMms } from '../../../producers/aemo/mms-csv.js';
import { rawTopicOf, toRawRecords } from '../../../producers/aemo/records.js';
import type { AemoRawRecord } from '../../../producers/aemo/records.js';
import { onlyCsv, readFixture, ZIPS } from './helpers.js';

const ctx = (file: string) => ({ file, fallbackTime: 0 });
const SCADA_FILE = 'PUBLIC_DISPATCHSCADA_202512270005_0000000495867506.CSV';
const IS_FILE = 'PUBLIC_DISPATCHIS_202512270005_0000000495867510.CSV';

type RecordOf<T> = Extract<AemoRawRecord, { topic: T }>['record'];
const pick = <T extends AemoRawRecord['topic']>(recs: AemoRawRecord[], topic: T): RecordOf<T>[] =>
  recs.filter((r) => r.topic === topic).map((r) => r.record as RecordOf<T>);

describe('raw records', () => {
  it('maps only the four ingested tables, any version', () => {
    expect(rawTopicOf({ report: 'DISPATCH', subtype: 'UNIT_SCADA', version: '1' })).toBe('raw.aemo.unit_scada');
    expect(rawTopicOf({ report: 'DISPATCH', subtype: 'PRICE', version: '4' })).toBe('raw.aemo.dispatch_price');
    expect(rawTopicOf({ report: 'DISPATCH', subtype: 'INTERCONNECTORRES', version: '3' })).toBe('raw.aemo.interconnector');
    expect(rawTopicOf({ report: 'ROOFTOP', subtype: 'ACTUAL', version: '2' })).toBe('raw.aemo.rooftop_actual');
    expect(rawTopicOf({ report: 'DISPATCH', subtype: 'REGIONSUM', version: '9' })).toBeNull();
    expect(rawTopicOf({ report: 'DREGION', subtype: '', version: '3' })).toBeNull();
  });

  it('turns the live SCADA file into 493 records keyed duid|settlementdate', () => {
    const recs = pick(toRawRecords(parseMms(readFixture('sample_dispatchscada.csv')).rows, ctx(SCADA_FILE)), 'raw.aemo.unit_scada');
    expect(recs).toHaveLength(493);
    const bw01 = recs.find((r) => r.value.duid === 'BW01');
    expect(bw01).toMatchObject({
      key: 'BW01|2025-12-27T00:05:00',
      eventTime: Date.parse('2025-12-26T14:05:00Z'),
      sourceRef: SCADA_FILE,
      headers: { row: String(bw01?.value.row), table: 'DISPATCH,UNIT_SCADA,1' },
      value: {
        settlementdate: '2025/12/27 00:05:00', duid: 'BW01', scadavalue: '328.166630', lastchanged: '2025/12/27 00:00:22',
        extra: {}, file: SCADA_FILE,
      },
    });
    expect(new Set(recs.map((r) => r.key)).size).toBe(493);
  });

  it('has a null lastchanged where the archive has no LASTCHANGED column', async () => {
    const { rows, name } = await onlyCsv(ZIPS.scadaMmsdm);
    const recs = pick(toRawRecords(rows, ctx(name)), 'raw.aemo.unit_scada');
    expect(recs).toHaveLength(2880);
    expect(recs.every((r) => r.value.lastchanged === null)).toBe(true);
    expect(recs[1]?.value).toMatchObject({ duid: 'HDWF2', scadavalue: '99.7', settlementdate: '2024/08/01 00:05:00' });
    expect(recs.at(-1)?.key).toBe('HDWF2|2024-09-01T00:00:00');
  });

  it('keeps price rows with intervention in the key and the FCAS columns in extra', () => {
    const recs = toRawRecords(parseMms(readFixture('sample_dispatchis.csv')).rows, ctx(IS_FILE));
    const prices = pick(recs, 'raw.aemo.dispatch_price');
    expect(prices.map((r) => r.key)).toEqual([
      'NSW1|2025-12-27T00:05:00|0', 'QLD1|2025-12-27T00:05:00|0', 'SA1|2025-12-27T00:05:00|0',
      'TAS1|2025-12-27T00:05:00|0', 'VIC1|2025-12-27T00:05:00|0',
    ]);
    const vic = prices.find((r) => r.value.regionid === 'VIC1')?.value;
    expect(vic?.rrp).toBe('-2.69976');
    expect(vic?.price_status).not.toBeNull();
    expect(Object.keys(vic?.extra ?? {})).toContain('raise6secrrp');
    expect(Object.keys(vic?.extra ?? {})).not.toContain('rrp');
    const flows = pick(recs, 'raw.aemo.interconnector');
    expect(flows).toHaveLength(6);
    expect(flows.find((r) => r.key === 'VIC1-NSW1|2025-12-27T00:05:00|0')?.value).toMatchObject({
      meteredmwflow: '1087.51257', mwflow: '1110.2242',
    });
    // Other tables of the same file (CONSTRAINT, REGIONSUM, ...) are not raw records.
    expect(recs).toHaveLength(11);
  });

  it('maps rooftop columns by name in both column orders', async () => {
    const archive = await onlyCsv(ZIPS.rooftopMmsdm);
    const recs = pick(toRawRecords(archive.rows, ctx(archive.name)), 'raw.aemo.rooftop_actual');
    const nsw = recs.find((r) => r.key === 'NSW1|2024-08-01T12:00:00|MEASUREMENT');
    expect(nsw?.value).toMatchObject({ power: '2679.055', lastchanged: '2024/08/01 12:19:13', type: 'MEASUREMENT', qi: '1' });
    const dvd = await onlyCsv(ZIPS.rooftopDvd);
    const dvdRecs = pick(toRawRecords(dvd.rows, ctx(dvd.name)), 'raw.aemo.rooftop_actual');
    expect(dvdRecs).toHaveLength(30720);
    expect(dvdRecs.find((r) => r.key === 'QLDC|2019-12-01T12:00:00|SATELLITE')?.value).toMatchObject({
      power: '213.232', qi: '0.6',
    });
  });

  it('falls back to the given event time when the timestamp is unreadable', () => {
    const text = 'I,DISPATCH,UNIT_SCADA,1,SETTLEMENTDATE,DUID,SCADAVALUE,LASTCHANGED\nD,DISPATCH,UNIT_SCADA,1,soon,X1,1,\n';
    const [rec] = toRawRecords(parseMms(text).rows, { file: 'f', fallbackTime: 42 });
    expect(rec?.record.eventTime).toBe(42);
    expect(rec?.record.key).toBe('X1|soon');
  });
});
