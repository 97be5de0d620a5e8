import { describe, expect, it } from 'vitest';
import { formatNem, nemToUtc } from '../../../schemas/aemo/nem-time.js';
import { toRawRecords } from '../../../producers/aemo/records.js';
import { isRejection } from '../../../runtime/types.js';
import { normaliseRooftopPv } from '../../../processors/aemo/rooftop-pv.js';
import {
  emptyRooftopState, interpolateSeries, rooftop5MinRecord, rooftopStep,
} from '../../../processors/aemo/rooftop-interpolation.js';
import type { RooftopState } from '../../../processors/aemo/rooftop-interpolation.js';
import type { CleanRooftopPv, RooftopPv5Min } from '../../../schemas/aemo/clean.js';
import { message, onlyCsv, ZIPS } from './helpers.js';

const T0 = nemToUtc(2025, 12, 27, 12, 0);
const MIN = 60_000;

const pv = (regionid: string, minutesAfterT0: number, power: number | null, extra: Partial<CleanRooftopPv> = {}): CleanRooftopPv => ({
  interval_datetime: T0 + minutesAfterT0 * MIN,
  interval_datetime_nem: formatNem(T0 + minutesAfterT0 * MIN),
  regionid,
  type: 'MEASUREMENT',
  power,
  qi: 1,
  lastchanged: null,
  ...extra,
});

// The whole fixture, parsed and normalised once for the fixture-based cases below.
const { rows: dvdRows } = await onlyCsv(ZIPS.rooftopDvd);
const clean = toRawRecords(dvdRows, { file: 'dvd', fallbackTime: 0 }).map((r) => {
  if (r.topic !== 'raw.aemo.rooftop_actual') throw new Error(r.topic);
  const out = normaliseRooftopPv(message(r.topic, r.record.value));
  if (isRejection(out) || !out[0]) throw new Error('rejected');
  return out[0].value;
});
const series = interpolateSeries(clean);

/** Folds rows through rooftopStep, upserting emitted rows by key as a sink would. */
function fold(rows: CleanRooftopPv[], state: RooftopState = emptyRooftopState()) {
  const table = new Map<string, RooftopPv5Min>();
  const emits: RooftopPv5Min[][] = [];
  for (const row of rows) {
    const r = rooftopStep(state, row);
    state = r.state;
    emits.push(r.emit);
    for (const e of r.emit) table.set(rooftop5MinRecord(e).key, e);
  }
  return { state, emits, table };
}

const powers = (rows: RooftopPv5Min[]): number[] => rows.map((r) => r.power);

