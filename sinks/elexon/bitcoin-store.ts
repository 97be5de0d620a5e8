// Bitcoin "what if" figures in Postgres, recomputed for given dates inside the caller's transaction: per (date,
// period, BMU, miner model) from the summed curtailed_mwh with the formula in bitcoin.ts, then daily, monthly and
// yearly sums per model. The difficulty of the settlement date must be loaded: a date without one is reported
// (log, counter, a row in the missing-difficulty table) and gets no figures, rather than a guessed difficulty.
import type pg from 'pg';
import client from 'prom-client';
import { log } from '../../runtime/log.js';
import { registry } from '../../runtime/metrics.js';
import { bitcoinMined, blockReward, parseMinerModels, type MinerModel } from './bitcoin.js';
import { ident, type ElexonTables } from './tables.js';
import { readSetting } from '../../runtime/settings.js';

export const missingDifficultyDates = new client.Counter({
  name: 'gridstream_elexon_bitcoin_missing_difficulty_total',
  help: 'Recomputations of a date with curtailment but no bitcoin difficulty loaded (no bitcoin figures written)',
  registers: [registry],
});

/** Miner models from BTC_MINER_MODELS (JSON or NAME:TH:W,...), or the old system's three. */
export const minerModelsFromEnv = (): MinerModel[] => parseMinerModels(readSetting('BTC_MINER_MODELS') ?? '');

interface PeriodEnergy {
  period: number;
  bmu: string;
  mwh: string;
}

/** Recomputes one date's per-period figures; returns false when the date has curtailment but no difficulty. */
async function recomputeDate(c: pg.PoolClient, t: ElexonTables, date: string, difficulty: string | undefined, models: MinerModel[]): Promise<boolean> {
  const h = ident(t.btcHistorical);
  const missing = ident(t.btcMissing);
  const energy = (
    await c.query<PeriodEnergy>(
      `select settlement_period as period, bmu_id as bmu, sum(curtailed_mwh)::text as mwh from ${ident(t.records)}
        where settlement_date = $1::date group by settlement_period, bmu_id order by 1, 2`,
      [date],
    )
  ).rows;
  const rows = { period: [] as number[], bmu: [] as string[], model: [] as string[], mwh: [] as string[], btc: [] as string[] };
  if (difficulty !== undefined) {
    for (const e of energy) {
      for (const m of models) {
        rows.period.push(e.period);
        rows.bmu.push(e.bmu);
        rows.model.push(m.name);
        rows.mwh.push(e.mwh);
        rows.btc.push(String(bitcoinMined(Number(e.mwh), Number(difficulty), m, date)));
      }
    }
    await c.query(
      `insert into ${h} (settlement_date, settlement_period, bmu_id, miner_model, curtailed_mwh, bitcoin_mined, difficulty, block_reward)
       select $1::date, n.p, n.b, n.m, n.e, n.btc, $7::numeric, $8::numeric
         from unnest($2::int[], $3::text[], $4::text[], $5::numeric[], $6::numeric[]) as n(p, b, m, e, btc)
       on conflict (settlement_date, settlement_period, bmu_id, miner_model) do update set
         curtailed_mwh = excluded.curtailed_mwh, bitcoin_mined = excluded.bitcoin_mined, difficulty = excluded.difficulty,
         block_reward = excluded.block_reward, calculated_at = now()
       where (${h}.curtailed_mwh, ${h}.bitcoin_mined, ${h}.difficulty, ${h}.block_reward)
         is distinct from (excluded.curtailed_mwh, excluded.bitcoin_mined, excluded.difficulty, excluded.block_reward)`,
      [date, rows.period, rows.bmu, rows.model, rows.mwh, rows.btc, difficulty, blockReward(date)],
    );
  }
  // Rows the recomputation did not produce (a period or unit gone, a model no longer configured, no difficulty).
  await c.query(
    `delete from ${h} where settlement_date = $1::date and not exists (
       select 1 from unnest($2::int[], $3::text[], $4::text[]) as n(p, b, m) where n.p = ${h}.settlement_period and n.b = ${h}.bmu_id and n.m = ${h}.miner_model)`,
    [date, rows.period, rows.bmu, rows.model],
  );
  if (difficulty === undefined && energy.length > 0) {
    await c.query(
      `insert into ${missing} (settlement_date, curtailed_mwh, records)
       select $1::date, coalesce(sum(curtailed_mwh), 0), count(*)::int from ${ident(t.records)} where settlement_date = $1::date
       on conflict (settlement_date) do update set curtailed_mwh = excluded.curtailed_mwh, records = excluded.records
       where (${missing}.curtailed_mwh, ${missing}.records) is distinct from (excluded.curtailed_mwh, excluded.records)`,
      [date],
    );
    return false;
  }
  await c.query(`delete from ${missing} where settlement_date = $1::date`, [date]);
  return true;
}

