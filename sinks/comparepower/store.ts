// What the sink does in a batch's transaction besides the upsert: price history rows for prices that changed, and
// for each sync-complete marker the set-based deactivation of the TDSP's plans that sync did not see.
//
// Why this is exactly once and idempotent: it runs in the transaction that stores the sink's offsets, and both
// statements are conditional on stored state (a history row only when the latest one at or before its time
// differs; deactivation only of active plans last seen by an OLDER sync than the marker's), so replaying a batch —
// or the whole topic — changes nothing more. The topic has one partition, so a marker is always read after every
// plan of its sync; plans of a newer sync in the same batch are never touched because their sync is newer.
import type pg from 'pg';
import type { PlanValue } from '../../schemas/comparepower/records.js';
import { ident, type ComparePowerTables } from './tables.js';

export async function recordPriceChanges(client: pg.PoolClient, t: ComparePowerTables, plans: PlanValue[]): Promise<number> {
  if (plans.length === 0) return 0;
  const col = <K extends keyof PlanValue>(k: K) => plans.map((p) => p[k]);
  const r = await client.query(
    `insert into ${ident(t.prices)} (external_id, tdsp_duns, observed_at, sync_id, provider_name, plan_name, term_months, rate_500kwh, rate_1000kwh, rate_2000kwh)
     select v.external_id, v.tdsp_duns, v.observed_at, v.sync_id, v.provider_name, v.plan_name, v.term_months, v.r500, v.r1000, v.r2000
       from unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::int[], $8::numeric[], $9::numeric[], $10::numeric[])
            as v(external_id, tdsp_duns, observed_at, sync_id, provider_name, plan_name, term_months, r500, r1000, r2000)
      where not exists (
        select 1 from (
          select h.rate_500kwh, h.rate_1000kwh, h.rate_2000kwh from ${ident(t.prices)} h
           where h.external_id = v.external_id and h.tdsp_duns = v.tdsp_duns and h.observed_at <= v.observed_at
           order by h.observed_at desc limit 1
        ) last
        where (last.rate_500kwh, last.rate_1000kwh, last.rate_2000kwh) is not distinct from (v.r500, v.r1000, v.r2000)
      )
     on conflict do nothing`,
    [
      col('external_id'),
      col('tdsp_duns'),
      plans.map((p) => new Date(p.fetched_at)),
      col('sync_id'),
      col('provider_name'),
      col('plan_name'),
      col('term_months'),
      col('rate_500_kwh'),
      col('rate_1000_kwh'),
      col('rate_2000_kwh'),
    ],
  );
  return r.rowCount ?? 0;
}

/** Marks inactive the TDSP's plans the marker's sync did not see, and records the sync. Returns how many. */
export async function completeSync(client: pg.PoolClient, t: ComparePowerTables, marker: PlanValue): Promise<number> {
  const started = new Date(marker.sync_started_at);
  const d = await client.query(
    `update ${ident(t.plans)} set is_active = false, deactivated_at = $3
      where tdsp_duns = $1 and is_active and last_sync_started_at < $2`,
    [marker.tdsp_duns, started, new Date(marker.fetched_at)],
  );
  const deactivated = d.rowCount ?? 0;
  await client.query(
    `insert into ${ident(t.syncs)} (tdsp_duns, sync_id, sync_started_at, completed_at, plan_count, deactivated) values ($1, $2, $3, $4, $5, $6)
     on conflict (tdsp_duns) do update set sync_id = excluded.sync_id, sync_started_at = excluded.sync_started_at, completed_at = excluded.completed_at,
       plan_count = excluded.plan_count, deactivated = case when ${ident(t.syncs)}.sync_id = excluded.sync_id then ${ident(t.syncs)}.deactivated else excluded.deactivated end
     where excluded.sync_started_at >= ${ident(t.syncs)}.sync_started_at`,
    [marker.tdsp_duns, marker.sync_id, started, new Date(marker.fetched_at), marker.plan_count ?? 0, deactivated],
  );
  return deactivated;
}
