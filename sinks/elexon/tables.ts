// The Elexon tables' names. The pipeline map uses the migration's names; tests pass a prefix and get copies of
// their own (same columns, keys and indexes), so test files never share rows.
import type pg from 'pg';
import { ident, identName } from '../../runtime/sql.js';

export interface ElexonTables {
  records: string;
  daily: string;
  monthly: string;
  yearly: string;
  difficulty: string;
  btcHistorical: string;
  btcDaily: string;
  btcMonthly: string;
  btcYearly: string;
  btcMissing: string;
}

const BASE: ElexonTables = {
  records: 'curtailment_records',
  daily: 'daily_summaries',
  monthly: 'monthly_summaries',
  yearly: 'yearly_summaries',
  difficulty: 'bitcoin_difficulty',
  btcHistorical: 'historical_bitcoin_calculations',
  btcDaily: 'bitcoin_daily_summaries',
  btcMonthly: 'bitcoin_monthly_summaries',
  btcYearly: 'bitcoin_yearly_summaries',
  btcMissing: 'bitcoin_missing_difficulty',
};

// Table names are interpolated into SQL (values never are): checked and quoted by runtime/sql.ts, re-exported for the
// modules that build Elexon SQL.
export { ident };

export function elexonTables(prefix?: string): ElexonTables {
  if (!prefix) return { ...BASE };
  return Object.fromEntries(Object.entries(BASE).map(([k, v]) => [k, identName(`${prefix}_${v}`)])) as unknown as ElexonTables;
}

/** Creates a prefixed set of tables shaped like the migration's (tests, experiments). */
export async function createElexonTables(db: pg.Pool | pg.PoolClient, tables: ElexonTables): Promise<void> {
  for (const [k, name] of Object.entries(tables) as [keyof ElexonTables, string][]) {
    if (name === BASE[k]) continue;
    await db.query(`create table if not exists ${ident(name)} (like ${ident(BASE[k])} including all)`);
  }
}
