// The ComparePower tables' names. The pipeline map uses the migration's names; tests pass a prefix and get copies of
// their own (same columns, keys and indexes). The city map is reference data, shared by every copy.
import type pg from 'pg';
import { ident, identName } from '../../runtime/sql.js';

export interface ComparePowerTables {
  plans: string;
  prices: string;
  syncs: string;
  cities: string;
}

const BASE: ComparePowerTables = { plans: 'electricity_plans', prices: 'electricity_plan_prices', syncs: 'comparepower_syncs', cities: 'city_tdsp_map' };

export { ident };

export function comparePowerTables(prefix?: string): ComparePowerTables {
  if (!prefix) return { ...BASE };
  return { plans: identName(`${prefix}_${BASE.plans}`), prices: identName(`${prefix}_${BASE.prices}`), syncs: identName(`${prefix}_${BASE.syncs}`), cities: BASE.cities };
}

/** Creates a prefixed set of tables shaped like the migration's (tests, benches). */
export async function createComparePowerTables(db: pg.Pool | pg.PoolClient, t: ComparePowerTables): Promise<void> {
  for (const k of ['plans', 'prices', 'syncs'] as const) {
    if (t[k] === BASE[k]) continue;
    await db.query(`create table if not exists ${ident(t[k])} (like ${ident(BASE[k])} including all)`);
  }
}
