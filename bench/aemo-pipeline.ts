// AEMO pipeline benchmark: one NEM day of unit SCADA (288 five-minute files x N DUIDs, default 500: 144k rows), as
// a generated Reports/Archive daily zip served from 127.0.0.1, through the whole pipeline at once: the AEMO source
// (backfill of that day) -> the unit SCADA normaliser -> the Postgres sink, from the first request to the last row
// committed. Beside it, a plain COPY of the very same rows into a table of the same shape, and the process RSS
// (max of samples every 100 ms while the pipeline runs; the server and the archive live in this process too).
// Options: --units N (500), --day YYYY-MM-DD (2025-11-03).
// Last line: `aemo-pipeline: <e2e> rec/s end-to-end, COPY <c> rows/s, ratio <r>, max RSS <MB> MB`.
import { randomBytes } from 'node:crypto';
import { stackUp } from '../infra/stack/index.js';
import { arg, copyLines, mb, rate, sampleRss, say, units } from './support.js';
import { closePool, migrate, pool } from '../runtime/db.js';
import { runPgSink } from '../runtime/pg-sink-runner.js';
import { runProcessor } from '../runtime/processor-runner.js';
import { runSource } from '../runtime/producer-runner.js';
import { Serde } from '../runtime/serde.js';
import { applyTopics } from '../runtime/topics-apply.js';
import { catalogue } from '../schemas/catalogue.js';
import { DIR, dailyArchive, serveNemweb } from '../devkit/aemo/nemweb-tree.js';
import type { NemwebTree } from '../devkit/aemo/nemweb-tree.js';
import { aemoSource } from '../producers/aemo/source.js';
import { aemoRawTopicSpecs } from '../schemas/aemo/topics.js';
import type { AemoOptions } from '../producers/aemo/source.js';
import { aemoPipelineFlows } from '../pipeline/aemo.js';
import type { AemoTableNames } from '../sinks/aemo/index.js';




const countRows = async (table: string): Promise<number> => (await pool().query<{ n: number }>(`select count(*)::int as n from ${table}`)).rows[0]!.n;

/** COPY the rows of `from` (read out first, as text lines) into a fresh table of the same shape; rows/s of the COPY. */
async function copyRate(from: string): Promise<{ rows: number; rate: number }> {
  const table = `bench_aemo_copy_${randomBytes(3).toString('hex')}`;
  const db = pool();
  await db.query(`create table ${table} (like aemo_unit_scada including all)`);
  const cols = 'settlementdate, duid, scadavalue, lastchanged, settlementdate_nem';
  const src = await db.query<{ line: string }>(
    `select concat_ws(E'\\t', settlementdate::text, duid, coalesce(scadavalue::text, '\\N'), coalesce(lastchanged::text, '\\N'), coalesce(settlementdate_nem, '\\N')) as line from ${from}`,
  );
  const ms = await copyLines(table, cols, src.rows.map((r) => r.line));
  const rows = await countRows(table);
  await db.query(`drop table ${table}`);
  return { rows, rate: rate(rows, ms) };
}

export async function main(args: string[]): Promise<void> {
  const unitCount = Number(arg(args, '--units', '500'));
  const day = arg(args, '--day', '2025-11-03');
  process.env.LOG_LEVEL ??= 'warn';
  await stackUp();
  await migrate();
  const serde = Serde.fromConfig();

  const built = Date.now();
  const archive = dailyArchive('scada', day, units(unitCount));
  const tree: NemwebTree = new Map([[`${DIR.scadaArchive}${archive.name}`, { body: archive.zip }]]);
  const expected = 288 * unitCount;
  say(`aemo pipeline benchmark: ${day}, 288 intervals x ${unitCount} DUIDs = ${expected} SCADA rows; archive ${mb(archive.zip.length)} MB built in ${((Date.now() - built) / 1000).toFixed(1)} s`);
  const server = await serveNemweb(tree);

  const id = `bench_aemo_${randomBytes(3).toString('hex')}`;
  const prefix = `raw.${id}`;
  const source = aemoSource({ name: id, topicPrefix: prefix, baseUrl: server.url });
  const tables: AemoTableNames = { scada: `${id}_scada`, price: `${id}_price`, interconnector: `${id}_ic`, rooftop: `${id}_rooftop`, rooftop5: `${id}_rooftop5`, registry: `${id}_duids` };
  const flows = aemoPipelineFlows(aemoRawTopicSpecs(prefix), { id, tables, views: false, source });
  await pool().query(`create table ${tables.scada} (like aemo_unit_scada including all)`);
  await applyTopics(catalogue(flows.flows), serde);
  // Past the day, inside the daily-archive window: the day is read from Reports/Archive in one request.
  const options: AemoOptions = { from: day, to: day, datasets: ['scada'], now: Date.parse(`${day}T12:00:00+10:00`) + 7 * 24 * 3600_000 };

  const rss = sampleRss();
  let lastCommit = 0;
  let produced = 0;
  const stop = new AbortController();
  const t0 = Date.now();
  try {
    await Promise.all([
      runSource(source, { serde, once: true, options }).then((r) => (produced = r.records)),
      runProcessor(flows.processing.processors.scada, { serde, mode: 'forever', signal: stop.signal }),
      runPgSink(flows.sinks.scada, { serde, mode: 'forever', signal: stop.signal, onBatch: () => (lastCommit = Date.now()) }),
      (async () => {
        for (;;) {
          await new Promise((r) => setTimeout(r, 100));
          if ((await countRows(tables.scada)) >= expected) break;
        }
        stop.abort();
      })(),
    ]);
  } finally {
    rss.stop();
    await server.close();
  }
  const rows = await countRows(tables.scada);
  const e2e = rate(rows, lastCommit - t0);
  const maxRss = mb(rss.max());
  say(`  source published ${produced} records; ${rows} rows in ${tables.scada} after ${((lastCommit - t0) / 1000).toFixed(1)} s`);
  say(`  end to end (source -> processor -> Postgres sink, one process): ${e2e} rec/s`);

  const copy = await copyRate(tables.scada);
  say(`  COPY of the same ${copy.rows} rows into a table of the same shape: ${copy.rate} rows/s`);
  say(`  RSS: ${rss.count()} samples, max ${maxRss} MB`);
  await pool().query(`drop table if exists ${tables.scada}`);
  await closePool();
  say(`aemo-pipeline: ${e2e} rec/s end-to-end, COPY ${copy.rate} rows/s, ratio ${(e2e / copy.rate).toFixed(2)}, max RSS ${maxRss} MB`);
}
