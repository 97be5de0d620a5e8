// `gridstream reconcile toronto`: per-year parking ticket counts and revenue (rows read from the ZIPs beside the
// tickets kept, and the yearly metrics beside the tickets they sum), and the camera totals beside the City's
// published sanity totals (shared/specs/civic.md §3-4). A figure beyond the tolerance is a problem; the CLI exits
// with EXIT.mismatch on any.
import type pg from 'pg';
import { ident, type TorontoTables } from '../../sinks/toronto/tables.js';

export interface CameraExpected {
  tickets: number;
  revenue: number;
  locations?: number;
  withCoordinates?: number;
}

/** Published totals: ASE 2,054,677 tickets / $102,733,850 over 593 locations; red light 1,094,217 / $355,620,525 (1,076,470 located). */
export const PUBLISHED: Record<'red_light' | 'ase', CameraExpected> = {
  red_light: { tickets: 1_094_217, revenue: 355_620_525, withCoordinates: 1_076_470 },
  ase: { tickets: 2_054_677, revenue: 102_733_850, locations: 593 },
};

export interface YearFigures {
  year: number;
  rowsRead: number;
  tickets: number;
  revenue: number;
  metricTickets: number;
  locatedTickets: number;
}

export interface CameraFigures {
  dataset: 'red_light' | 'ase';
  tickets: number;
  revenue: number;
  locations: number;
  withCoordinates: number;
  expected: CameraExpected;
}

export interface TorontoReconcileReport {
  years: YearFigures[];
  cameras: CameraFigures[];
  problems: string[];
}

export interface ReconcileOptions {
  /** Largest share of rows read that may merge as verbatim duplicates (default 0.01). */
  duplicateShare?: number;
  /** Relative tolerance on camera totals (default 0: exact). */
  cameraTolerance?: number;
  expected?: Partial<Record<'red_light' | 'ase', CameraExpected>>;
}

export async function reconcileToronto(db: pg.Pool, t: TorontoTables, o: ReconcileOptions = {}): Promise<TorontoReconcileReport> {
  const T = Object.fromEntries(Object.entries(t).map(([k, v]) => [k, ident(v)])) as Record<keyof TorontoTables, string>;
  const problems: string[] = [];
  const years = (
    await db.query<{ year: number; rows_read: string; tickets: string; revenue: string | null; located: string; metric: string | null }>(
      `with r as (select year, sum(row_count) as rows_read from ${T.chunks} group by year),
            t as (select c.year, count(*) as tickets, sum(set_fine_amount) as revenue, count(*) filter (where location is not null) as located
                  from ${T.tickets} k join (select distinct resource_id, year from ${T.chunks}) c using (resource_id) group by c.year),
            m as (select year, sum(ticket_count) as metric from ${T.locations} group by year),
            l as (select year, count(*) as located from ${T.tickets} where location is not null group by year)
       select r.year, r.rows_read::text, coalesce(t.tickets, 0)::text as tickets, t.revenue::text as revenue,
              coalesce(l.located, 0)::text as located, m.metric::text as metric
       from r left join t using (year) left join m using (year) left join l using (year) order by r.year`,
    )
  ).rows.map((r) => ({ year: r.year, rowsRead: Number(r.rows_read), tickets: Number(r.tickets), revenue: Number(r.revenue ?? 0), metricTickets: Number(r.metric ?? 0), locatedTickets: Number(r.located) }));
  const share = o.duplicateShare ?? 0.01;
  for (const y of years) {
    if (y.tickets > y.rowsRead) problems.push(`${y.year}: ${y.tickets} tickets from ${y.rowsRead} rows read`);
    else if (y.rowsRead - y.tickets > share * y.rowsRead) problems.push(`${y.year}: ${y.rowsRead - y.tickets} of ${y.rowsRead} rows read are not tickets (over ${share * 100} %)`);
    if (y.metricTickets !== y.locatedTickets) problems.push(`${y.year}: yearly location metrics sum to ${y.metricTickets}, tickets with a location of that year ${y.locatedTickets}`);
  }
  const cameras: CameraFigures[] = [];
  const tol = o.cameraTolerance ?? 0;
  for (const dataset of ['red_light', 'ase'] as const) {
    const yearly = dataset === 'red_light' ? T.redLightYearly : T.aseYearly;
    const r = await db.query<{ tickets: string | null; revenue: string | null; located: string | null; locations: number }>(
      `select sum(ticket_count)::text as tickets, sum(total_revenue)::text as revenue, sum(ticket_count) filter (where latitude is not null)::text as located,
              (select count(*)::int from (select location_code from ${T.cameraLocations} where dataset = $1 union select location_code from ${T.cameraCharges} where dataset = $1) u) as locations
       from ${yearly}`,
      [dataset],
    );
    const row = r.rows[0]!;
    if (row.tickets === null && row.locations === 0) continue; // no camera data loaded
    const f: CameraFigures = { dataset, tickets: Number(row.tickets ?? 0), revenue: Number(row.revenue ?? 0), locations: row.locations, withCoordinates: Number(row.located ?? 0), expected: o.expected?.[dataset] ?? PUBLISHED[dataset] };
    cameras.push(f);
    const off = (got: number, want: number) => Math.abs(got - want) > tol * want;
    if (off(f.tickets, f.expected.tickets)) problems.push(`${dataset}: ${f.tickets} tickets, published ${f.expected.tickets}`);
    if (off(f.revenue, f.expected.revenue)) problems.push(`${dataset}: $${f.revenue} revenue, published $${f.expected.revenue}`);
    if (f.expected.locations !== undefined && off(f.locations, f.expected.locations)) problems.push(`${dataset}: ${f.locations} locations, published ${f.expected.locations}`);
    if (f.expected.withCoordinates !== undefined && off(f.withCoordinates, f.expected.withCoordinates)) problems.push(`${dataset}: ${f.withCoordinates} located tickets, published ${f.expected.withCoordinates}`);
  }
  return { years, cameras, problems };
}

export function formatTorontoReport(r: TorontoReconcileReport): string[] {
  const lines = ['year  rows read   tickets     revenue ($)   in metrics'];
  for (const y of r.years) lines.push(`${y.year}  ${String(y.rowsRead).padStart(9)}  ${String(y.tickets).padStart(9)}  ${y.revenue.toFixed(2).padStart(14)}  ${String(y.metricTickets).padStart(9)}`);
  for (const c of r.cameras) lines.push(`${c.dataset}: ${c.tickets} tickets, $${c.revenue.toFixed(2)}, ${c.locations} locations, ${c.withCoordinates} located (published ${c.expected.tickets} / $${c.expected.revenue})`);
  lines.push(r.problems.length ? `NOT RECONCILED:\n  ${r.problems.join('\n  ')}` : 'reconciled');
  return lines;
}
