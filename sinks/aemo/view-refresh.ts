// AEMO whole views, the I/O half: rebuilt from Postgres after a sink batch commits (PgSinkComponent.afterCommit) and
// switched atomically with publishWholeView.
//
// Why whole views here: a 24 h rolling series must also DROP points older than 24 h, and keyed views can only set
// fields (never delete); the generation view needs DUID -> region/fuel from aemo_duid_registry, a join the sink's
// clean records do not carry. Both are small (5 regions x 288 points; ~20 region/fuel sums), so rebuilding them per
// committed batch is a couple of indexed queries.
import type { Redis } from 'ioredis';
import client from 'prom-client';
import { pool } from '../../runtime/db.js';
import { log } from '../../runtime/log.js';
import { registry } from '../../runtime/metrics.js';
import { closeSharedRedis, publishWholeView, sharedRedis, wholeViewMissing } from '../../runtime/redis-views.js';
import { ident } from '../../runtime/sql.js';
import type { DuidEntry } from './fuel.js';
import { generationPayload, pickInterval, priceSeriesPayload, VIEW_NAMES, type PricePoint, type ScadaPoint } from './views.js';

export const unknownDuidsTotal = new client.Counter({
  name: 'gridstream_aemo_unknown_duids_total',
  help: 'Distinct DUIDs seen in SCADA that aemo_duid_registry does not know (fuel guessed from the name)',
  registers: [registry],
});

/**
 * Serialises rebuilds of one view and coalesces callers: a call made while a rebuild runs is served by ONE rebuild
 * that starts after it, so the last published payload always reads the table after the last commit (sink batches of
 * different partitions commit concurrently; unserialised, an older snapshot could be published last).
 */
export function coalesce(fn: () => Promise<void>): () => Promise<void> {
  let current: Promise<void> | undefined;
  let queued: Promise<void> | undefined;
  const start = (): Promise<void> => {
    const run = fn().finally(() => {
      if (current === run) current = undefined;
    });
    current = run;
    return run;
  };
  return () => {
    if (!current) return start();
    queued ??= current
      .catch(() => undefined)
      .then(() => {
        queued = undefined;
        return start();
      });
    return queued;
  };
}

// The runtime owns the connection (one shared client, closed when the command ends): a client of this module's own
// was never closed outside tests and kept `sink --once` and the demo from exiting.
const redis = () => sharedRedis();

/** Closes the Redis connection whole-view rebuilds use (the runtime's shared client). */
export function closeAemoViews(): void {
  closeSharedRedis();
}

/**
 * A sink's heal hook for a whole view that follows `table`: rebuilds it when Redis has no current version, or when
 * forced (the sink runner's first heal, or one after a failed rebuild) — but only when the table has rows: an empty
 * table never had a view.
 */
export function healWholeView(view: string, table: string, rebuild: () => Promise<void>): (o: { force: boolean }) => Promise<void> {
  return async ({ force }) => {
    if (!force && !(await wholeViewMissing(redis(), view))) return;
    const r = await pool().query(`select 1 from ${ident(table)} limit 1`);
    if (r.rowCount) await rebuild();
  };
}

export async function refreshPrice24h(o: { table?: string; view?: string; redis?: Redis } = {}): Promise<void> {
  const t = ident(o.table ?? 'aemo_region_price');
  const r = await pool().query<PricePoint>(
    `with newest as (select max(settlementdate) as t from ${t} where intervention = 0)
     select regionid, settlementdate, rrp from ${t}, newest
     where intervention = 0 and settlementdate > newest.t - interval '24 hours'`,
  );
  await publishWholeView(o.redis ?? redis(), { name: o.view ?? VIEW_NAMES.price24h, priority: 'normal' }, JSON.stringify(priceSeriesPayload(r.rows)));
}

const reported = new Set<string>();

export async function refreshGenerationLatest(o: { table?: string; registryTable?: string; view?: string; redis?: Redis } = {}): Promise<void> {
  const t = ident(o.table ?? 'aemo_unit_scada');
  const reg = ident(o.registryTable ?? 'aemo_duid_registry');
  const db = pool();
  const counts = await db.query<{ settlementdate: Date; n: number }>(
    `select settlementdate, count(*)::int as n from ${t} where settlementdate >= (select max(settlementdate) from ${t}) - interval '5 minutes' group by settlementdate`,
  );
  const at = pickInterval(counts.rows);
  if (!at) return;
  const rows = await db.query<{ duid: string; scadavalue: number | null; settlementdate: Date; settlementdate_nem: string; regionid: string | null; fuel: string | null; known: boolean }>(
    `select s.duid, s.scadavalue, s.settlementdate, s.settlementdate_nem, r.regionid, r.fuel, r.duid is not null as known
     from ${t} s
     left join lateral (
       select * from ${reg} r where r.duid = s.duid and r.valid_from <= s.settlementdate and (r.valid_to is null or s.settlementdate < r.valid_to)
       order by r.valid_from desc limit 1
     ) r on true
     where s.settlementdate = $1`,
    [at],
  );
  const points: ScadaPoint[] = rows.rows.map((x) => {
    const entry: DuidEntry | undefined = x.known ? { duid: x.duid, regionid: x.regionid, fuel: x.fuel, validFrom: null, validTo: null } : undefined;
    return { duid: x.duid, scadavalue: x.scadavalue, settlementdate: x.settlementdate, settlementdate_nem: x.settlementdate_nem, ...(entry ? { entry } : {}) };
  });
  const payload = generationPayload(points);
  const fresh = payload.unknownDuids.filter((d) => !reported.has(d));
  if (fresh.length) {
    for (const d of fresh) reported.add(d);
    unknownDuidsTotal.inc(fresh.length);
    log.warn({ view: o.view ?? VIEW_NAMES.generationLatest, count: fresh.length, duids: fresh.slice(0, 50) }, 'DUIDs not in aemo_duid_registry: fuel and region guessed from the name (load a registry with `gridstream load aemo-duids`)');
  }
  await publishWholeView(o.redis ?? redis(), { name: o.view ?? VIEW_NAMES.generationLatest, priority: 'normal' }, JSON.stringify(payload));
}
