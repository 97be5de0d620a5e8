// gridstream's Postgres sink against the standard tool for the job, Kafka Connect 4.1.1 with the Debezium JDBC sink
// 3.3.1 (upsert, batches of 5,000, Apicurio's Avro converter reading the Confluent wire format, one task), on the
// same clean topic of N SCADA-shaped records, each into a fresh table of the same shape, in alternating repetitions;
// then a plain COPY of the same rows for reference. Rates come from sampling the table's row count: total from the
// sink's start to the last row, steady over the middle 80 % of the rows (start-up and the tail left out).
// `npm run bench -- kafka-connect [--count N] [--reps R] [--rest-port P]`
// Last line: `kafka-connect: gridstream <g> rows/s, Kafka Connect <k> rows/s, ratio <r> (steady <s>)`.
import { randomBytes } from 'node:crypto';
import { stackUp } from '../infra/stack/index.js';
import { arg, copyLines, rate, say } from './support.js';
import { startConnectWorker, type ConnectWorker } from './connect-worker.js';
import { config } from '../runtime/config.js';
import { closePool, migrate, pool } from '../runtime/db.js';
import { kafkaName, namespace } from '../runtime/namespace.js';
import { runPgSink } from '../runtime/pg-sink-runner.js';
import { runProcessor } from '../runtime/processor-runner.js';
import { runSource } from '../runtime/producer-runner.js';
import { applyTopics } from '../runtime/topics-apply.js';
import { catalogue } from '../schemas/catalogue.js';
import { syntheticReading } from '../devkit/synthetic/source.js';
import { createSyntheticTable, syntheticTable } from '../devkit/synthetic/sinks.js';
import { buildFlow } from '../test/support/flow.js';

const UNITS = 500;
const BATCH = 5000;
const START = Date.parse('2024-07-31T14:05:00Z'); // the synthetic source's default first interval, in UTC

interface Sample {
  ms: number;
  rows: number;
}

interface Result {
  total: number;
  steady: number;
  cpuUsPerRow: number;
}

const rowCount = async (table: string) => (await pool().query<{ n: number }>(`select count(*)::int as n from ${table}`)).rows[0]!.n;

/**
 * Samples the table's row count from `t0` until it holds `n` rows; `check` runs between samples and throws when the
 * sink under test has failed. Gives up when the count stops moving for two minutes.
 */
async function watchRows(table: string, n: number, t0: number, check: () => Promise<void>): Promise<Sample[]> {
  const samples: Sample[] = [{ ms: 0, rows: 0 }];
  let moved = Date.now();
  for (;;) {
    await new Promise((r) => setTimeout(r, 250));
    const rows = await rowCount(table);
    const now = Date.now();
    if (rows !== samples.at(-1)!.rows) moved = now;
    samples.push({ ms: now - t0, rows });
    if (rows >= n) return samples;
    await check();
    if (now - moved > 120_000) throw new Error(`${table} stuck at ${rows} of ${n} rows for two minutes`);
  }
}

/** When the count crossed `rows`, interpolated between the samples either side. */
function crossing(samples: Sample[], rows: number): number {
  const i = samples.findIndex((s) => s.rows >= rows);
  const b = samples[i]!;
  const a = samples[i - 1] ?? b;
  return b.rows === a.rows ? b.ms : a.ms + ((rows - a.rows) / (b.rows - a.rows)) * (b.ms - a.ms);
}

