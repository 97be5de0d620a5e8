// Redis views of the plans, rebuilt whole from Postgres after a sink batch commits (for the TDSPs it touched):
//   <id>_plans_<duns>  the TDSP's active plans sorted by the 1000 kWh rate, its facet counts and last sync;
//   <id>_cities        per city: its utilities, TDSPs, whether it has retail choice, and its facet counts.
// Whole views because each is a small document (≈ 140 plans) a reader takes in one GET, consistent with the table.
import type pg from 'pg';
import type { Redis } from 'ioredis';
import { publishWholeView, readWholeView } from '../../runtime/redis-views.js';
import { compareDecimal as compareDecimalText } from '../../schemas/comparepower/decimal.js';
import { ident, type ComparePowerTables } from './tables.js';

export interface PlanView {
  id: string;
  tdsp: string;
  provider: string | null;
  name: string;
  termMonths: number;
  rateType: string;
  timeOfUse: boolean;
  /** $/kWh, exact decimal text. */
  rates: { kwh500: string | null; kwh1000: string; kwh2000: string | null };
  percentGreen: string | null;
  earlyTerminationFee: string | null;
  prePay: boolean;
  headline: string | null;
  documents: { efl: string | null; tos: string | null; yrac: string | null };
}

export interface Facets {
  term: Record<string, number>;
  rateType: Record<string, number>;
  green: Record<string, number>;
}

export interface TdspPlansDoc {
  tdsp: string;
  /** When the last completed sync ended (ms), null when none completed yet. */
  syncedAt: number | null;
  syncId: string | null;
  plans: PlanView[];
  facets: Facets;
}

export interface CityDoc {
  name: string;
  deregulated: boolean;
  utilities: string[];
  tdsps: string[];
  facets: Facets;
  plans: number;
}

export interface ComparePowerViews {
  plans: (duns: string) => string;
  cities: string;
}

export const comparePowerViews = (id = 'comparepower'): ComparePowerViews => ({ plans: (duns) => `${id}_plans_${duns}`, cities: `${id}_cities` });

/** Renewable share buckets of the green facet. */
export function greenBucket(percent: string | null): string {
  if (percent === null || compareDecimalText(percent, '0') <= 0) return '0';
  if (compareDecimalText(percent, '50') < 0) return '1-49';
  if (compareDecimalText(percent, '100') < 0) return '50-99';
  return '100';
}

export function facetsOf(plans: readonly PlanView[]): Facets {
  const f: Facets = { term: {}, rateType: {}, green: {} };
  for (const p of plans) {
    f.term[String(p.termMonths)] = (f.term[String(p.termMonths)] ?? 0) + 1;
    f.rateType[p.rateType] = (f.rateType[p.rateType] ?? 0) + 1;
    const g = greenBucket(p.percentGreen);
    f.green[g] = (f.green[g] ?? 0) + 1;
  }
  return f;
}

interface PlanRow {
  external_id: string;
  tdsp_duns: string;
  provider_name: string | null;
  plan_name: string;
  term_months: number;
  rate_type: string;
  is_time_of_use: boolean;
  r500: string | null;
  r1000: string;
  r2000: string | null;
  green: string | null;
  etf: string | null;
  is_pre_pay: boolean;
  headline: string | null;
  efl_url: string | null;
  tos_url: string | null;
  yrac_url: string | null;
}

/** The TDSP's document, from Postgres (the view's payload, and the plans API's last fallback). */
export async function buildTdspDoc(db: pg.Pool | pg.PoolClient, t: ComparePowerTables, duns: string): Promise<TdspPlansDoc> {
  // NUMERIC::text keeps the exact decimals; the order is NUMERIC's, cheapest at 1000 kWh first.
  const rows = (
    await db.query<PlanRow>(
      `select external_id, tdsp_duns, provider_name, plan_name, term_months, rate_type, is_time_of_use,
              rate_500kwh::text as r500, rate_1000kwh::text as r1000, rate_2000kwh::text as r2000, percent_green::text as green,
              early_termination_fee::text as etf, is_pre_pay, headline, efl_url, tos_url, yrac_url
         from ${ident(t.plans)} where tdsp_duns = $1 and is_active order by rate_1000kwh, external_id`,
      [duns],
    )
  ).rows;
  const sync = (await db.query<{ sync_id: string; completed_at: Date }>(`select sync_id, completed_at from ${ident(t.syncs)} where tdsp_duns = $1`, [duns])).rows[0];
  const plans = rows.map(
    (r): PlanView => ({
      id: r.external_id,
      tdsp: r.tdsp_duns,
      provider: r.provider_name,
      name: r.plan_name,
      termMonths: r.term_months,
      rateType: r.rate_type,
      timeOfUse: r.is_time_of_use,
      rates: { kwh500: r.r500, kwh1000: r.r1000, kwh2000: r.r2000 },
      percentGreen: r.green,
      earlyTerminationFee: r.etf,
      prePay: r.is_pre_pay,
      headline: r.headline,
      documents: { efl: r.efl_url, tos: r.tos_url, yrac: r.yrac_url },
    }),
  );
  return { tdsp: duns, syncedAt: sync ? sync.completed_at.getTime() : null, syncId: sync?.sync_id ?? null, plans, facets: facetsOf(plans) };
}