describe('rooftop 30 -> 5 min interpolation', () => {
  it('emits the first interval flat and provisional, at T..T+25', () => {
    const { emit } = rooftopStep(emptyRooftopState(), pv('NSW1', 0, 600));
    expect(emit.map((e) => e.settlementdate)).toEqual([0, 5, 10, 15, 20, 25].map((m) => T0 + m * MIN));
    expect(emit.map((e) => e.settlementdate_nem)).toEqual(
      ['12:00', '12:05', '12:10', '12:15', '12:20', '12:25'].map((t) => `2025-12-27T${t}:00`),
    );
    expect(powers(emit)).toEqual([600, 600, 600, 600, 600, 600]);
    expect(emit.every((e) => e.provisional)).toBe(true);
  });

  it('recomputes the six slots before an arriving interval, and leaves the newest provisional', () => {
    const { emits } = fold([pv('NSW1', 0, 600), pv('NSW1', 30, 720)]);
    const second = emits[1] ?? [];
    expect(second).toHaveLength(12);
    expect(powers(second.slice(0, 6))).toEqual([0, 1, 2, 3, 4, 5].map((j) => ((6 - j) * 600 + j * 720) / 6));
    expect(second.slice(0, 6).every((e) => !e.provisional)).toBe(true);
    expect(powers(second.slice(6))).toEqual([720, 720, 720, 720, 720, 720]);
    expect(second.slice(6).every((e) => e.provisional)).toBe(true);
  });

  it('recomputes both neighbours when a late restatement arrives', () => {
    const first = fold([pv('VIC1', 0, 100), pv('VIC1', 30, 200), pv('VIC1', 60, 300)]);
    const { emit } = rooftopStep(first.state, pv('VIC1', 30, 260));
    expect(emit.map((e) => (e.settlementdate - T0) / MIN)).toEqual([0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55]);
    expect(powers(emit.slice(0, 6))).toEqual([0, 1, 2, 3, 4, 5].map((j) => ((6 - j) * 100 + j * 260) / 6));
    expect(powers(emit.slice(6))).toEqual([0, 1, 2, 3, 4, 5].map((j) => ((6 - j) * 260 + j * 300) / 6));
    expect(emit.every((e) => !e.provisional)).toBe(true);
  });

  it('ignores a re-sent interval with an older LASTCHANGED, and an unchanged one', () => {
    const s = fold([pv('SA1', 0, 50, { lastchanged: 2000 })]).state;
    expect(rooftopStep(s, pv('SA1', 0, 10, { lastchanged: 1000 }))).toEqual({ state: s, emit: [] });
    expect(rooftopStep(s, pv('SA1', 0, 50, { lastchanged: 3000 })).emit).toEqual([]);
    expect(powers(rooftopStep(s, pv('SA1', 0, 70, { lastchanged: 3000 })).emit)).toEqual([70, 70, 70, 70, 70, 70]);
  });

  it('treats a missing middle interval as no next: flat provisional, filled in when it arrives', () => {
    const gap = fold([pv('QLD1', 0, 100), pv('QLD1', 60, 400)]);
    expect(gap.emits[1]?.map((e) => (e.settlementdate - T0) / MIN)).toEqual([60, 65, 70, 75, 80, 85]);
    const slot = (m: number) => gap.table.get(`QLD1|${formatNem(T0 + m * MIN)}`);
    expect([0, 5, 10, 15, 20, 25].map((m) => [slot(m)?.power, slot(m)?.provisional])).toEqual(Array(6).fill([100, true]));
    expect(slot(30)).toBeUndefined();
    const filled = rooftopStep(gap.state, pv('QLD1', 30, 250));
    expect(powers(filled.emit)).toEqual([
      ...[0, 1, 2, 3, 4, 5].map((j) => ((6 - j) * 100 + j * 250) / 6),
      ...[0, 1, 2, 3, 4, 5].map((j) => ((6 - j) * 250 + j * 400) / 6),
    ]);
    expect(filled.emit.every((e) => !e.provisional)).toBe(true);
  });

  it('keeps sub-regions as separate series and ignores SATELLITE', () => {
    const { table, emits } = fold([
      pv('QLD1', 0, 1000), pv('QLDC', 0, 100), pv('QLDC', 30, 160, { type: 'SATELLITE' }), pv('QLD1', 30, 1600),
    ]);
    expect(emits[2]).toEqual([]);
    const qldc = [...table.values()].filter((r) => r.regionid === 'QLDC');
    expect(powers(qldc)).toEqual([100, 100, 100, 100, 100, 100]);
    expect(qldc.every((r) => r.provisional)).toBe(true);
    expect(powers([...table.values()].filter((r) => r.regionid === 'QLD1').slice(0, 6))).toEqual([1000, 1100, 1200, 1300, 1400, 1500]);
  });

  it('counts an empty POWER as 0, like the reference parser', () => {
    expect(powers(rooftopStep(emptyRooftopState(), pv('TAS1', 0, null)).emit)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('bounds the state per region', () => {
    const rows = Array.from({ length: 200 }, (_, i) => pv('NSW1', 30 * i, i));
    const { state } = fold(rows);
    expect(Object.keys(state.regions.NSW1 ?? {})).toHaveLength(96);
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
  });

  describe('on the Dec 2019 MMSDM rooftop table', () => {
    const at = (region: string, nem: string) => series.find((r) => r.regionid === region && r.settlementdate_nem === nem);

    it('produces six slots per MEASUREMENT interval, SATELLITE ignored', () => {
      expect(series).toHaveLength(15360 * 6);
      expect(new Set(series.map((r) => r.regionid)).size).toBe(10);
    });

    it('interpolates between the file values (NSW1 12:00 = 1340.554, 12:30 = 1349.968; QLDC 191.855 -> 189.324)', () => {
      expect(at('NSW1', '2019-12-01T12:00:00')?.power).toBe(1340.554);
      expect(at('NSW1', '2019-12-01T12:10:00')?.power).toBe((4 * 1340.554 + 2 * 1349.968) / 6);
      expect(at('NSW1', '2019-12-01T12:25:00')?.power).toBe((1 * 1340.554 + 5 * 1349.968) / 6);
      expect(at('NSW1', '2019-12-01T12:30:00')?.power).toBe(1349.968);
      expect(at('QLDC', '2019-12-01T12:05:00')?.power).toBe((5 * 191.855 + 1 * 189.324) / 6);
      expect(at('NSW1', '2019-12-01T12:05:00')?.provisional).toBe(false);
    });

    it('leaves only the last interval of each region provisional', () => {
      const provisional = series.filter((r) => r.provisional);
      expect(provisional).toHaveLength(10 * 6);
      expect(new Set(provisional.map((r) => r.settlementdate_nem.slice(0, 13)))).toEqual(new Set(['2020-01-02T00']));
    });

    it('matches folding the rows one by one through rooftopStep', () => {
      const { table } = fold(clean.filter((c) => c.regionid === 'TASN' || c.regionid === 'SA1'));
      const expected = series.filter((r) => r.regionid === 'TASN' || r.regionid === 'SA1');
      expect(table.size).toBe(expected.length);
      for (const r of expected) expect(table.get(rooftop5MinRecord(r).key)).toEqual(r);
    });
  });
});
