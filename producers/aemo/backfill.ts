// Backfill planning for the AEMO source: which file holds each requested (dataset, day), and which days are done.
// Pure: no I/O. source.ts fetches and reads the units planned here.
import { archiveUrl, chooseArchive, currentDirUrl, mmsdmTables, mmsdmUrl, monthOf } from './files.js';
import type { AemoDataset, ArchiveChoice } from './files.js';
import { nemDay } from '../../schemas/aemo/nem-time.js';
import { RAW_TOPICS } from './records.js';
import type { AemoRawTopic } from './records.js';
import type { AemoWant } from '../../schemas/aemo/topics.js';

/** What a user asks for; price and interconnector both come from the DISPATCHIS files. */
export const AEMO_WANTS: readonly AemoWant[] = ['scada', 'price', 'interconnector', 'rooftop'];

export const WANT_TOPIC: Record<AemoWant, AemoRawTopic> = {
  scada: RAW_TOPICS.unitScada,
  price: RAW_TOPICS.dispatchPrice,
  interconnector: RAW_TOPICS.interconnector,
  rooftop: RAW_TOPICS.rooftopActual,
};

export const WANT_DATASET: Record<AemoWant, AemoDataset> = { scada: 'scada', price: 'dispatchis', interconnector: 'dispatchis', rooftop: 'rooftop' };

/** The MMSDM monthly table of each want (files.ts lists them per dataset; here one per want). */
const WANT_TABLE: Record<AemoWant, string> = {
  scada: 'DISPATCH_UNIT_SCADA',
  price: 'DISPATCHPRICE',
  interconnector: 'DISPATCHINTERCONNECTORRES',
  rooftop: 'ROOFTOP_PV_ACTUAL',
};

/** `datasets` as the CLI gives it (`"scada,price"`, an array, or nothing for all four). */
export function parseWants(x: unknown): AemoWant[] {
  if (x === undefined || x === null || x === '') return [...AEMO_WANTS];
  const list = (Array.isArray(x) ? x.map(String) : String(x).split(',')).map((s) => s.trim().toLowerCase()).filter(Boolean);
  for (const w of list) {
    if (!(AEMO_WANTS as readonly string[]).includes(w)) throw new Error(`unknown AEMO dataset ${JSON.stringify(w)} (one of ${AEMO_WANTS.join(', ')})`);
  }
  return AEMO_WANTS.filter((w) => list.includes(w));
}

const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;

export function nextDay(day: string): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}

/** Every day from `from` to `to`, both included (YYYY-MM-DD, NEM calendar days). */
export function daysBetween(from: string, to: string): string[] {
  for (const d of [from, to]) {
    if (!DAY_RE.test(d) || new Date(`${d}T00:00:00Z`).toISOString().slice(0, 10) !== d) throw new Error(`not a day (YYYY-MM-DD): ${JSON.stringify(d)}`);
  }
  if (from > to) throw new Error(`backfill range is empty: from ${from} is after to ${to}`);
  const out: string[] = [];
  for (let d = from; d <= to; d = nextDay(d)) out.push(d);
  return out;
}

/** The NEM day an interval belongs to, from its END label: a day runs 00:05 … 24:00 (next day's 00:00). */
export const dayOfInterval = (endUtc: number): string => nemDay(endUtc - 1);

// ---- done days, kept as ranges so a year of backfill stays a short cursor ----

/** Sorted ranges `YYYY-MM-DD` or `YYYY-MM-DD/YYYY-MM-DD`. */
export type DayRanges = string[];

export function expandRanges(ranges: DayRanges | undefined): Set<string> {
  const out = new Set<string>();
  for (const r of ranges ?? []) {
    const [a, b = a] = r.split('/') as [string, string?];
    for (let d = a; d <= b; d = nextDay(d)) out.add(d);
  }
  return out;
}

export function compressDays(days: Iterable<string>): DayRanges {
  const sorted = [...new Set(days)].sort();
  const out: DayRanges = [];
  let start: string | undefined;
  let prev: string | undefined;
  for (const d of sorted) {
    if (start !== undefined && prev !== undefined && nextDay(prev) === d) {
      prev = d;
      continue;
    }
    if (start !== undefined && prev !== undefined) out.push(start === prev ? start : `${start}/${prev}`);
    start = prev = d;
  }
  if (start !== undefined && prev !== undefined) out.push(start === prev ? start : `${start}/${prev}`);
  return out;
}

export type DoneDays = Partial<Record<AemoWant, DayRanges>>;

export function markDone(done: DoneDays, wants: readonly AemoWant[], days: readonly string[]): DoneDays {
  const out: DoneDays = { ...done };
  for (const w of wants) out[w] = compressDays([...expandRanges(done[w]), ...days]);
  return out;
}

// ---- the plan ----

