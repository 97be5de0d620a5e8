// Redis views of curtailment, rebuilt whole from Postgres after a sink batch commits: today so far (per period),
// the last 30 days' daily totals, and this month's top farms. Whole views rather than keyed ones because each is a
// small aggregate over many records that replays and --replace can lower as well as raise; summing in Postgres,
// after the commit, keeps the view equal to the tables, and a reader gets one consistent JSON document.
import type pg from 'pg';
import { publishWholeView, readWholeView, redisClient, sharedRedis, wholeViewMissing } from '../../runtime/redis-views.js';
import { periodOf } from '../../schemas/elexon/calendar.js';
import { addDays } from '../../schemas/elexon/calendar.js';
import { ident, type ElexonTables } from './tables.js';

export interface ElexonViews {
  today: string;
  daily30: string;
  topFarmsMonth: string;
}

export const elexonViews = (id = 'elexon'): ElexonViews => ({ today: `${id}_today`, daily30: `${id}_daily30`, topFarmsMonth: `${id}_top_farms_month` });

export type ViewKind = keyof ElexonViews;

/** Which views a change to `dates` can alter, on the settlement day of `now`. */
export function viewsTouched(dates: string[], now: number): ViewKind[] {
  const today = periodOf(now).date;
  const from30 = addDays(today, -29);
  const out: ViewKind[] = [];
  if (dates.includes(today)) out.push('today');
  if (dates.some((d) => d >= from30 && d <= today)) out.push('daily30');
  if (dates.some((d) => d.slice(0, 7) === today.slice(0, 7))) out.push('topFarmsMonth');
  return out;
}

const num = (x: string | null): number => (x === null ? 0 : Number(x));

export async function buildView(db: pg.Pool, t: ElexonTables, kind: ViewKind, now: number): Promise<unknown> {
  const today = periodOf(now).date;
  if (kind === 'today') {
    const rows = (
      await db.query<{ period: number; start: Date; mwh: string; gbp: string; records: number }>(
        `select settlement_period as period, min(period_start) as start, sum(curtailed_mwh)::text as mwh, sum(payment)::text as gbp, count(*)::int as records
           from ${ident(t.records)} where settlement_date = $1::date group by settlement_period order by settlement_period`,
        [today],
      )
    ).rows;
    return {
      date: today,
      energyMwh: rows.reduce((n, r) => n + num(r.mwh), 0),
      paymentGbp: rows.reduce((n, r) => n + num(r.gbp), 0),
      periods: rows.map((r) => ({ period: r.period, start: r.start.toISOString(), energyMwh: num(r.mwh), paymentGbp: num(r.gbp), records: r.records })),
    };
  }
  if (kind === 'daily30') {
    const rows = (
      await db.query<{ date: string; mwh: string; gbp: string; records: number; periods: number }>(
        `select to_char(summary_date, 'YYYY-MM-DD') as date, total_curtailed_energy::text as mwh, total_payment::text as gbp, records, periods
           from ${ident(t.daily)} where summary_date between $1::date and $2::date order by summary_date`,
        [addDays(today, -29), today],
      )
    ).rows;
    return { from: addDays(today, -29), to: today, days: rows.map((r) => ({ date: r.date, energyMwh: num(r.mwh), paymentGbp: num(r.gbp), records: r.records, periods: r.periods })) };
  }
  const month = today.slice(0, 7);
  const rows = (
    await db.query<{ bmu: string; name: string | null; party: string | null; mwh: string; gbp: string }>(
      `select bmu_id as bmu, max(farm_name) as name, max(lead_party_name) as party, sum(curtailed_mwh)::text as mwh, sum(payment)::text as gbp
         from ${ident(t.records)} where settlement_date >= $1::date and settlement_date < ($1::date + interval '1 month')
        group by bmu_id order by sum(curtailed_mwh) desc, bmu_id limit 20`,
      [`${month}-01`],
    )
  ).rows;
  return { month, farms: rows.map((r) => ({ bmuId: r.bmu, farmName: r.name, leadPartyName: r.party, energyMwh: num(r.mwh), paymentGbp: num(r.gbp) })) };
}

/** Rebuilds the given views (default: all) and publishes each as a new version. */
export async function publishElexonViews(db: pg.Pool, t: ElexonTables, names: ElexonViews, now: number, kinds: ViewKind[] = ['today', 'daily30', 'topFarmsMonth']): Promise<void> {
  if (kinds.length === 0) return;
  const r = redisClient();
  try {
    for (const kind of kinds) {
      const payload = JSON.stringify(await buildView(db, t, kind, now));
      await publishWholeView(r, { name: names[kind], priority: 'normal' }, payload);
    }
  } finally {
    // One connection per rebuild: a long-lived one would keep a CLI process from exiting.
    r.disconnect();
  }
}

export async function readElexonView(names: ElexonViews, kind: ViewKind): Promise<unknown> {
  const r = redisClient();
  try {
    const s = await readWholeView(r, names[kind]);
    return s === null ? null : (JSON.parse(s) as unknown);
  } finally {
    r.disconnect();
  }
}

/**
 * The views a sink that consumed everything in the tables would have published but Redis does not hold (lost with
 * a Redis restart after the last batch) — or all of them with `all` — among those a date still in the records
 * touches, on the settlement day of `now`.
 */
export async function missingElexonViews(db: pg.Pool, t: ElexonTables, names: ElexonViews, now: number, o: { all?: boolean } = {}): Promise<ViewKind[]> {
  // The runtime's shared client (closed when the command ends): this runs every few seconds.
  const r = sharedRedis();
  const missing: ViewKind[] = [];
  for (const kind of ['today', 'daily30', 'topFarmsMonth'] as const) if (o.all || (await wholeViewMissing(r, names[kind]))) missing.push(kind);
  if (missing.length === 0) return [];
  const today = periodOf(now).date;
  const dates = (
    await db.query<{ d: string }>(`select distinct to_char(settlement_date, 'YYYY-MM-DD') as d from ${ident(t.records)} where settlement_date >= $1::date and settlement_date <= $2::date`, [
      addDays(today, -40),
      today,
    ])
  ).rows.map((x) => x.d);
  const touched = new Set(viewsTouched(dates, now));
  return missing.filter((k) => touched.has(k));
}
