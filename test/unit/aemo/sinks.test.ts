// The pure parts of the AEMO processing/sink half: fuel guesses, parquet rows, the rooftop pivot and merges, view
// payloads, gap finding, the DUID CSV, the 5-min step's offset bookkeeping and the stateful runner's commit rule.
import { describe, expect, it } from 'vitest';
import type { InputMessage } from '../../../runtime/types.js';
import { commitOffset, parseCommitMeta } from '../../../runtime/stateful-processor-runner.js';
import { emptyRooftop5State, rooftop5OldestNeeded, rooftop5Step, type Rooftop5State } from '../../../processors/aemo/components.js';
import type { CleanRooftopPv, RooftopPv5Min } from '../../../schemas/aemo/clean.js';
import { parseNemTime } from '../../../schemas/aemo/nem-time.js';
import { guessFuel, guessRegion, unitAt } from '../../../sinks/aemo/fuel.js';
import { parseDuidCsv } from '../../../ops/aemo/duids.js';
import { dayOfIntervalEnd, missingIntervals, nemDayRange, repairPlan, runsOf, type TableGaps } from '../../../ops/aemo/gaps.js';
import { flowRow, genRow, GEN_OUTPUT, mergeRooftop, mergeRows, nemWallClock, ROOFTOP_SOLAR, sortedRows, spotRow, type Row } from '../../../ops/aemo/parquet.js';
import { generationPayload, pickInterval, priceSeriesPayload, priceVersion } from '../../../sinks/aemo/views.js';

const utc = (nem: string) => parseNemTime(nem)!.utc;

describe('fuel and region from the DUID name (reference fallback)', () => {
  it.each([
    ['RT_NSW1', 'Rooftop Solar'],
    ['DG_VIC1', 'Distributed Gen'],
    ['HPRG1', 'Battery Storage'],
    ['ADPBA1G', 'Battery Storage'],
    ['WDBESSG1', 'Battery Storage'],
    ['VBBG1', 'Battery Storage'],
    ['QPSFB1', 'Battery Storage'],
    ['BROKENH1', 'Unknown'],
    ['MOREESF1', 'Solar'],
    ['HDWF2', 'Wind'],
    ['TUMUT3', 'Unknown'],
    ['SHOAL1', 'Water'],
    ['W/HOE#1', 'Unknown'],
  ])('%s -> %s', (duid, fuel) => expect(guessFuel(duid).fuel).toBe(fuel));

  it('reads a region only from pseudo-DUID suffixes', () => {
    expect(guessRegion('DG_NSW1')).toBe('NSW1');
    expect(guessRegion('BW01')).toBeNull();
  });

  it('prefers the registry entry valid at the time, then falls back to the guesses', () => {
    const entries = [
      { duid: 'X1', regionid: 'SA1', fuel: 'Gas', validFrom: null, validTo: utc('2025/01/01 00:00:00') },
      { duid: 'X1', regionid: 'VIC1', fuel: 'Battery Storage', validFrom: utc('2025/01/01 00:00:00'), validTo: null },
    ];
    expect(unitAt('X1', utc('2024/06/01 12:00:00'), entries)).toEqual({ regionid: 'SA1', fuel: 'Gas', known: true });
    expect(unitAt('X1', utc('2025/06/01 12:00:00'), entries)).toEqual({ regionid: 'VIC1', fuel: 'Battery Storage', known: true });
    expect(unitAt('NEWWF1', 0, entries)).toEqual({ regionid: 'Unknown', fuel: 'Wind', known: false });
  });
});

