// Toronto parking bulk-load benchmark: a realistic generated year (default 2.2 M rows, every quirk: cp1252, float
// codes and fines, unpadded times, slashed dates, two members with a header repeated inside, verbatim duplicates,
// broken lines) as a ZIP served by the CKAN double, through the whole pipeline at once: source (download, unzip,
// decode, parse, chunk) -> processor (normalise, hash) -> sink (COPY by chunk into a stage, set-wise upsert) and the
// yearly metrics settled, from the first request to the final chunk's commit. Beside it, a plain COPY of the very
// same ticket rows into a table of parking_tickets' shape (same keys and index), streamed out of the loaded table.
// RSS is sampled every 100 ms while the pipeline runs (the double and the generator live in this process too).
// Options: --rows N (2200000), --year YYYY (2019), --sequential (each stage alone, one after the other, with its rate),
// --processes (the processor and the sink in processes of their own; RSS is then the largest of the three processes),
// --keep (leave the namespace, loaded tables included, in place to look at plans; bench/run.ts says how to drop it).
// Last line: `toronto: <e2e> rows/s end-to-end, COPY <c> rows/s, ratio <r>, max RSS <MB> MB`.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import copyStreams from 'pg-copy-streams';
import { stackUp } from '../infra/stack/index.js';
import { arg, mb, rate, sampleRss, say } from './support.js';
import { closePool, migrate, pool } from '../runtime/db.js';
import { repoRoot } from '../runtime/paths.js';
import { runPgSink } from '../runtime/pg-sink-runner.js';
import { runProcessor } from '../runtime/processor-runner.js';
import { runSource } from '../runtime/producer-runner.js';
import { closeSharedRedis } from '../runtime/redis-views.js';
import { Serde } from '../runtime/serde.js';
import { applyTopics } from '../runtime/topics-apply.js';
import { catalogue } from '../schemas/catalogue.js';
import { torontoFlow } from '../pipeline/toronto.js';
import { createTorontoTables, ident } from '../sinks/toronto/tables.js';
import { startCkanDouble } from '../devkit/toronto/ckan-double.js';
import { generateYear, VARIANTS } from '../devkit/toronto/tickets.js';
import { putYear, tempDir, writeYearZip } from '../devkit/toronto/years.js';
import { rm, stat } from 'node:fs/promises';

const count = async (sql: string): Promise<number> => (await pool().query<{ n: number }>(sql)).rows[0]!.n;

/** COPY the loaded tickets (streamed out with COPY TO) into a fresh table of the same shape; rows/s. */
async function copyRate(from: string): Promise<{ rows: number; rate: number }> {
  const table = ident(`bench_toronto_copy_${randomBytes(3).toString('hex')}`);
  await pool().query(`create table ${table} (like parking_tickets including all)`);
  const out = await pool().connect();
  const into = await pool().connect();
  const t0 = Date.now();
  try {
    await pipeline(out.query(copyStreams.to(`copy ${ident(from)} to stdout`)), into.query(copyStreams.from(`copy ${table} from stdin`)));
  } finally {
    out.release();
    into.release();
  }
  const ms = Date.now() - t0;
  const rows = await count(`select count(*)::int as n from ${table}`);
  await pool().query(`drop table ${table}`);
  return { rows, rate: rate(rows, ms) };
}

