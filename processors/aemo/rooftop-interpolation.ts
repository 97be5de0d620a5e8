// Rooftop PV 30-min -> 5-min, reproducing the reference updater (davidleitch1/aemo-data-updater) exactly: a value `cur`
// at interval time T and the next interval's value `next` at T+30 give slots T + 5j min, j = 0..5, each
// ((6-j)*cur + j*next)/6. Note the reference places the slots FORWARD from an end-labelled value, so the 5-min series
// sits 30 min later than the interval it describes; we keep that so our numbers match the reference's.
//
// Decisions:
// - Only consecutive intervals are interpolated. With no value at T+30 (the newest interval, or a gap before T+60),
//   T's six slots are flat `cur`, marked provisional; they are recomputed when T+30 arrives.
// - MEASUREMENT only: SATELLITE is a separate estimate and is never mixed in. Sub-regions are their own series.
// - An empty POWER counts as 0, as in the reference parser.
// - A re-sent interval replaces the stored one unless its LASTCHANGED is older (a backfill replaying an old file must
//   not undo a newer restatement); an unchanged value emits nothing.
import type { OutputRecord } from '../../runtime/types.js';
import { formatNem } from '../../schemas/aemo/nem-time.js';
import type { CleanRooftopPv, RooftopPv5Min } from '../../schemas/aemo/clean.js';

const MINUTE = 60_000;
const HALF_HOUR = 30 * MINUTE;

/** Stored 30-min point: [power MW, lastchanged ms or null]. */
export type RooftopPoint = [number, number | null];

/**
 * What the step function needs to remember: per region, the recent 30-min MEASUREMENT values keyed by interval time
 * (UTC ms, as a string so the state is plain JSON a runner can persist or rebuild by replaying clean.aemo.rooftop_pv).
 * More than the last value is kept so a late or restated interval can recompute its neighbours.
 */
export interface RooftopState {
  regions: Record<string, Record<string, RooftopPoint>>;
}

export interface StepResult {
  state: RooftopState;
  /** 5-min rows to upsert (by region + settlementdate), oldest first. */
  emit: RooftopPv5Min[];
}

export interface StepOptions {
  /** 30-min intervals kept per region (default 96 = two days); older restatements still emit their own six slots. */
  keepIntervals?: number;
}

export const emptyRooftopState = (): RooftopState => ({ regions: {} });

/** The six 5-min slots of interval T: interpolated towards `next`, or flat and provisional without one. */
export function slotsOf(regionid: string, t: number, cur: number, next: number | undefined): RooftopPv5Min[] {
  const rows: RooftopPv5Min[] = [];
  for (let j = 0; j <= 5; j++) {
    const settlementdate = t + 5 * j * MINUTE;
    rows.push({
      settlementdate,
      settlementdate_nem: formatNem(settlementdate),
      regionid,
      power: next === undefined ? cur : ((6 - j) * cur + j * next) / 6,
      provisional: next === undefined,
    });
  }
  return rows;
}

const isMeasurement = (row: CleanRooftopPv): boolean => row.type === 'MEASUREMENT';

/** Whether `incoming` should replace the stored point: yes unless both have LASTCHANGED and incoming's is older. */
const supersedes = (incoming: number | null, stored: number | null): boolean =>
  incoming === null || stored === null || incoming >= stored;

/** Feeds one clean 30-min rooftop row; returns the new state and the 5-min rows it changes. Pure. */
export function rooftopStep(state: RooftopState, row: CleanRooftopPv, options: StepOptions = {}): StepResult {
  if (!isMeasurement(row)) return { state, emit: [] };
  const keep = options.keepIntervals ?? 96;
  const t = row.interval_datetime;
  const power = row.power ?? 0;
  const series = state.regions[row.regionid] ?? {};
  const stored = series[String(t)];
  if (stored && !supersedes(row.lastchanged, stored[1])) return { state, emit: [] };

  const updated: Record<string, RooftopPoint> = { ...series, [String(t)]: [power, row.lastchanged] };
  const times = Object.keys(updated).map(Number).sort((a, b) => a - b);
  for (const old of times.slice(0, Math.max(0, times.length - keep))) delete updated[String(old)];
  const next: RooftopState = { regions: { ...state.regions, [row.regionid]: updated } };
  if (stored && stored[0] === power) return { state: next, emit: [] };

  const prev = series[String(t - HALF_HOUR)];
  const after = series[String(t + HALF_HOUR)];
  const emit = [
    ...(prev ? slotsOf(row.regionid, t - HALF_HOUR, prev[0], power) : []),
    ...slotsOf(row.regionid, t, power, after?.[0]),
  ];
  return { state: next, emit };
}

/**
 * The 5-min series of a batch of 30-min rows (e.g. a monthly archive), ordered by region then time: what folding the
 * rows through `rooftopStep` would leave after upserting every emitted row. Duplicates of a region/interval resolve
 * as in `rooftopStep` (newest LASTCHANGED, ties to the later row).
 */
export function interpolateSeries(rows: Iterable<CleanRooftopPv>): RooftopPv5Min[] {
  const byRegion = new Map<string, Map<number, RooftopPoint>>();
  for (const row of rows) {
    if (!isMeasurement(row)) continue;
    let series = byRegion.get(row.regionid);
    if (!series) byRegion.set(row.regionid, (series = new Map()));
    const stored = series.get(row.interval_datetime);
    if (stored && !supersedes(row.lastchanged, stored[1])) continue;
    series.set(row.interval_datetime, [row.power ?? 0, row.lastchanged]);
  }
  const out: RooftopPv5Min[] = [];
  for (const regionid of [...byRegion.keys()].sort()) {
    const series = byRegion.get(regionid) ?? new Map<number, RooftopPoint>();
    for (const t of [...series.keys()].sort((a, b) => a - b)) {
      const cur = series.get(t)?.[0] ?? 0;
      out.push(...slotsOf(regionid, t, cur, series.get(t + HALF_HOUR)?.[0]));
    }
  }
  return out;
}

/** The clean.aemo.rooftop_pv_5min record for a 5-min row (key `regionid|settlementdate_nem`). */
export const rooftop5MinRecord = (row: RooftopPv5Min): OutputRecord<RooftopPv5Min> => ({
  key: `${row.regionid}|${row.settlementdate_nem}`,
  value: row,
  eventTime: row.settlementdate,
});
