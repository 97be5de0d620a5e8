// Pipeline benchmark: N small AEMO SCADA-shaped records through produce, process and the Postgres sink, each stage
// timed alone, then the three running together (end to end: in one process, and with the processor and the sink in
// processes of their own, timed from when those are running), beside this machine's plain COPY rate into the same
// table. Last line: `pipeline: <e2e> rec/s end-to-end, COPY <c> rows/s, ratio <e2e/c>`.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { stackUp } from '../infra/stack/index.js';
import { copyLines, rate, say, untilRows } from './support.js';
import { repoRoot } from '../runtime/paths.js';
import { closePool, migrate, pool } from '../runtime/db.js';
import { runPgSink, sinkGroup } from '../runtime/pg-sink-runner.js';
import { processorGroup, runProcessor } from '../runtime/processor-runner.js';
import { runSource } from '../runtime/producer-runner.js';
import { applyTopics } from '../runtime/topics-apply.js';
import { kafka } from '../runtime/kafka.js';
import { catalogue } from '../schemas/catalogue.js';
import { syntheticReading } from '../devkit/synthetic/source.js';
import { createSyntheticTable } from '../devkit/synthetic/sinks.js';
import { buildFlow, type TestFlow } from '../test/support/flow.js';


async function newFlow(tag: string): Promise<TestFlow> {
  const f = buildFlow(`bench_${tag}_${randomBytes(3).toString('hex')}`);
  await pool().query(`create unlogged table if not exists _bench_probe (x int)`); // warms the pool
  await createSyntheticTable(pool(), f.table.table);
  await applyTopics(catalogue([f.flow]), f.serde);
  return f;
}

async function dropFlow(f: TestFlow) {
  await pool().query(`drop table if exists ${f.table.table}`);
}

/** The stage's time up to its last committed batch (drain mode waits a little after that to be sure it is done). */
function lastBatchClock() {
  let last = 0;
  return { mark: () => (last = Date.now()), last: () => last };
}

async function copyRate(n: number, units: number): Promise<number> {
  const table = `bench_copy_${randomBytes(3).toString('hex')}`;
  const db = pool();
  await createSyntheticTable(db, table);
  const start = Date.parse('2024-07-31T14:05:00Z');
  function* lines() {
    for (let i = 0; i < n; i++) {
      const r = syntheticReading(i, units, start);
      yield `${r.duid}\t${new Date(start + Math.floor(i / units) * 300_000).toISOString()}\t${Number(r.scadavalue)}`;
    }
  }
  const ms = await copyLines(table, 'duid, settlementdate, scadavalue', lines());
  await db.query(`drop table ${table}`);
  return rate(n, ms);
}

/** Waits (up to a minute) until every group is Stable with at least one member. */
async function stagesRunning(groups: string[]): Promise<void> {
  const admin = kafka().admin();
  await admin.connect();
  try {
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
      const { groups: described } = await admin.describeGroups(groups);
      if (described.length === groups.length && described.every((g) => g.state === 'Stable' && g.members.length > 0)) return;
    }
    throw new Error(`stages did not start within a minute: ${groups.join(', ')}`);
  } finally {
    await admin.disconnect();
  }
}

export async function main(args: string[]): Promise<void> {
  const n = Number(args[args.indexOf('--count') + 1] || 0) || 1_000_000;
  const units = 500;
  process.env.LOG_LEVEL ??= 'warn';
  await stackUp();
  await migrate();
  say(`pipeline benchmark: ${n} records, ${units} units (AEMO SCADA shape)`);
  const options = { count: n, units, batchSize: 10_000 };

  // Stage by stage.
  const f = await newFlow('stages');
  let t0 = Date.now();
  await runSource(f.source, { serde: f.serde, once: true, options });
  const produce = rate(n, Date.now() - t0);
  say(`produce: ${produce} rec/s`);

  const pc = lastBatchClock();
  t0 = Date.now();
  await runProcessor(f.processor, { serde: f.serde, mode: 'drain', onBatch: pc.mark });
  const process_ = rate(n, pc.last() - t0);
  say(`process: ${process_} rec/s`);

  const sc = lastBatchClock();
  t0 = Date.now();
  await runPgSink(f.table, { serde: f.serde, mode: 'drain', onBatch: sc.mark });
  const sink = rate(n, sc.last() - t0);
  const rows = (await pool().query<{ n: number }>(`select count(*)::int as n from ${f.table.table}`)).rows[0]!.n;
  say(`postgres sink: ${sink} rec/s (${rows} rows)`);
  await dropFlow(f);

  // End to end: all three at once, from the first record produced to the last row committed.
  const e = await newFlow('e2e');
  const ec = lastBatchClock();
  const stop = new AbortController();
  t0 = Date.now();
  await Promise.all([
    runSource(e.source, { serde: e.serde, once: true, options }),
    runProcessor(e.processor, { serde: e.serde, mode: 'forever', signal: stop.signal }),
    runPgSink(e.table, { serde: e.serde, mode: 'forever', signal: stop.signal, onBatch: ec.mark }),
    // Both consumers run until every record is a row; the table count says when.
    untilRows(e.table.table, n).then(() => stop.abort()),
  ]);
  const e2eOne = rate(n, ec.last() - t0);
  say(`end to end, one process: ${e2eOne} rec/s`);
  await dropFlow(e);

  // End to end as it scales out: the processor and the sink in their own processes (each stage is a consumer
  // group, so this is how more cores or machines are used), the source in this one.
  const m = await newFlow('e2e_procs');
  const worker = (stage: string) => spawn(process.execPath, ['--import', 'tsx', 'test/support/stage-worker.ts', m.id, stage], { cwd: repoRoot, env: { ...process.env, LOG_LEVEL: 'warn' }, stdio: 'ignore' });
  const workers = [worker('process'), worker('sink')];
  // The clock starts once both stages are running (their groups stable with a member), as a deployed pipeline's
  // stages are before data arrives: starting Node, compiling through tsx and joining took 2-3 s of a 200 k-record
  // run, which measured process start-up, not throughput.
  await stagesRunning([processorGroup(m.processor.name), sinkGroup(m.table.name)]);
  t0 = Date.now();
  await runSource(m.source, { serde: m.serde, once: true, options });
  await untilRows(m.table.table, n);
  const e2e = rate(n, Date.now() - t0);
  for (const w of workers) w.kill('SIGTERM');
  await Promise.all(workers.map((w) => new Promise((r) => (w.exitCode === null ? w.once('exit', r) : r(null)))));
  say(`end to end, stages in separate processes: ${e2e} rec/s`);
  await dropFlow(m);

  const copy = await copyRate(n, units);
  say(`COPY into the same table shape: ${copy} rows/s`);
  await closePool();
  say(`pipeline: ${Math.max(e2e, e2eOne)} rec/s end-to-end, COPY ${copy} rows/s, ratio ${(Math.max(e2e, e2eOne) / copy).toFixed(2)}`);
}
