// The pure parts of the ComparePower source: exact decimals, the derived rate type, the normaliser (one generated
// format-true plan, bill-credit curves, bad input rejected with a reason), the response -> records split and the
// schedule.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { generatePlans } from '../../../devkit/comparepower/plans.js';
import { syncRecords } from '../../../producers/comparepower/api.js';
import { dueTdsps } from '../../../producers/comparepower/schedule.js';
import { normaliseListing, rateTypeOf } from '../../../processors/comparepower/normalise.js';
import { isRejection } from '../../../runtime/types.js';
import { compareDecimal, decimalText } from '../../../schemas/comparepower/decimal.js';
import type { PlanValue, RawPlanListing } from '../../../schemas/comparepower/records.js';

const ONCOR = '1039940674000';
const listing = (plan: unknown, duns = ONCOR): RawPlanListing => ({ kind: 'plan', sync_id: 's1', sync_started_at: 1000, tdsp_duns: duns, fetched_at: 2000, plan_json: JSON.stringify(plan), plan_count: null });
const ok = (x: ReturnType<typeof normaliseListing>): PlanValue => {
  if (isRejection(x)) throw new Error(x.reject);
  return x;
};

describe('decimalText', () => {
  it('keeps the decimal the API wrote', () => {
    expect(decimalText(0.174)).toBe('0.174');
    expect(decimalText(0.1)).toBe('0.1');
    expect(decimalText(26.3)).toBe('26.3');
    expect(decimalText(175)).toBe('175');
    expect(decimalText('0.1740')).toBe('0.174');
    expect(decimalText(1e-7)).toBe('0.0000001');
    expect(decimalText(1.5e21)).toBe('1500000000000000000000');
    expect(decimalText(null)).toBeNull();
    expect(decimalText('abc')).toBeUndefined();
    expect(decimalText(Number.NaN)).toBeUndefined();
  });

  it('round-trips any 3-to-6-decimal price exactly', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9_999_999 }), fc.integer({ min: 3, max: 6 }), (n, scale) => {
        const text = (n / 10 ** scale).toFixed(scale);
        expect(decimalText(JSON.parse(text) as number)).toBe(decimalText(text));
      }),
    );
  });

  it('orders decimals exactly', () => {
    expect(compareDecimal('0.108', '0.11')).toBeLessThan(0);
    expect(compareDecimal('10', '9.99')).toBeGreaterThan(0);
    expect(compareDecimal('0.150', '0.15')).toBe(0);
    expect(compareDecimal('-1', '0')).toBeLessThan(0);
    expect(compareDecimal('-2', '-1')).toBeLessThan(0);
  });
});

describe('rate type', () => {
  it('is derived from term and wording', () => {
    expect(rateTypeOf(12, 'Simply Days Free - 12')).toBe('fixed');
    expect(rateTypeOf(1, 'Flex Forward')).toBe('variable');
    expect(rateTypeOf(0, 'Anything')).toBe('variable');
    expect(rateTypeOf(12, 'Simple Advantage 12', 'Variable rate plan')).toBe('variable');
    expect(rateTypeOf(12, 'Wholesale Index 12')).toBe('indexed');
    expect(rateTypeOf(1, 'Real-Time Power')).toBe('indexed');
    expect(rateTypeOf(24, 'Reindexing Deal')).toBe('fixed');
  });
});