function rates(samples: Sample[], n: number, cpuMs: number): Result {
  const lo = crossing(samples, 0.1 * n);
  const hi = crossing(samples, 0.9 * n);
  return { total: rate(n, samples.at(-1)!.ms), steady: rate(0.8 * n, hi - lo), cpuUsPerRow: (cpuMs * 1000) / n };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** Debezium's JDBC URL for DATABASE_URL, in the bench namespace's schema, and the credentials apart. */
function jdbcOf(databaseUrl: string, schema: string | undefined): Record<string, string> {
  const u = new URL(databaseUrl);
  const params = new URLSearchParams(schema ? { currentSchema: schema } : {});
  const out: Record<string, string> = {
    'connection.url': `jdbc:postgresql://${u.hostname}:${u.port || '5432'}${u.pathname}${params.size ? `?${params}` : ''}`,
    'connection.username': decodeURIComponent(u.username),
  };
  if (u.password) out['connection.password'] = decodeURIComponent(u.password);
  return out;
}

/** The Apicurio v2 API the converter speaks, on the registry whose Confluent-compatible API gridstream uses. */
async function registryV2(ccompatUrl: string): Promise<string> {
  const url = `${new URL(ccompatUrl).origin}/apis/registry/v2`;
  const r = await fetch(`${url}/system/info`, { signal: AbortSignal.timeout(5000) });
  if (!r.ok) throw new Error(`the registry serves no Apicurio v2 API at ${url} (HTTP ${r.status}): Apicurio's Kafka Connect converter needs it`);
  return url;
}

function connectorConfig(topic: string, table: string, group: string, registry: string): Record<string, string> {
  return {
    'connector.class': 'io.debezium.connector.jdbc.JdbcSinkConnector',
    'tasks.max': '1',
    topics: topic,
    ...jdbcOf(config().databaseUrl, namespace().pgSchema),
    'insert.mode': 'upsert',
    'primary.key.mode': 'record_value',
    'primary.key.fields': 'duid,settlementdate',
    'schema.evolution': 'none',
    'collection.name.format': table,
    // The table keeps no NEM label, as gridstream's sink of this topic does not.
    'field.exclude.list': `${topic}:settlementdate_nem`,
    'batch.size': String(BATCH),
    'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
    'value.converter': 'io.apicurio.registry.utils.converter.AvroConverter',
    'value.converter.apicurio.registry.url': registry,
    // gridstream writes the Confluent wire format with the ids the registry's ccompat API hands out: content ids.
    'value.converter.apicurio.registry.as-confluent': 'true',
    'value.converter.apicurio.registry.use-id': 'contentId',
    'consumer.override.group.id': group,
    // A poll as large as a batch, or each put() (500 records by default) would flush a batch of its own.
    'consumer.override.max.poll.records': String(BATCH),
    // gridstream's sink reads committed records only; so does this one.
    'consumer.override.isolation.level': 'read_committed',
    'consumer.override.auto.offset.reset': 'earliest',
  };
}

async function kafkaConnectRun(worker: ConnectWorker, topic: string, table: string, rep: number, n: number, registry: string): Promise<Result> {
  const name = `bench-jdbc-sink-${rep}`;
  const cpu0 = worker.cpuMs();
  const t0 = Date.now();
  await worker.createConnector(name, connectorConfig(topic, table, kafkaName(`bench.kafka-connect.${rep}`), registry));
  try {
    const samples = await watchRows(table, n, t0, async () => {
      const s = await worker.taskState(name);
      if (s.state === 'FAILED') throw new Error(`the Debezium JDBC sink task failed:\n${(s.trace ?? '').split('\n').slice(0, 30).join('\n')}`);
    });
    return rates(samples, n, worker.cpuMs() - cpu0);
  } finally {
    await worker.deleteConnector(name);
  }
}

async function gridstreamRun(f: ReturnType<typeof buildFlow>, table: string, rep: number, n: number): Promise<Result> {
  const sink = syntheticTable(f.processor.output, table, `bench_kc_gridstream_${rep}`);
  const stop = new AbortController();
  let failure: unknown;
  const cpu0 = process.cpuUsage();
  const t0 = Date.now();
  const running = runPgSink(sink, { serde: f.serde, mode: 'forever', signal: stop.signal }).catch((err: unknown) => (failure = err ?? new Error('sink failed')));
  try {
    const samples = await watchRows(table, n, t0, async () => {
      if (failure) throw failure;
    });
    const cpu = process.cpuUsage(cpu0);
    return rates(samples, n, (cpu.user + cpu.system) / 1000);
  } finally {
    stop.abort();
    await running;
  }
}

/** Rows in one table and not the other, or with another value: 0 when both sinks wrote the same thing. */
async function differences(a: string, b: string): Promise<number> {
  const r = await pool().query<{ n: number }>(
    `select count(*)::int as n from ${a} full join ${b} using (duid, settlementdate) where ${a}.duid is null or ${b}.duid is null or ${a}.scadavalue is distinct from ${b}.scadavalue`,
  );
  return r.rows[0]!.n;
}

async function copyRate(n: number): Promise<number> {
  const table = `bench_kc_copy_${randomBytes(3).toString('hex')}`;
  await createSyntheticTable(pool(), table);
  function* lines() {
    for (let i = 0; i < n; i++) {
      const r = syntheticReading(i, UNITS, START);
      yield `${r.duid}\t${new Date(START + Math.floor(i / UNITS) * 300_000).toISOString()}\t${Number(r.scadavalue)}`;
    }
  }
  const ms = await copyLines(table, 'duid, settlementdate, scadavalue', lines());
  await pool().query(`drop table ${table}`);
  return rate(n, ms);
}

const line = (who: string, rep: number, r: Result) =>
  say(`  ${who.padEnd(13)} #${rep}: ${String(r.total).padStart(7)} rows/s total, ${String(r.steady).padStart(7)} steady, ${r.cpuUsPerRow.toFixed(1).padStart(5)} µs CPU/row (whole process)`);

export async function main(args: string[]): Promise<void> {
  const n = Number(arg(args, '--count', '1000000'));
  const reps = Number(arg(args, '--reps', '3'));
  const port = Number(arg(args, '--rest-port', '18083'));
  if (!(n >= 1000 && reps >= 1 && port > 0)) throw new Error('usage: kafka-connect [--count N (≥ 1000)] [--reps R (≥ 1)] [--rest-port P]');
  process.env.LOG_LEVEL ??= 'warn';
  await stackUp();
  await migrate();
  const registry = await registryV2(config().registryUrl);

  say(`kafka-connect benchmark: ${n} records (${UNITS} units, AEMO SCADA shape), ${reps} alternating repetitions per sink, batches of ${BATCH}`);
  const f = buildFlow(`bench_kc_${randomBytes(3).toString('hex')}`);
  await applyTopics(catalogue([f.flow]), f.serde);
  let t0 = Date.now();
  await runSource(f.source, { serde: f.serde, once: true, options: { count: n, units: UNITS, batchSize: 10_000 } });
  say(`raw topic filled: ${rate(n, Date.now() - t0)} rec/s`);
  t0 = Date.now();
  await runProcessor(f.processor, { serde: f.serde, mode: 'drain' });
  const topic = kafkaName(f.processor.output.name);
  say(`clean topic ${topic} filled: ${rate(n, Date.now() - t0)} rec/s (with drain's wait)`);

  t0 = Date.now();
  const worker = await startConnectWorker({ port, brokers: config().kafka.brokers.join(',') });
  say(`Kafka Connect 4.1.1 standalone worker up on ${worker.url} in ${((Date.now() - t0) / 1000).toFixed(1)} s (pid ${worker.pid})`);
  const connect: Result[] = [];
  const ours: Result[] = [];
  let ok = false;
  try {
    for (let rep = 1; rep <= reps; rep++) {
      const kc = `bench_kc_connect_${rep}`;
      const gs = `bench_kc_gridstream_${rep}`;
      await createSyntheticTable(pool(), kc);
      await createSyntheticTable(pool(), gs);
      // Alternate which goes first, so neither always meets a cache the other warmed (or a neighbour's burst).
      const order = rep % 2 ? (['connect', 'gridstream'] as const) : (['gridstream', 'connect'] as const);
      for (const who of order) {
        if (who === 'connect') {
          const r = await kafkaConnectRun(worker, topic, kc, rep, n, registry);
          connect.push(r);
          line('Kafka Connect', rep, r);
        } else {
          const r = await gridstreamRun(f, gs, rep, n);
          ours.push(r);
          line('gridstream', rep, r);
        }
      }
      if (rep === 1) {
        const d = await differences(kc, gs);
        if (d > 0) throw new Error(`the two sinks' tables differ in ${d} rows (${kc}, ${gs} kept in schema ${namespace().pgSchema})`);
        say(`  both tables hold the same ${n} rows`);
      }
      await pool().query(`drop table ${kc}; drop table ${gs}`);
    }
    ok = true;
  } finally {
    await worker.stop(!ok);
    if (!ok) say(`Kafka Connect's log kept: ${worker.logFile}`);
  }

  const copy = await copyRate(n);
  say(`COPY of the same rows into the same table shape: ${copy} rows/s`);
  await closePool();
  const g = median(ours.map((r) => r.total));
  const k = median(connect.map((r) => r.total));
  const gs = median(ours.map((r) => r.steady));
  const ks = median(connect.map((r) => r.steady));
  const perRound = ours.map((r, i) => `${(r.total / connect[i]!.total).toFixed(2)} (steady ${(r.steady / connect[i]!.steady).toFixed(2)})`);
  say(`same-round ratios: ${perRound.join(', ')}`);
  say(`medians: gridstream ${g} rows/s (steady ${gs}, ${median(ours.map((r) => r.cpuUsPerRow)).toFixed(1)} µs CPU/row), Kafka Connect ${k} rows/s (steady ${ks}, ${median(connect.map((r) => r.cpuUsPerRow)).toFixed(1)} µs CPU/row)`);
  say(`kafka-connect: gridstream ${g} rows/s, Kafka Connect ${k} rows/s, ratio ${(g / k).toFixed(2)} (steady ${(gs / ks).toFixed(2)})`);
}