export interface CityRow {
  city_slug: string;
  city_name: string;
  tdsp_duns: string | null;
  utility_name: string;
  deregulated: boolean;
}

export async function loadCities(db: pg.Pool | pg.PoolClient, t: ComparePowerTables): Promise<Record<string, Omit<CityDoc, 'facets' | 'plans'>>> {
  const rows = (await db.query<CityRow>(`select city_slug, city_name, tdsp_duns, utility_name, deregulated from ${ident(t.cities)} order by city_slug, utility_name`)).rows;
  const out: Record<string, Omit<CityDoc, 'facets' | 'plans'>> = {};
  for (const r of rows) {
    const c = (out[r.city_slug] ??= { name: r.city_name, deregulated: false, utilities: [], tdsps: [] });
    c.utilities.push(r.utility_name);
    if (r.tdsp_duns) c.tdsps.push(r.tdsp_duns);
    c.deregulated ||= r.deregulated;
  }
  return out;
}

/** Merges TDSP documents (a city served by several), cheapest at 1000 kWh first. */
export function mergePlans(docs: readonly TdspPlansDoc[]): PlanView[] {
  if (docs.length === 1) return docs[0]!.plans;
  return docs.flatMap((d) => d.plans).sort((a, b) => compareDecimalText(a.rates.kwh1000, b.rates.kwh1000) || a.tdsp.localeCompare(b.tdsp) || a.id.localeCompare(b.id));
}

export async function buildCitiesDoc(db: pg.Pool | pg.PoolClient, t: ComparePowerTables, docs: Map<string, TdspPlansDoc>): Promise<Record<string, CityDoc>> {
  const cities = await loadCities(db, t);
  const out: Record<string, CityDoc> = {};
  for (const [slug, c] of Object.entries(cities)) {
    const plans = mergePlans(c.tdsps.map((d) => docs.get(d)).filter((d): d is TdspPlansDoc => d !== undefined));
    out[slug] = { ...c, facets: facetsOf(plans), plans: plans.length };
  }
  return out;
}

/** Rebuilds the views of `tdsps` and the cities view (which needs every TDSP's facets: read from Postgres too). */
export async function publishComparePowerViews(db: pg.Pool, r: Redis, t: ComparePowerTables, v: ComparePowerViews, tdsps: readonly string[]): Promise<void> {
  const all = (await db.query<{ tdsp_duns: string }>(`select distinct tdsp_duns from ${ident(t.plans)} union select tdsp_duns from ${ident(t.syncs)}`)).rows.map((x) => x.tdsp_duns);
  const docs = new Map<string, TdspPlansDoc>();
  for (const duns of new Set([...all, ...tdsps])) docs.set(duns, await buildTdspDoc(db, t, duns));
  for (const duns of tdsps) await publishWholeView(r, { name: v.plans(duns), priority: 'normal' }, JSON.stringify(docs.get(duns)));
  await publishWholeView(r, { name: v.cities, priority: 'normal' }, JSON.stringify(await buildCitiesDoc(db, t, docs)));
}

export async function readTdspView(r: Redis, v: ComparePowerViews, duns: string): Promise<TdspPlansDoc | null> {
  const s = await readWholeView(r, v.plans(duns));
  return s === null ? null : (JSON.parse(s) as TdspPlansDoc);
}

export async function readCitiesView(r: Redis, v: ComparePowerViews): Promise<Record<string, CityDoc> | null> {
  const s = await readWholeView(r, v.cities);
  return s === null ? null : (JSON.parse(s) as Record<string, CityDoc>);
}