async function recomputeBitcoinSummaries(c: pg.PoolClient, t: ElexonTables, dates: string[], months: string[], years: string[]): Promise<void> {
  const h = ident(t.btcHistorical);
  const d = ident(t.btcDaily);
  const m = ident(t.btcMonthly);
  const y = ident(t.btcYearly);
  await c.query(
    `insert into ${d} (summary_date, miner_model, bitcoin_mined, curtailed_mwh, difficulty)
     select settlement_date, miner_model, sum(bitcoin_mined), sum(curtailed_mwh), max(difficulty)
       from ${h} where settlement_date = any($1::date[]) group by 1, 2
     on conflict (summary_date, miner_model) do update set
       bitcoin_mined = excluded.bitcoin_mined, curtailed_mwh = excluded.curtailed_mwh, difficulty = excluded.difficulty, updated_at = now()
     where (${d}.bitcoin_mined, ${d}.curtailed_mwh, ${d}.difficulty) is distinct from (excluded.bitcoin_mined, excluded.curtailed_mwh, excluded.difficulty)`,
    [dates],
  );
  await c.query(
    `delete from ${d} where summary_date = any($1::date[])
       and not exists (select 1 from ${h} where settlement_date = ${d}.summary_date and miner_model = ${d}.miner_model)`,
    [dates],
  );
  await c.query(
    `insert into ${m} (year_month, miner_model, bitcoin_mined, curtailed_mwh, days)
     select to_char(summary_date, 'YYYY-MM'), miner_model, sum(bitcoin_mined), sum(curtailed_mwh), count(*)::int
       from ${d} where to_char(summary_date, 'YYYY-MM') = any($1::text[]) group by 1, 2
     on conflict (year_month, miner_model) do update set
       bitcoin_mined = excluded.bitcoin_mined, curtailed_mwh = excluded.curtailed_mwh, days = excluded.days, updated_at = now()
     where (${m}.bitcoin_mined, ${m}.curtailed_mwh, ${m}.days) is distinct from (excluded.bitcoin_mined, excluded.curtailed_mwh, excluded.days)`,
    [months],
  );
  await c.query(
    `delete from ${m} where year_month = any($1::text[])
       and not exists (select 1 from ${d} where to_char(summary_date, 'YYYY-MM') = ${m}.year_month and miner_model = ${m}.miner_model)`,
    [months],
  );
  await c.query(
    `insert into ${y} (year, miner_model, bitcoin_mined, curtailed_mwh, days)
     select left(year_month, 4), miner_model, sum(bitcoin_mined), sum(curtailed_mwh), sum(days)::int
       from ${m} where left(year_month, 4) = any($1::text[]) group by 1, 2
     on conflict (year, miner_model) do update set
       bitcoin_mined = excluded.bitcoin_mined, curtailed_mwh = excluded.curtailed_mwh, days = excluded.days, updated_at = now()
     where (${y}.bitcoin_mined, ${y}.curtailed_mwh, ${y}.days) is distinct from (excluded.bitcoin_mined, excluded.curtailed_mwh, excluded.days)`,
    [years],
  );
  await c.query(
    `delete from ${y} where year = any($1::text[])
       and not exists (select 1 from ${m} where left(year_month, 4) = ${y}.year and miner_model = ${y}.miner_model)`,
    [years],
  );
}

/** Recomputes the bitcoin tables for `dates`; returns the dates that have curtailment but no difficulty. */
export async function recomputeBitcoin(c: pg.PoolClient, t: ElexonTables, dates: string[], models: MinerModel[], months: string[], years: string[]): Promise<string[]> {
  const diffs = new Map(
    (
      await c.query<{ date: string; difficulty: string }>(
        `select to_char(date, 'YYYY-MM-DD') as date, difficulty::text as difficulty from ${ident(t.difficulty)} where date = any($1::date[])`,
        [dates],
      )
    ).rows.map((r) => [r.date, r.difficulty]),
  );
  const missing: string[] = [];
  for (const date of dates) {
    if (!(await recomputeDate(c, t, date, diffs.get(date), models))) missing.push(date);
  }
  await recomputeBitcoinSummaries(c, t, dates, months, years);
  if (missing.length) {
    missingDifficultyDates.inc(missing.length);
    log.warn({ table: t.difficulty, dates: missing }, 'no bitcoin difficulty for these dates: bitcoin figures not computed (load them with `gridstream load btc-difficulty`)');
  }
  return missing;
}
