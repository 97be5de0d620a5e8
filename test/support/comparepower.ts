// Helpers of the ComparePower integration tests: the real fixture (../shared/fixtures/comparepower/arlington.json,
// ChooseMyPower's snapshot of /api/plans/current for Oncor, already in its own Plan shape) turned back into API
// elements for the double to serve, and a flow with topics, tables and views of its own.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pool } from '../../runtime/db.js';
import { Serde } from '../../runtime/serde.js';
import { applyTopics } from '../../runtime/topics-apply.js';
import { catalogue } from '../../schemas/catalogue.js';
import { comparePowerFlow, type ComparePowerFlow } from '../../pipeline/comparepower.js';
import type { ComparePowerSourceConfig } from '../../producers/comparepower/source.js';
import { createComparePowerTables, ident } from '../../sinks/comparepower/tables.js';
import { repoRoot } from '../../runtime/paths.js';

export * from '../../devkit/comparepower/api-double.js';

export const FIXTURE_FILE = join(repoRoot, '..', 'shared', 'fixtures', 'comparepower', 'arlington.json');

export interface FixturePlan {
  id: string;
  name: string;
  provider: { name: string };
  pricing: { rate500kWh: number; rate1000kWh: number; rate2000kWh: number };
  contract: { length: number; type: string; earlyTerminationFee: number };
  features: { greenEnergy: number; freeTime?: unknown; deposit?: { required: boolean } };
  availability: { serviceAreas: string[] };
}

export function fixturePlans(): FixturePlan[] {
  const d = JSON.parse(readFileSync(FIXTURE_FILE, 'utf8')) as { filters: { 'no-filters': { plans: FixturePlan[] } } };
  return d.filters['no-filters'].plans;
}

/**
 * The numbers of one field as they are WRITTEN in the fixture file, in file order (one per plan): what "exact" is
 * checked against, independent of any float parsing.
 */
export function fixtureLiterals(field: 'rate500kWh' | 'rate1000kWh' | 'rate2000kWh' | 'earlyTerminationFee' | 'greenEnergy'): string[] {
  const text = readFileSync(FIXTURE_FILE, 'utf8');
  return [...text.matchAll(new RegExp(`"${field}":\\s*(-?[0-9.]+)`, 'g'))].map((m) => m[1]!);
}

const slug = (s: string) => s.toLowerCase().replace(/\W+/g, '-');

/** A fixture plan as the API element it was made from (civic.md §9 field names), under `tdspDuns`. */
export function toApiPlan(p: FixturePlan, tdspDuns: string): Record<string, unknown> {
  return {
    _id: p.id,
    product: {
      _id: `p${p.id.slice(1)}`,
      brand: { _id: slug(p.provider.name), name: p.provider.name },
      name: p.name,
      term: p.contract.length,
      percent_green: p.features.greenEnergy,
      headline: p.contract.type === 'variable' ? 'Variable rate plan' : '',
      early_termination_fee: p.contract.earlyTerminationFee,
      is_pre_pay: /prepaid/i.test(p.name),
      is_time_of_use: p.features.freeTime !== undefined && p.features.freeTime !== null,
    },
    tdsp: { name: p.availability.serviceAreas[0], duns_number: tdspDuns },
    display_pricing_500: { usage: 500, avg: p.pricing.rate500kWh },
    display_pricing_1000: { usage: 1000, avg: p.pricing.rate1000kWh },
    display_pricing_2000: { usage: 2000, avg: p.pricing.rate2000kWh },
    expected_prices: [500, 1000, 2000].map((usage) => ({ usage, price: p.pricing[`rate${usage}kWh` as 'rate500kWh'], valid: true })),
    document_links: [{ type: 'efl', language: 'en', link: `https://example.test/efl/${p.id}.pdf` }],
  };
}

export interface ComparePowerTestFlow extends ComparePowerFlow {
  serde: Serde;
}

export async function comparePowerTestFlow(prefix: string, baseUrl: string, source: Omit<ComparePowerSourceConfig, 'name' | 'topics' | 'queueId' | 'baseUrl'> = {}): Promise<ComparePowerTestFlow> {
  const id = `t_${prefix}_${randomBytes(3).toString('hex')}`;
  // Fast retries for tests; the 25/s pacing stays on.
  const f = comparePowerFlow(id, { source: { baseUrl, http: { minDelayMs: 100, maxDelayMs: 500, ...source.http }, ...source } });
  await createComparePowerTables(pool(), f.tables);
  const serde = Serde.fromConfig();
  await applyTopics(catalogue([f.flow]), serde);
  return { ...f, serde };
}

export async function dumpPlanTables(f: ComparePowerFlow): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const name of [f.tables.plans, f.tables.prices, f.tables.syncs]) {
    out[name] = (await pool().query<{ row: string }>(`select t::text as row from ${ident(name)} t order by 1`)).rows.map((r) => r.row);
  }
  return out;
}