describe('parquet rows', () => {
  const t = utc('2025/12/27 00:05:00');
  it('writes settlementdate as the naive NEM wall clock', () => {
    expect(new Date(nemWallClock(t)).toISOString()).toBe('2025-12-27T00:05:00.000Z');
  });

  it('shapes gen_output, spot_hist and transmission_flows rows with the reference column names', () => {
    expect(genRow({ settlementdate: t, settlementdate_nem: '2025-12-27T00:05:00', duid: 'BW01', scadavalue: 328.16663, lastchanged: null })).toEqual({ settlementdate: nemWallClock(t), duid: 'BW01', scadavalue: 328.16663 });
    expect(genRow({ settlementdate: t, settlementdate_nem: '', duid: 'BW01', scadavalue: null, lastchanged: null })).toBeNull();
    const price = { settlementdate: t, settlementdate_nem: '', regionid: 'NSW1', intervention: 0, rrp: 33.51273, eep: 0, rop: 33.51273, apcflag: 0, marketsuspendedflag: 0, lastchanged: null };
    expect(spotRow(price)).toEqual({ SETTLEMENTDATE: nemWallClock(t), REGIONID: 'NSW1', RRP: 33.51273 });
    expect(spotRow({ ...price, intervention: 1 })).toBeNull();
    const flow = { settlementdate: t, settlementdate_nem: '', interconnectorid: 'V-SA', intervention: 0, meteredmwflow: -100.93054, mwflow: -67.23021, mwlosses: 1.16055, exportlimit: null, importlimit: -599.6222, lastchanged: null };
    expect(Object.keys(flowRow(flow)!)).toEqual(['settlementdate', 'interconnectorid', 'meteredmwflow', 'mwflow', 'exportlimit', 'importlimit', 'mwlosses']);
    expect(flowRow(flow)!.exportlimit).toBeNull();
    expect(flowRow({ ...flow, intervention: 1 })).toBeNull();
  });

  it('merges on the natural key without duplicates, the later row winning, sorted by time then id', () => {
    const rows = new Map<string, Row>();
    mergeRows(rows, [{ settlementdate: 2, duid: 'B', scadavalue: 1 }, { settlementdate: 1, duid: 'A', scadavalue: 1 }], GEN_OUTPUT);
    mergeRows(rows, [{ settlementdate: 2, duid: 'B', scadavalue: 9 }, { settlementdate: 1, duid: 'B', scadavalue: 3 }], GEN_OUTPUT);
    expect(sortedRows(rows)).toEqual([
      { settlementdate: 1, duid: 'A', scadavalue: 1 },
      { settlementdate: 1, duid: 'B', scadavalue: 3 },
      { settlementdate: 2, duid: 'B', scadavalue: 9 },
    ]);
  });

  it('pivots 5-min rooftop rows cell by cell: provisional values replaced, other regions kept, unknown ones null', () => {
    const five = (regionid: string, power: number, provisional: boolean, at = t): RooftopPv5Min => ({ settlementdate: at, settlementdate_nem: '', regionid, power, provisional });
    const rows = mergeRooftop(new Map(), [five('NSW1', 100, true), five('SA1', 50, false), five('QLDC', 7, false), five('XX1', 1, false)]);
    mergeRooftop(rows, [five('NSW1', 120, false), five('NSW1', 130, false, t + 300_000)]);
    const out = sortedRows(rows);
    expect(ROOFTOP_SOLAR.columns.map((c) => c.name)).toEqual(['settlementdate', 'NSW1', 'QLD1', 'SA1', 'TAS1', 'VIC1', 'QLDC', 'QLDN', 'QLDS', 'TASN', 'TASS']);
    expect(out).toEqual([
      { settlementdate: nemWallClock(t), NSW1: 120, QLD1: null, SA1: 50, TAS1: null, VIC1: null, QLDC: 7, QLDN: null, QLDS: null, TASN: null, TASS: null },
      { settlementdate: nemWallClock(t + 300_000), NSW1: 130, QLD1: null, SA1: null, TAS1: null, VIC1: null, QLDC: null, QLDN: null, QLDS: null, TASN: null, TASS: null },
    ]);
  });
});