export interface BackfillUnit {
  /** Stable name of the unit, e.g. `archive:scada:2025-12-27` or `mmsdm:DISPATCHPRICE:2024-08`. */
  key: string;
  kind: ArchiveChoice;
  dataset: AemoDataset;
  /** The wants this unit serves; records of other tables in its files are left out. */
  wants: AemoWant[];
  /** Requested days the unit covers; they are marked done when it completes. */
  days: string[];
  /** nemweb.com.au URL: the Current dir to list, the archive zip or the MMSDM table (part 1). */
  url: string;
  /** MMSDM only: the table, whose further parts (FILE02, …) are tried after part 1. */
  table?: string;
  month?: string;
  /** Keep only files/rows whose interval falls on `days` (weekly, monthly and Current units hold other days). */
  filterDays: boolean;
}

export interface BackfillRequest {
  from: string;
  to: string;
  wants: readonly AemoWant[];
}

/**
 * The units that fetch every requested (want, day) not yet done, in day order: the Current dir for today and
 * yesterday, a day's nested archive (a week's, for rooftop) within a year, the MMSDM month before that.
 */
export function planBackfill(req: BackfillRequest, now: number, done: DoneDays = {}): BackfillUnit[] {
  const days = daysBetween(req.from, req.to);
  const doneSets = new Map(req.wants.map((w) => [w, expandRanges(done[w])]));
  const units = new Map<string, BackfillUnit>();
  const add = (key: string, make: () => BackfillUnit, want: AemoWant, day: string): void => {
    const u = units.get(key) ?? make();
    units.set(key, u);
    if (!u.wants.includes(want)) u.wants.push(want);
    if (!u.days.includes(day)) u.days.push(day);
  };
  for (const day of days) {
    for (const want of req.wants) {
      if (doneSets.get(want)?.has(day)) continue;
      const dataset = WANT_DATASET[want];
      const kind = chooseArchive(day, now, dataset);
      if (kind === 'current') {
        add(`current:${dataset}:${day}`, () => ({ key: `current:${dataset}:${day}`, kind, dataset, wants: [], days: [], url: currentDirUrl(dataset), filterDays: true }), want, day);
      } else if (kind === 'archive') {
        const url = archiveUrl(dataset, day);
        const key = `archive:${dataset}:${url.slice(url.lastIndexOf('_') + 1, -4)}`;
        // A daily archive is that day's (no filter); the rooftop weekly one holds seven days.
        add(key, () => ({ key, kind, dataset, wants: [], days: [], url, filterDays: dataset === 'rooftop' }), want, day);
      } else {
        const month = monthOf(day);
        const table = WANT_TABLE[want];
        if (!mmsdmTables(dataset).includes(table)) throw new Error(`no MMSDM table for ${want}`);
        const key = `mmsdm:${table}:${month}`;
        add(key, () => ({ key, kind, dataset, wants: [], days: [], url: mmsdmUrl(table, month), table, month, filterDays: true }), want, day);
      }
    }
  }
  return [...units.values()].sort((a, b) => (a.days[0]! < b.days[0]! ? -1 : a.days[0]! > b.days[0]! ? 1 : a.key < b.key ? -1 : 1));
}

/** Requested (want, day) pairs, and how many of them are done: the backfill's progress units. */
export function progressOf(req: BackfillRequest, done: DoneDays): { done: number; total: number } {
  const days = daysBetween(req.from, req.to);
  let n = 0;
  for (const w of req.wants) {
    const set = expandRanges(done[w]);
    n += days.filter((d) => set.has(d)).length;
  }
  return { done: n, total: days.length * req.wants.length };
}

// ---- gap repair ----

/** Clean table (or want) names the gaps command may report, mapped to wants. */
const TABLE_WANT: Record<string, AemoWant> = {
  aemo_unit_scada: 'scada',
  aemo_region_price: 'price',
  aemo_interconnector_flow: 'interconnector',
  aemo_rooftop_pv: 'rooftop',
  aemo_rooftop_pv_5min: 'rooftop',
  scada: 'scada',
  price: 'price',
  interconnector: 'interconnector',
  rooftop: 'rooftop',
};

export interface RepairRun {
  from: string;
  to: string;
  datasets: AemoWant[];
  /** Fetch again even if an earlier backfill of the same range finished. */
  refetch: true;
}

/**
 * Backfill runs that refill missing intervals (END labels, UTC ms) per table: one run per stretch of consecutive
 * days that need the same datasets, so a gap on two far-apart days does not fetch everything in between.
 */
export function repairPlan(missing: readonly { table: string; intervals: readonly number[] }[]): RepairRun[] {
  const byDay = new Map<string, Set<AemoWant>>();
  for (const m of missing) {
    const want = TABLE_WANT[m.table];
    if (!want) throw new Error(`unknown AEMO table ${JSON.stringify(m.table)} (one of ${Object.keys(TABLE_WANT).join(', ')})`);
    for (const t of m.intervals) {
      const day = dayOfInterval(t);
      const set = byDay.get(day) ?? new Set<AemoWant>();
      set.add(want);
      byDay.set(day, set);
    }
  }
  const runs: RepairRun[] = [];
  for (const day of [...byDay.keys()].sort()) {
    const datasets = AEMO_WANTS.filter((w) => byDay.get(day)?.has(w));
    const last = runs[runs.length - 1];
    if (last && nextDay(last.to) === day && last.datasets.join() === datasets.join()) last.to = day;
    else runs.push({ from: day, to: day, datasets, refetch: true });
  }
  return runs;
}
