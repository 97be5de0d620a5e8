// Gap detection for the AEMO tables: which expected interval ends (5-min dispatch, 30-min rooftop) have no row. The
// expected grid is computed here (pure); the tables are only asked which instants they hold.
import type pg from 'pg';
import { ident } from '../../runtime/sql.js';
import { nemToUtc, nemDay } from '../../schemas/aemo/nem-time.js';
import { AEMO_TABLES, type AemoTableNames } from '../../sinks/aemo/tables.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** What the AEMO source's `datasets` option calls the data that repairs a table. */
export type GapDataset = 'scada' | 'price' | 'interconnector' | 'rooftop';

export interface GapCheck {
  table: string;
  column: string;
  stepMinutes: number;
  /** The source dataset that repairs this table (the source's `datasets` option). */
  dataset: GapDataset;
  /** Extra filter so one row kind counts (rooftop: MEASUREMENT, the series everything downstream uses). */
  where?: string;
}

export function gapChecks(t: AemoTableNames = AEMO_TABLES): GapCheck[] {
  return [
    { table: t.scada, column: 'settlementdate', stepMinutes: 5, dataset: 'scada' },
    { table: t.price, column: 'settlementdate', stepMinutes: 5, dataset: 'price', where: 'intervention = 0' },
    { table: t.interconnector, column: 'settlementdate', stepMinutes: 5, dataset: 'interconnector', where: 'intervention = 0' },
    { table: t.rooftop, column: 'interval_datetime', stepMinutes: 30, dataset: 'rooftop', where: "type = 'MEASUREMENT'" },
  ];
}

/** UTC range (exclusive start, inclusive end) of NEM days `from`..`to` (YYYY-MM-DD): interval ENDS 00:05 .. 24:00. */
export function nemDayRange(from: string, to: string): { start: number; end: number } {
  const parse = (d: string) => {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(d);
    if (!m) throw new Error(`not a date (YYYY-MM-DD): ${d}`);
    return nemToUtc(Number(m[1]), Number(m[2]), Number(m[3]));
  };
  const start = parse(from);
  const end = parse(to) + DAY;
  if (end <= start) throw new Error(`--to ${to} is before --from ${from}`);
  return { start, end };
}

/** Expected interval ends in (start, end] every `stepMinutes` that are not in `present` (UTC ms). */
export function missingIntervals(present: Iterable<number>, start: number, end: number, stepMinutes: number): number[] {
  const have = new Set(present);
  const step = stepMinutes * MINUTE;
  const out: number[] = [];
  for (let t = start + step; t <= end; t += step) if (!have.has(t)) out.push(t);
  return out;
}

/** The NEM day an interval END belongs to (24:00 = the day that ends then), i.e. the day file that holds it. */
export const dayOfIntervalEnd = (utc: number): string => nemDay(utc - 1);

/** Missing runs, for printing: consecutive missing instants folded into [first, last, count]. */
export function runsOf(missing: readonly number[], stepMinutes: number): [number, number, number][] {
  const out: [number, number, number][] = [];
  for (const t of missing) {
    const last = out[out.length - 1];
    if (last && t - last[1] === stepMinutes * MINUTE) {
      last[1] = t;
      last[2]++;
    } else out.push([t, t, 1]);
  }
  return out;
}

export interface TableGaps {
  check: GapCheck;
  missing: number[];
}

export async function findGaps(db: pg.Pool | pg.PoolClient, from: string, to: string, checks = gapChecks()): Promise<TableGaps[]> {
  const { start, end } = nemDayRange(from, to);
  const out: TableGaps[] = [];
  for (const c of checks) {
    const col = ident(c.column);
    // `where` comes from gapChecks (constants), never from input.
    const r = await db.query<{ t: Date }>(
      `select distinct ${col} as t from ${ident(c.table)} where ${col} > $1 and ${col} <= $2${c.where ? ` and ${c.where}` : ''}`,
      [new Date(start), new Date(end)],
    );
    out.push({ check: c, missing: missingIntervals(r.rows.map((x) => x.t.getTime()), start, end, c.stepMinutes) });
  }
  return out;
}

/** Per NEM day with a gap, the datasets to fetch again. */
export function repairPlan(gaps: readonly TableGaps[]): Map<string, Set<GapDataset>> {
  const plan = new Map<string, Set<GapDataset>>();
  for (const g of gaps) {
    for (const t of g.missing) {
      const day = dayOfIntervalEnd(t);
      let s = plan.get(day);
      if (!s) plan.set(day, (s = new Set()));
      s.add(g.check.dataset);
    }
  }
  return new Map([...plan].sort(([a], [b]) => (a < b ? -1 : 1)));
}
