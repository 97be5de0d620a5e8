// Everything derived from curtailment_records for a set of dates, in the caller's transaction: the sink's touched
// hook, replay's scopeTouched hook and `load btc-difficulty` all come through here.
import type pg from 'pg';
import type { MinerModel } from './bitcoin.js';
import { recomputeBitcoin } from './bitcoin-store.js';
import { lockSummaries, monthsOf, recomputeDaily, recomputeMonthly, recomputeYearly, yearsOf } from './summaries.js';
import type { ElexonTables } from './tables.js';

/** Returns the dates left without bitcoin figures for want of a difficulty. */
export async function recomputeDates(client: pg.PoolClient, t: ElexonTables, dates: string[], models: MinerModel[]): Promise<string[]> {
  const sorted = [...new Set(dates)].sort();
  if (sorted.length === 0) return [];
  const months = monthsOf(sorted);
  const years = yearsOf(sorted);
  await lockSummaries(client, t);
  await recomputeDaily(client, t, sorted);
  await recomputeMonthly(client, t, months);
  await recomputeYearly(client, t, years);
  return recomputeBitcoin(client, t, sorted, models, months, years);
}
