// raw ComparePower plan (JSON text of one /api/plans/current element) -> clean ElectricityPlan. Pure, no I/O.
// Field meanings: ../shared/specs/civic.md §9-10. Prices are $/kWh (display_pricing_N.avg, else expected_prices),
// kept as exact decimal text. Rate type is not an API field; it is derived (see rateTypeOf).
import { reject, type Rejection } from '../../runtime/types.js';
import type { PlanValue, RateType, RawPlanListing } from '../../schemas/comparepower/records.js';
import { decimalText } from '../../schemas/comparepower/decimal.js';

type Json = Record<string, unknown>;
const isObject = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);
const str = (x: unknown): string | null => (typeof x === 'string' && x.trim() !== '' ? x.trim() : null);
const bool = (x: unknown): boolean | null => (typeof x === 'boolean' ? x : null);

/**
 * Rate type from term and wording: term <= 1 (month to month) or "variable" in the name/headline -> variable;
 * "index"/"indexed"/"real-time" -> indexed; else fixed. Time of use is a separate flag (is_time_of_use), so a
 * free-nights plan is still fixed or variable.
 */
export function rateTypeOf(term: number | null, ...texts: (string | null)[]): RateType {
  const words = texts.filter((t): t is string => t !== null).join(' ').toLowerCase();
  if (/\bindex(ed)?\b|real[- ]time/.test(words)) return 'indexed';
  if ((term !== null && term <= 1) || /\bvariable\b/.test(words)) return 'variable';
  return 'fixed';
}

/** $/kWh at `usage` kWh: display_pricing_<usage>.avg, else expected_prices[usage].price. */
function rateAt(plan: Json, usage: 500 | 1000 | 2000): string | null | undefined {
  const display = plan[`display_pricing_${usage}`];
  if (isObject(display) && display.avg !== undefined && display.avg !== null) return decimalText(display.avg);
  const expected = Array.isArray(plan.expected_prices) ? plan.expected_prices.find((e) => isObject(e) && Number(e.usage) === usage) : undefined;
  return isObject(expected) ? decimalText(expected.price) : null;
}

/** The first link of a document type, English before other languages. */
function documentLink(plan: Json, ...types: string[]): string | null {
  const docs = Array.isArray(plan.document_links) ? plan.document_links.filter(isObject) : [];
  const ofType = docs.filter((d) => types.includes(String(d.type).toLowerCase()) && str(d.link));
  const en = ofType.find((d) => String(d.language ?? '').toLowerCase().startsWith('en')) ?? ofType[0];
  return en ? str(en.link) : null;
}

/** The common fields of every clean record of a raw listing. */
const envelope = (raw: RawPlanListing) => ({
  sync_id: raw.sync_id,
  sync_started_at: raw.sync_started_at,
  tdsp_duns: raw.tdsp_duns,
  fetched_at: raw.fetched_at,
});

const EMPTY_PLAN = {
  plan_count: null,
  external_id: null,
  tdsp_name: null,
  product_id: null,
  provider_id: null,
  provider_name: null,
  plan_name: null,
  term_months: null,
  rate_type: null,
  is_time_of_use: null,
  rate_500_kwh: null,
  rate_1000_kwh: null,
  rate_2000_kwh: null,
  percent_green: null,
  early_termination_fee: null,
  is_pre_pay: null,
  headline: null,
  efl_url: null,
  tos_url: null,
  yrac_url: null,
} satisfies Partial<PlanValue>;

/** Normalises one raw listing: a plan, or a sync-complete marker passed on as it is. */
export function normaliseListing(raw: RawPlanListing): PlanValue | Rejection {
  if (raw.kind === 'sync_complete') return { kind: 'sync_complete', ...envelope(raw), ...EMPTY_PLAN, plan_count: raw.plan_count ?? 0 };
  if (raw.plan_json === null) return reject('plan record without plan_json');
  let plan: unknown;
  try {
    plan = JSON.parse(raw.plan_json);
  } catch (err) {
    return reject(`plan_json is not JSON: ${(err as Error).message}`);
  }
  if (!isObject(plan)) return reject('plan is not an object');
  const id = str(plan._id);
  if (!id) return reject('plan has no _id');
  const product = isObject(plan.product) ? plan.product : undefined;
  if (!product) return reject(`plan ${id}: no product`);
  const brand = isObject(product.brand) ? product.brand : {};
  const tdsp = isObject(plan.tdsp) ? plan.tdsp : {};
  const tdspDuns = str(tdsp.duns_number);
  if (tdspDuns && tdspDuns !== raw.tdsp_duns) return reject(`plan ${id}: tdsp.duns_number ${tdspDuns} is not the TDSP asked for (${raw.tdsp_duns})`);
  const term = product.term;
  if (!Number.isInteger(term) || (term as number) < 0 || (term as number) > 120) return reject(`plan ${id}: term is not a whole number of months: ${JSON.stringify(term)}`);
  const rates: Record<500 | 1000 | 2000, string | null> = { 500: null, 1000: null, 2000: null };
  for (const usage of [500, 1000, 2000] as const) {
    const r = rateAt(plan, usage);
    if (r === undefined) return reject(`plan ${id}: price at ${usage} kWh is not a number`);
    if (r !== null && r.startsWith('-')) return reject(`plan ${id}: negative price at ${usage} kWh: ${r}`);
    rates[usage] = r;
  }
  if (rates[1000] === null) return reject(`plan ${id}: no price at 1000 kWh`);
  const green = decimalText(product.percent_green);
  if (green === undefined) return reject(`plan ${id}: percent_green is not a number`);
  const etf = decimalText(product.early_termination_fee);
  if (etf === undefined) return reject(`plan ${id}: early_termination_fee is not a number`);
  const name = str(product.display_name) ?? str(product.name);
  if (!name) return reject(`plan ${id}: no product name`);
  const headline = str(product.headline);
  return {
    kind: 'plan',
    ...envelope(raw),
    ...EMPTY_PLAN,
    external_id: id,
    tdsp_name: str(tdsp.name),
    product_id: str(product._id),
    provider_id: str(brand._id),
    provider_name: str(brand.name),
    plan_name: name,
    term_months: term as number,
    rate_type: rateTypeOf(term as number, name, headline, str(product.family)),
    is_time_of_use: bool(product.is_time_of_use) ?? false,
    rate_500_kwh: rates[500],
    rate_1000_kwh: rates[1000],
    rate_2000_kwh: rates[2000],
    percent_green: green,
    early_termination_fee: etf,
    is_pre_pay: bool(product.is_pre_pay) ?? false,
    headline,
    efl_url: documentLink(plan, 'efl'),
    tos_url: documentLink(plan, 'tos'),
    yrac_url: documentLink(plan, 'yraac', 'yrac'),
  };
}