describe('views', () => {
  it('orders price versions by interval, then by LASTCHANGED', () => {
    const t = utc('2025/12/27 00:05:00');
    expect(priceVersion(t, t - 285_000)).toBeLessThan(priceVersion(t, t + 3_600_000));
    expect(priceVersion(t, t + 86_400_000 * 5)).toBeLessThan(priceVersion(t + 300_000, null));
    expect(Number.isSafeInteger(priceVersion(utc('2100/01/01 00:00:00'), null))).toBe(true);
  });

  it('builds the 24 h series per region in time order', () => {
    const p = priceSeriesPayload([
      { regionid: 'SA1', settlementdate: new Date(600_000), rrp: 2 },
      { regionid: 'SA1', settlementdate: new Date(300_000), rrp: 1 },
      { regionid: 'NSW1', settlementdate: new Date(300_000), rrp: 3 },
    ]);
    expect(p).toEqual({ through: new Date(600_000).toISOString(), regions: { NSW1: [[new Date(300_000).toISOString(), 3]], SA1: [[new Date(300_000).toISOString(), 1], [new Date(600_000).toISOString(), 2]] } });
  });

  it('sums generation per region and fuel, guessing unknown DUIDs', () => {
    const at = new Date(utc('2025/12/27 00:05:00'));
    const p = generationPayload([
      { duid: 'BW01', scadavalue: 300, settlementdate: at, settlementdate_nem: '2025-12-27T00:05:00', entry: { duid: 'BW01', regionid: 'NSW1', fuel: 'Coal', validFrom: null, validTo: null } },
      { duid: 'ER01', scadavalue: 200, settlementdate: at, settlementdate_nem: '2025-12-27T00:05:00', entry: { duid: 'ER01', regionid: 'NSW1', fuel: 'Coal', validFrom: null, validTo: null } },
      { duid: 'DG_NSW1', scadavalue: 5, settlementdate: at, settlementdate_nem: '2025-12-27T00:05:00' },
      { duid: 'MYSTERY1', scadavalue: null, settlementdate: at, settlementdate_nem: '2025-12-27T00:05:00' },
    ]);
    expect(p.regions).toEqual({ NSW1: { Coal: 500, 'Distributed Gen': 5 } });
    expect(p.unknownDuids).toEqual(['DG_NSW1', 'MYSTERY1']);
  });

  it('shows the previous interval while the newest is still arriving', () => {
    const a = new Date(0);
    const b = new Date(300_000);
    expect(pickInterval([{ settlementdate: a, n: 490 }, { settlementdate: b, n: 120 }])).toEqual(a);
    expect(pickInterval([{ settlementdate: a, n: 490 }, { settlementdate: b, n: 489 }])).toEqual(b);
    expect(pickInterval([])).toBeUndefined();
  });
});

describe('gaps', () => {
  it('expects 288 five-minute and 48 thirty-minute interval ends per NEM day, 00:05 .. 24:00', () => {
    const { start, end } = nemDayRange('2025-12-27', '2025-12-27');
    expect(missingIntervals([], start, end, 5).length).toBe(288);
    expect(missingIntervals([], start, end, 30).length).toBe(48);
    const have = missingIntervals([], start, end, 5).filter((t) => t !== utc('2025/12/27 10:05:00') && t !== utc('2025/12/27 10:10:00') && t !== utc('2025/12/28 00:00:00'));
    const missing = missingIntervals(have, start, end, 5);
    expect(runsOf(missing, 5)).toEqual([
      [utc('2025/12/27 10:05:00'), utc('2025/12/27 10:10:00'), 2],
      [utc('2025/12/28 00:00:00'), utc('2025/12/28 00:00:00'), 1],
    ]);
    // 24:00 belongs to the day that ends then (its daily archive).
    expect(dayOfIntervalEnd(utc('2025/12/28 00:00:00'))).toBe('2025-12-27');
    const gaps: TableGaps[] = [
      { check: { table: 'a', column: 'settlementdate', stepMinutes: 5, dataset: 'scada' }, missing },
      { check: { table: 'b', column: 'interval_datetime', stepMinutes: 30, dataset: 'rooftop' }, missing: [utc('2025/12/29 12:00:00')] },
    ];
    expect([...repairPlan(gaps)].map(([d, s]) => [d, [...s]])).toEqual([
      ['2025-12-27', ['scada']],
      ['2025-12-29', ['rooftop']],
    ]);
  });
});

describe('DUID registry CSV', () => {
  it('reads duid,regionid,fuel with optional validity (NEM dates)', () => {
    const rows = parseDuidCsv('DUID,RegionID,Fuel,valid_from,valid_to\nbw01,NSW1,Coal,,\nX1,SA1,Gas,,2025-01-01\nX1,VIC1,Battery Storage,2025-01-01,\n');
    expect(rows).toEqual([
      { duid: 'BW01', regionid: 'NSW1', fuel: 'Coal', validFrom: null, validTo: null },
      { duid: 'X1', regionid: 'SA1', fuel: 'Gas', validFrom: null, validTo: utc('2025/01/01 00:00:00') },
      { duid: 'X1', regionid: 'VIC1', fuel: 'Battery Storage', validFrom: utc('2025/01/01 00:00:00'), validTo: null },
    ]);
  });

  it('refuses a missing column, a bad date and a duplicate', () => {
    expect(() => parseDuidCsv('duid,fuel\nA,Coal\n')).toThrow(/regionid/);
    expect(() => parseDuidCsv('duid,regionid,fuel,valid_from\nA,NSW1,Coal,01/02/2025\n')).toThrow(/line 2: valid_from/);
    expect(() => parseDuidCsv('duid,regionid,fuel\nA,NSW1,Coal\nA,NSW1,Gas\n')).toThrow(/line 3/);
  });
});

