// The plans sink: clean plans -> electricity_plans, upserted ON CONFLICT (external_id, tdsp_duns) through the
// generic Postgres sink runner (rows and offsets in one transaction), a version column so an older sync never
// overwrites a newer one, price history and sync completion in the same transaction (store.ts), and the Redis
// views of the TDSPs the batch touched rebuilt after the commit.
import type { PgSinkComponent } from '../../runtime/components.js';
import { pool } from '../../runtime/db.js';
import { log } from '../../runtime/log.js';
import { sharedRedis } from '../../runtime/redis-views.js';
import type { PlanValue } from '../../schemas/comparepower/records.js';
import { comparePowerTopics, type ComparePowerTopics } from '../../schemas/comparepower/topics.js';
import { completeSync, recordPriceChanges } from './store.js';
import { comparePowerTables, type ComparePowerTables } from './tables.js';
import { comparePowerViews, publishComparePowerViews, type ComparePowerViews } from './views.js';

export interface ComparePowerSinkConfig {
  name?: string;
  topics?: ComparePowerTopics;
  tables?: ComparePowerTables;
  views?: ComparePowerViews | false;
}

export type ComparePowerSink = PgSinkComponent<PlanValue> & { tables: ComparePowerTables; refreshViews: (tdsps: string[]) => Promise<void> };

const isPlan = (v: PlanValue) => v.kind === 'plan';

export function comparePowerSink(cfg: ComparePowerSinkConfig = {}): ComparePowerSink {
  const topics = cfg.topics ?? comparePowerTopics();
  const tables = cfg.tables ?? comparePowerTables();
  const views = cfg.views === undefined ? comparePowerViews() : cfg.views;
  const refreshViews = async (tdsps: string[]) => {
    if (views) await publishComparePowerViews(pool(), sharedRedis(), tables, views, tdsps);
  };
  return {
    kind: 'pg-sink',
    name: cfg.name ?? 'comparepower-plans',
    topic: topics.clean,
    table: tables.plans,
    tables,
    key: ['external_id', 'tdsp_duns'],
    versionColumn: 'last_sync_started_at',
    isRow: isPlan,
    // Columns without `from` are NOT NULL in the table while their Avro field is nullable: null only in the
    // sync-complete marker, which isRow keeps out of the table; the normaliser rejects a plan without them.
    columns: [
      { name: 'external_id', value: (v) => v.external_id },
      { name: 'tdsp_duns', value: (v) => v.tdsp_duns, from: 'tdsp_duns' },
      { name: 'tdsp_name', value: (v) => v.tdsp_name, from: 'tdsp_name' },
      { name: 'product_id', value: (v) => v.product_id, from: 'product_id' },
      { name: 'provider_id', value: (v) => v.provider_id, from: 'provider_id' },
      { name: 'provider_name', value: (v) => v.provider_name, from: 'provider_name' },
      { name: 'plan_name', value: (v) => v.plan_name },
      { name: 'term_months', value: (v) => v.term_months },
      { name: 'rate_type', value: (v) => v.rate_type },
      { name: 'is_time_of_use', value: (v) => v.is_time_of_use },
      { name: 'rate_500kwh', value: (v) => v.rate_500_kwh, from: 'rate_500_kwh' },
      { name: 'rate_1000kwh', value: (v) => v.rate_1000_kwh },
      { name: 'rate_2000kwh', value: (v) => v.rate_2000_kwh, from: 'rate_2000_kwh' },
      { name: 'percent_green', value: (v) => v.percent_green, from: 'percent_green' },
      { name: 'early_termination_fee', value: (v) => v.early_termination_fee, from: 'early_termination_fee' },
      { name: 'is_pre_pay', value: (v) => v.is_pre_pay },
      { name: 'headline', value: (v) => v.headline, from: 'headline' },
      { name: 'efl_url', value: (v) => v.efl_url, from: 'efl_url' },
      { name: 'tos_url', value: (v) => v.tos_url, from: 'tos_url' },
      { name: 'yrac_url', value: (v) => v.yrac_url, from: 'yrac_url' },
      { name: 'last_sync_id', value: (v) => v.sync_id, from: 'sync_id' },
      { name: 'last_sync_started_at', value: (v) => new Date(v.sync_started_at), from: 'sync_started_at' },
      { name: 'last_seen_at', value: (v) => new Date(v.fetched_at), from: 'fetched_at' },
      // A plan in a sync is on offer: one that had been deactivated comes back.
      { name: 'is_active', value: () => true },
      { name: 'deactivated_at', value: () => null },
    ],
    touched: async (client, values) => {
      await recordPriceChanges(client, tables, values.filter(isPlan));
      for (const m of values.filter((v) => v.kind === 'sync_complete').sort((a, b) => a.sync_started_at - b.sync_started_at)) {
        const n = await completeSync(client, tables, m);
        if (n) log.info({ tdsp: m.tdsp_duns, syncId: m.sync_id, deactivated: n }, 'plans not seen in the completed sync marked inactive');
      }
    },
    // A failed rebuild (Redis down, memory guard) is logged by the sink runner; the next batch rebuilds the views.
    afterCommit: async (values) => refreshViews([...new Set(values.map((v) => v.tdsp_duns))]),
    refreshViews,
  };
}