export async function main(args: string[]): Promise<void> {
  const rows = Number(arg(args, '--rows', '2200000'));
  const year = Number(arg(args, '--year', '2019'));
  const sequential = args.includes('--sequential');
  const processes = args.includes('--processes');
  process.env.LOG_LEVEL ??= 'warn';
  await stackUp();
  await migrate();
  const serde = Serde.fromConfig();
  const variant = { ...VARIANTS.find((v) => v.encoding === 'cp1252')! };

  const built = Date.now();
  const dir = await tempDir();
  const zip = await writeYearZip(dir, year, () => generateYear(year, rows), rows, variant, { duplicates: 1000, broken: true });
  say(`toronto bulk-load benchmark: ${year}, ${zip.lines} lines (cp1252, floats, unpadded times, repeated header, 1000 duplicates, broken lines); ZIP ${mb((await stat(zip.path)).size)} MB written in ${((Date.now() - built) / 1000).toFixed(1)} s`);
  const ckan = await startCkanDouble();
  putYear(ckan, `bench-${year}`, year, zip.path);

  const id = `bench_tor_${randomBytes(3).toString('hex')}`;
  const f = torontoFlow(id, { source: { baseUrl: ckan.baseUrl } });
  await createTorontoTables(pool(), f.tables);
  await applyTopics(catalogue(f.flows), serde);

  let workers: ReturnType<typeof spawn>[] = [];
  const rss = sampleRss(() => workers.map((w) => w.pid));
  let lastCommit = 0;
  let produced = 0;
  let sourceDone = 0;
  const stop = new AbortController();
  const t0 = Date.now();
  const finalLanded = `select count(*)::int as n from ${ident(f.tables.chunks)} where final`;
  try {
    if (sequential) {
      // Each stage alone, one after the other, to see which one bounds the concurrent run.
      let t = Date.now();
      produced = (await runSource(f.source, { serde, once: true, options: { years: String(year), parkingOnly: true } })).records;
      say(`  source alone: ${rate(rows, Date.now() - t)} rows/s (${produced} chunks)`);
      t = Date.now();
      await runProcessor(f.parkingProcessor, { serde, mode: 'drain' });
      say(`  processor alone: ${rate(rows, Date.now() - t)} rows/s`);
      t = Date.now();
      await runPgSink(f.parkingSink, { serde, mode: 'drain', onBatch: () => (lastCommit = Date.now()) });
      say(`  sink alone: ${rate(rows, Date.now() - t)} rows/s`);
    } else if (processes) {
      // The processor and the sink in processes of their own, as an operator runs stages (each is a consumer group):
      // Node work spreads over the cores instead of sharing one event loop. The source stays in this process.
      const worker = (stage: string) =>
        spawn(process.execPath, ['--import', 'tsx', 'bench/toronto-stage.ts', id, stage], { cwd: repoRoot, env: { ...process.env, LOG_LEVEL: 'warn' }, stdio: 'ignore' });
      workers = [worker('process'), worker('sink')];
      try {
        produced = (await runSource(f.source, { serde, once: true, options: { years: String(year), parkingOnly: true } })).records;
        sourceDone = Date.now();
        for (;;) {
          await new Promise((r) => setTimeout(r, 100));
          if ((await count(finalLanded)) > 0) break;
        }
        lastCommit = Date.now();
      } finally {
        for (const w of workers) w.kill('SIGTERM');
        await Promise.all(workers.map((w) => new Promise((r) => (w.exitCode === null ? w.once('exit', r) : r(null)))));
      }
    } else
    await Promise.all([
      runSource(f.source, { serde, once: true, options: { years: String(year), parkingOnly: true } }).then((r) => (produced = r.records)),
      runProcessor(f.parkingProcessor, { serde, mode: 'forever', signal: stop.signal }),
      runPgSink(f.parkingSink, { serde, mode: 'forever', signal: stop.signal, onBatch: () => (lastCommit = Date.now()) }),
      (async () => {
        for (;;) {
          await new Promise((r) => setTimeout(r, 250));
          if ((await count(finalLanded)) > 0) break;
        }
        stop.abort();
      })(),
    ]);
  } finally {
    rss.stop();
    await ckan.close();
    await rm(dir, { recursive: true, force: true });
  }
  const tickets = await count(`select count(*)::int as n from ${ident(f.tables.tickets)}`);
  const metric = await count(`select coalesce(sum(ticket_count), 0)::int as n from ${ident(f.tables.locations)}`);
  const secs = (lastCommit - t0) / 1000;
  const e2e = rate(tickets, lastCommit - t0);
  const maxRss = mb(rss.max());
  say(`  source published ${produced} chunks; ${tickets} tickets in Postgres, metrics over ${metric} located tickets, after ${secs.toFixed(1)} s`);
  if (sourceDone) say(`  the source finished after ${((sourceDone - t0) / 1000).toFixed(1)} s; the processor, the sink and the final settle ${((lastCommit - sourceDone) / 1000).toFixed(1)} s later`);
  say(`  end to end (ZIP -> Kafka raw -> processor -> Kafka clean -> COPY stage + upsert, metrics settled): ${e2e} rows/s`);
  const copy = await copyRate(f.tables.tickets);
  say(`  plain COPY of the same ${copy.rows} rows into a table of parking_tickets' shape: ${copy.rate} rows/s`);
  const [own, processor, sink] = rss.maxEach().map(mb);
  say(`  RSS: ${rss.count()} samples, max ${maxRss} MB${processes ? ` (this process, with the source: ${own} MB; processor ${processor} MB; sink ${sink} MB)` : ''}`);
  if (args.includes('--keep')) say(`  tables kept: ${Object.values(f.tables).join(', ')}`);
  else for (const t of Object.values(f.tables)) await pool().query(`drop table if exists ${ident(t)}`);
  closeSharedRedis();
  await closePool();
  say(`toronto: ${e2e} rows/s end-to-end, COPY ${copy.rate} rows/s, ratio ${(e2e / copy.rate).toFixed(2)}, max RSS ${maxRss} MB`);
}
