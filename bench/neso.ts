// NESO crawl-to-table benchmark: a generated Capacity Market Register (default 2,000 CMUs x 3 components, both field
// spellings) served by the CKAN double on 127.0.0.1 with no throttle, through the source (register pages + one
// filtered components call per CMU) -> normalisers -> Postgres, timed from the first request to the last row. Then
// egress (item 5 of the issue): bytes Postgres sends for the views' incremental refresh after two records change,
// against a full rebuild of the views. Views go to the stack Redis in this bench's namespace.
// Options: --cmus N (2000), --per-cmu N (3), --batch N (CMUs per Kafka transaction, 200; the source's default is 50).
// Last line: `neso: <rate> records/s crawl-to-table (<n> records), egress incremental <b> B vs rebuild <b> B`.
import { arg, rate, say } from './support.js';
import { stackUp } from '../infra/stack/index.js';
import { migrate, pool } from '../runtime/db.js';
import { runPgSink } from '../runtime/pg-sink-runner.js';
import { runProcessor } from '../runtime/processor-runner.js';
import { runSource } from '../runtime/producer-runner.js';
import { closeSharedRedis } from '../runtime/redis-views.js';
import { Serde } from '../runtime/serde.js';
import { ident } from '../runtime/sql.js';
import { applyTopics } from '../runtime/topics-apply.js';
import { catalogue } from '../schemas/catalogue.js';
import { CMU_RESOURCE, COMPONENT_RESOURCE } from '../schemas/neso/raw.js';
import { nesoFlow, type NesoFlow } from '../pipeline/neso.js';
import { startCkanDouble } from '../devkit/neso/ckan-double.js';
import { generateRegister } from '../devkit/neso/generator.js';

async function toTables(f: NesoFlow, serde: Serde): Promise<number> {
  const r = await runSource(f.source, { serde, once: true });
  await runProcessor(f.cmuProcessor, { serde, mode: 'drain' });
  await runProcessor(f.componentProcessor, { serde, mode: 'drain' });
  await runPgSink(f.sinks.cmus, { serde, mode: 'drain' });
  await runPgSink(f.sinks.components, { serde, mode: 'drain' });
  return r.records;
}

export async function main(args: string[]): Promise<void> {
  const cmus = Number(arg(args, '--cmus', '2000'));
  const perCmu = Number(arg(args, '--per-cmu', '3'));
  const batch = Number(arg(args, '--batch', '200'));
  await stackUp();
  await migrate();
  const reg = generateRegister({ cmus, componentsPerCmu: perCmu });
  const api = await startCkanDouble({ [CMU_RESOURCE]: reg.register, [COMPONENT_RESOURCE]: reg.components });
  // Drain timeouts wait for silence; a short one keeps the timing about the work.
  process.env.GRIDSTREAM_DRAIN_IDLE_MS ??= '2000';
  try {
    const f = nesoFlow('neso', { source: { baseUrl: api.baseUrl, throttleMs: 0, cmusPerBatch: batch } });
    const serde = Serde.fromConfig();
    await applyTopics(catalogue(f.flows), serde);
    const t0 = Date.now();
    const records = await toTables(f, serde);
    const ms = Date.now() - t0;
    const rows = (await pool().query<{ n: number }>(`select (select count(*) from ${ident(f.tables.cmus)}) + (select count(*) from ${ident(f.tables.components)}) as n`)).rows[0]!.n;
    say(`crawl-to-table: ${records} records published, ${rows} rows in ${(ms / 1000).toFixed(1)} s over ${api.requests.length} CKAN requests (${batch} CMUs per transaction)`);

    // Egress: after the first load the views are complete (refreshed batch by batch); now two records change.
    api.load(CMU_RESOURCE, api.rows(CMU_RESOURCE).map((x) => (x['CMU ID'] === 'G00010' ? { ...x, 'Name of Applicant': 'Renamed Power Ltd' } : x)));
    api.load(COMPONENT_RESOURCE, api.rows(COMPONENT_RESOURCE).map((x) => (x['Component ID'] === 'G00011C1' ? { ...x, 'Description of CMU Components': 'changed' } : x)));
    const before = f.views.bytesRead();
    const changed = await toTables(f, serde);
    const incremental = f.views.bytesRead() - before;
    const rebuild = await f.views.rebuild();
    say(`egress: incremental refresh after ${changed} changed records read ${incremental} B from Postgres; full rebuild read ${rebuild.bytesRead} B (${(rebuild.bytesRead / Math.max(1, incremental)).toFixed(0)}x)`);
    say(`neso: ${rate(rows, ms)} records/s crawl-to-table (${rows} records), egress incremental ${incremental} B vs rebuild ${rebuild.bytesRead} B`);
  } finally {
    closeSharedRedis();
    await api.close();
  }
}