describe('normaliseListing', () => {
  const plans = generatePlans(ONCOR, 20);

  it('maps a format-true plan: rates, term, provider, green, ETF, documents', () => {
    const p = plans[0]!; // a bill-credit plan
    const v = ok(normaliseListing(listing(p)));
    expect(v).toMatchObject({
      kind: 'plan',
      external_id: p._id,
      tdsp_duns: ONCOR,
      provider_name: p.product.brand.name,
      provider_id: p.product.brand._id,
      plan_name: p.product.name,
      term_months: p.product.term,
      rate_500_kwh: String(p.display_pricing_500.avg),
      rate_1000_kwh: String(p.display_pricing_1000.avg),
      rate_2000_kwh: String(p.display_pricing_2000.avg),
      percent_green: String(p.product.percent_green),
      early_termination_fee: String(p.product.early_termination_fee),
      efl_url: p.document_links[0]!.link,
      yrac_url: p.document_links[2]!.link,
      sync_id: 's1',
    });
    // A bill credit: the 1000 kWh rate is the lowest of the three.
    expect(compareDecimal(v.rate_1000_kwh!, v.rate_500_kwh!)).toBeLessThan(0);
    expect(compareDecimal(v.rate_1000_kwh!, v.rate_2000_kwh!)).toBeLessThan(0);
  });

  it('flags time of use, prepaid and derives variable and indexed', () => {
    const vs = plans.map((p) => ok(normaliseListing(listing(p))));
    expect(vs[1]!.is_time_of_use).toBe(true);
    expect(vs[2]!.rate_type).toBe('variable');
    expect(vs[3]!.rate_type).toBe('indexed');
    expect(vs[4]!.is_pre_pay).toBe(true);
    expect(vs.filter((v) => v.term_months === 1).every((v) => v.rate_type !== 'fixed')).toBe(true);
  });

  it('falls back to expected_prices when display_pricing is absent', () => {
    const p = { ...plans[5]!, display_pricing_500: undefined, display_pricing_1000: undefined, display_pricing_2000: undefined };
    const v = ok(normaliseListing(listing(p)));
    expect(v.rate_1000_kwh).toBe(String(plans[5]!.expected_prices[1]!.price));
  });

  it('rejects what cannot be a plan, with the reason', () => {
    const p = plans[6]!;
    const reason = (x: unknown, duns?: string) => {
      const r = normaliseListing(listing(x, duns));
      return isRejection(r) ? r.reject : 'accepted';
    };
    expect(reason({ ...p, _id: undefined })).toMatch(/no _id/);
    expect(reason({ ...p, product: { ...p.product, term: 'twelve' } })).toMatch(/term/);
    expect(reason({ ...p, display_pricing_1000: { avg: 'cheap' } })).toMatch(/1000 kWh is not a number/);
    expect(reason({ ...p, display_pricing_1000: undefined, expected_prices: [] })).toMatch(/no price at 1000/);
    expect(reason({ ...p, display_pricing_500: { avg: -0.1 } })).toMatch(/negative/);
    expect(reason(p, '957877905')).toMatch(/not the TDSP asked for/);
    expect(reason([1, 2])).toMatch(/not an object/);
    const bad = normaliseListing({ ...listing(p), plan_json: '{oops' });
    expect(isRejection(bad) && bad.reject).toMatch(/not JSON/);
  });

  it('passes a sync-complete marker on with its count', () => {
    const v = ok(normaliseListing({ kind: 'sync_complete', sync_id: 's1', sync_started_at: 1, tdsp_duns: ONCOR, fetched_at: 2, plan_json: null, plan_count: 140 }));
    expect(v).toMatchObject({ kind: 'sync_complete', plan_count: 140, external_id: null, tdsp_duns: ONCOR });
  });
});

describe('syncRecords', () => {
  const s = { syncId: 'sync-1', startedAt: 1, fetchedAt: 2, tdspDuns: ONCOR, url: 'http://x/api/plans/current' };

  it('one record per plan, deduplicated on _id, then the marker with the count', () => {
    const plans = generatePlans(ONCOR, 3);
    const r = syncRecords(JSON.stringify([...plans, plans[0], { name: 'no id' }]), s);
    expect(r.plans).toBe(3);
    expect(r.records.map((x) => x.key)).toEqual([...plans.map((p) => `${ONCOR}|${p._id}`), `${ONCOR}|sync`]);
    expect(r.records.at(-1)!.value).toMatchObject({ kind: 'sync_complete', plan_count: 3, sync_id: 'sync-1' });
    expect(r.records.every((x) => x.headers?.['sync-id'] === 'sync-1')).toBe(true);
    expect(r.deadLetters).toHaveLength(1);
    expect(r.deadLetters[0]!.reason).toMatch(/plans\[4\]: no _id/);
  });

  it('keeps the numbers as the API wrote them', () => {
    const r = syncRecords('[{"_id":"a","display_pricing_1000":{"avg":0.131}}]', s);
    expect(r.records[0]!.value.plan_json).toBe('{"_id":"a","display_pricing_1000":{"avg":0.131}}');
  });

  it('throws on a body that is not a JSON array (no marker: nothing gets deactivated)', () => {
    expect(() => syncRecords('{"error":"x"}', s)).toThrow(/not a JSON array/);
    expect(() => syncRecords('<html>', s)).toThrow(/not JSON/);
  });
});

describe('dueTdsps', () => {
  const schedule = { tdsps: ['a', 'b', 'c'], priority: ['a'], priorityEveryMs: 3_600_000, allEveryMs: 86_400_000, requestedMinMs: 300_000 };
  const now = 100 * 86_400_000;

  it('syncs everything never synced, priority hourly, the rest daily, requests unless just synced', () => {
    expect(dueTdsps(schedule, undefined, now)).toEqual(['a', 'b', 'c']);
    const recent = { synced: { a: now - 3_600_000, b: now - 3_600_000, c: now - 86_400_000 } };
    expect(dueTdsps(schedule, recent, now)).toEqual(['a', 'c']);
    expect(dueTdsps(schedule, { synced: { a: now - 60_000, b: now - 600_000, c: now - 60_000 } }, now, ['b', 'c'])).toEqual(['b']);
  });
});
