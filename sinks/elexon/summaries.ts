// Daily, monthly and yearly curtailment summaries, recomputed set-based for exactly the dates given (and their
// months and years) inside the caller's transaction. Rows whose figures did not change are not rewritten, so
// replaying a date twice leaves the tables byte-identical; a date with no records left loses its summary row.
import type pg from 'pg';
import { ident, type ElexonTables } from './tables.js';

export const monthsOf = (dates: string[]): string[] => [...new Set(dates.map((d) => d.slice(0, 7)))].sort();
export const yearsOf = (dates: string[]): string[] => [...new Set(dates.map((d) => d.slice(0, 4)))].sort();

/**
 * Serialises summary recomputation per records table: the sink commits partitions concurrently, and two batches
 * of one date must not each sum the rows without the other's. Waiting here (after the upsert, before the sums)
 * means the later transaction's statements see the earlier one's committed rows.
 */
export async function lockSummaries(client: pg.PoolClient, t: ElexonTables): Promise<void> {
  await client.query('select pg_advisory_xact_lock(hashtext($1))', [`gridstream.elexon.summaries:${t.records}`]);
}

export async function recomputeDaily(client: pg.PoolClient, t: ElexonTables, dates: string[]): Promise<void> {
  const r = ident(t.records);
  const d = ident(t.daily);
  await client.query(
    `insert into ${d} (summary_date, total_curtailed_energy, total_payment, records, periods, farms)
     select settlement_date, sum(curtailed_mwh), sum(payment), count(*)::int, count(distinct settlement_period)::int, count(distinct bmu_id)::int
       from ${r} where settlement_date = any($1::date[]) group by settlement_date
     on conflict (summary_date) do update set
       total_curtailed_energy = excluded.total_curtailed_energy, total_payment = excluded.total_payment, records = excluded.records,
       periods = excluded.periods, farms = excluded.farms, last_updated = now()
     where (${d}.total_curtailed_energy, ${d}.total_payment, ${d}.records, ${d}.periods, ${d}.farms)
       is distinct from (excluded.total_curtailed_energy, excluded.total_payment, excluded.records, excluded.periods, excluded.farms)`,
    [dates],
  );
  await client.query(`delete from ${d} where summary_date = any($1::date[]) and not exists (select 1 from ${r} where settlement_date = ${d}.summary_date)`, [dates]);
}

export async function recomputeMonthly(client: pg.PoolClient, t: ElexonTables, months: string[]): Promise<void> {
  const d = ident(t.daily);
  const m = ident(t.monthly);
  await client.query(
    `insert into ${m} (year_month, total_curtailed_energy, total_payment, records, days)
     select to_char(summary_date, 'YYYY-MM'), sum(total_curtailed_energy), sum(total_payment), sum(records)::int, count(*)::int
       from ${d} where to_char(summary_date, 'YYYY-MM') = any($1::text[]) group by 1
     on conflict (year_month) do update set
       total_curtailed_energy = excluded.total_curtailed_energy, total_payment = excluded.total_payment, records = excluded.records,
       days = excluded.days, updated_at = now()
     where (${m}.total_curtailed_energy, ${m}.total_payment, ${m}.records, ${m}.days)
       is distinct from (excluded.total_curtailed_energy, excluded.total_payment, excluded.records, excluded.days)`,
    [months],
  );
  await client.query(
    `delete from ${m} where year_month = any($1::text[]) and not exists (select 1 from ${d} where to_char(summary_date, 'YYYY-MM') = ${m}.year_month)`,
    [months],
  );
}

export async function recomputeYearly(client: pg.PoolClient, t: ElexonTables, years: string[]): Promise<void> {
  const m = ident(t.monthly);
  const y = ident(t.yearly);
  await client.query(
    `insert into ${y} (year, total_curtailed_energy, total_payment, records, days)
     select left(year_month, 4), sum(total_curtailed_energy), sum(total_payment), sum(records)::int, sum(days)::int
       from ${m} where left(year_month, 4) = any($1::text[]) group by 1
     on conflict (year) do update set
       total_curtailed_energy = excluded.total_curtailed_energy, total_payment = excluded.total_payment, records = excluded.records,
       days = excluded.days, updated_at = now()
     where (${y}.total_curtailed_energy, ${y}.total_payment, ${y}.records, ${y}.days)
       is distinct from (excluded.total_curtailed_energy, excluded.total_payment, excluded.records, excluded.days)`,
    [years],
  );
  await client.query(`delete from ${y} where year = any($1::text[]) and not exists (select 1 from ${m} where left(year_month, 4) = ${y}.year)`, [years]);
}
