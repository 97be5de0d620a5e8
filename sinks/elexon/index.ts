// The curtailment table sink: clean curtailment -> curtailment_records (old system's names), with summaries and
// bitcoin figures recomputed in the same transaction for exactly the dates a batch touched, and the Redis views
// rebuilt after the commit. replaceScope lets `replay --replace` make a settlement date's rows exactly the
// replayed set; scopeTouched recomputes the summaries of replayed dates, including ones left with no rows.
import type pg from 'pg';
import type { PgSinkComponent } from '../../runtime/components.js';
import { pool } from '../../runtime/db.js';
import { fieldColumns } from '../../runtime/pg-columns.js';
import type { CurtailmentValue } from '../../schemas/elexon/clean.js';
import { NULL_KEY_PART } from '../../schemas/elexon/raw.js';
import { elexonTopics, type ElexonTopics } from '../../schemas/elexon/topics.js';
import type { MinerModel } from './bitcoin.js';
import { minerModelsFromEnv } from './bitcoin-store.js';
import { recomputeDates } from './recompute.js';
import { elexonTables, type ElexonTables } from './tables.js';
import { elexonViews, missingElexonViews, publishElexonViews, viewsTouched, type ElexonViews } from './views.js';

export interface ElexonSinkConfig {
  name?: string;
  topics?: ElexonTopics;
  tables?: ElexonTables;
  /** Redis views to rebuild after each commit, or false for none. */
  views?: ElexonViews | false;
  /** Miner models; default BTC_MINER_MODELS, read at the first batch so a bad value cannot break other commands. */
  models?: MinerModel[];
  /** "Today" for the views (tests pin it). */
  now?: () => number;
}

export type ElexonSink = PgSinkComponent<CurtailmentValue> & {
  tables: ElexonTables;
  /** Replay hook: recompute everything derived for these settlement dates (YYYY-MM-DD). */
  scopeTouched: (client: pg.PoolClient, scopeValues: string[]) => Promise<void>;
  /** Rebuild the Redis views a change of these dates can alter (all of them when dates is undefined). */
  refreshViews: (dates?: string[]) => Promise<void>;
};

const dateText = (x: unknown): string => (x instanceof Date ? x.toISOString().slice(0, 10) : String(x).slice(0, 10));

export function elexonCurtailmentSink(cfg: ElexonSinkConfig = {}): ElexonSink {
  const topics = cfg.topics ?? elexonTopics();
  const tables = cfg.tables ?? elexonTables();
  const views = cfg.views === undefined ? elexonViews() : cfg.views;
  const now = cfg.now ?? Date.now;
  let models = cfg.models;
  const recompute = (client: pg.PoolClient, dates: string[]) => recomputeDates(client, tables, dates, (models ??= minerModelsFromEnv()));
  const refreshViews = async (dates?: string[]) => {
    if (!views) return;
    const at = now();
    await publishElexonViews(pool(), tables, views, at, dates === undefined ? undefined : viewsTouched(dates, at));
  };
  return {
    kind: 'pg-sink',
    name: cfg.name ?? 'elexon-curtailment-records',
    topic: topics.curtailment,
    table: tables.records,
    tables,
    key: ['record_key'],
    replaceScope: 'settlement_date',
    // Rows a replay --replace deletes become tombstones on the clean topic under this key.
    rowKey: (row) => String(row.record_key),
    columns: [
      { name: 'record_key', value: (v) => recordKey(v) },
      // The old system's column is called payment; settlement_date (YYYY-MM-DD) goes into a date column as written.
      ...fieldColumns<CurtailmentValue>(topics.curtailment, { rename: { payment_gbp: 'payment' } }),
    ],
    touched: async (client, values) => {
      await recompute(client, values.map((v) => v.settlement_date));
    },
    scopeTouched: async (client, scopeValues) => {
      await recompute(client, scopeValues.map(dateText));
    },
    // A failed rebuild (Redis down, memory guard) is logged by the sink runner, which forces the next heal.
    afterCommit: async (values) => refreshViews([...new Set(values.map((v) => v.settlement_date))]),
    // A view lost after the last batch (Redis restarted), or every view when forced, is rebuilt from the tables
    // without waiting for the next record. Only views a date in the records touches, as afterCommit would.
    heal: async ({ force }) => {
      if (!views) return;
      const at = now();
      const kinds = await missingElexonViews(pool(), tables, views, at, { all: force });
      if (kinds.length) await publishElexonViews(pool(), tables, views, at, kinds);
    },
    refreshViews,
  };
}

/** The Kafka message key of a clean record, rebuilt from its fields (a sink sees values, not keys). */
export function recordKey(v: CurtailmentValue): string {
  const part = (x: number | null) => (x === null ? NULL_KEY_PART : String(x));
  return [v.settlement_date, String(v.settlement_period), v.side, v.bmu_id, part(v.acceptance_id), part(v.bid_offer_pair_id), part(v.sequence_number)].join('|');
}