describe('5-min rooftop step and the stateful commit rule', () => {
  const row = (nem: string, power: number, regionid = 'NSW1', type = 'MEASUREMENT'): CleanRooftopPv => ({
    interval_datetime: utc(nem),
    interval_datetime_nem: nem,
    regionid,
    type,
    power,
    qi: 1,
    lastchanged: utc(nem) + 1_200_000,
  });
  const msg = (value: CleanRooftopPv, offset: number): InputMessage<CleanRooftopPv> => ({ topic: 't', partition: 0, offset: String(offset), key: null, value, timestamp: 0, headers: {} });
  const feed = (rows: CleanRooftopPv[], o = {}) => {
    let s: Rooftop5State = emptyRooftop5State();
    const out: RooftopPv5Min[] = [];
    rows.forEach((r, i) => {
      const x = rooftop5Step(s, msg(r, i), o);
      s = x.state;
      if (Array.isArray(x.out)) out.push(...x.out.map((o) => o.value));
    });
    return { state: s, out };
  };

  it('emits six interpolated slots once the next interval arrives, flat provisional before', () => {
    const { out } = feed([row('2024/08/01 12:00:00', 600), row('2024/08/01 12:30:00', 1200)]);
    const latest = new Map(out.map((r) => [r.settlementdate_nem, r]));
    expect([0, 1, 2, 3, 4, 5].map((j) => latest.get(`2024-08-01T12:${String(j * 5).padStart(2, '0')}:00`)!.power)).toEqual([600, 700, 800, 900, 1000, 1100]);
    expect(latest.get('2024-08-01T12:30:00')).toMatchObject({ power: 1200, provisional: true });
  });

  it('remembers the input offset of each retained point: the oldest is where a restart re-reads from', () => {
    const { state } = feed([row('2024/08/01 12:00:00', 1, 'NSW1', 'SATELLITE'), row('2024/08/01 12:00:00', 600), row('2024/08/01 12:30:00', 1200), row('2024/08/01 12:00:00', 650)]);
    expect(state.from.NSW1).toEqual({ [String(utc('2024/08/01 12:00:00'))]: '3', [String(utc('2024/08/01 12:30:00'))]: '2' });
    expect(rooftop5OldestNeeded(state)).toBe('2');
    expect(rooftop5OldestNeeded(emptyRooftop5State())).toBeUndefined();
  });

  it('interpolates an old file streaming past (older than the live window) without flat overwrites', () => {
    const live = Array.from({ length: 4 }, (_, i) => row(`2024/09/01 ${String(10 + i).padStart(2, '0')}:00:00`, 5));
    const old = [row('2024/08/01 12:00:00', 600), row('2024/08/01 12:30:00', 1200), row('2024/08/01 13:00:00', 1800)];
    const { out } = feed([...live, ...old], { liveIntervals: 4, recentIntervals: 2 });
    const olds = out.filter((r) => r.settlementdate_nem.startsWith('2024-08-01'));
    // 12:00 and 12:30 interpolated; 13:00 has no next in the state and is outside the window: not emitted flat.
    expect(olds.map((r) => [r.settlementdate_nem.slice(11, 16), r.power, r.provisional])).toEqual([
      ['12:00', 600, false], ['12:05', 700, false], ['12:10', 800, false], ['12:15', 900, false], ['12:20', 1000, false], ['12:25', 1100, false],
      ['12:30', 1200, false], ['12:35', 1300, false], ['12:40', 1400, false], ['12:45', 1500, false], ['12:50', 1600, false], ['12:55', 1700, false],
    ]);
  });

  it('commits the oldest needed offset, never past the next unread one, and reads its metadata back', () => {
    expect(commitOffset('5', 10n, 0n, true)).toBe(5n);
    expect(commitOffset(undefined, 10n, 0n, true)).toBe(10n);
    expect(commitOffset('12', 10n, 0n, true)).toBe(10n);
    expect(commitOffset('5', 10n, 3n, false)).toBe(3n);
    expect(parseCommitMeta('{"v":1,"emittedThrough":"42"}')).toEqual({ v: 1, emittedThrough: '42' });
    expect(parseCommitMeta('')).toBeUndefined();
    expect(parseCommitMeta('garbage')).toBeUndefined();
  });
});
