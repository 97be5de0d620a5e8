// Postgres upsert methods for the sink, measured on this machine: multi-row VALUES, INSERT ... SELECT FROM unnest,
// and COPY into a temp stage then INSERT ... SELECT ... ON CONFLICT (what runtime/pg-sink-runner.ts uses), each on
// an empty table, then again with every row already present and unchanged (a replay).
// `npm run bench -- upsert-methods [--count N]`
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { stackUp } from '../infra/stack/index.js';
import { closePool, migrate, pool } from '../runtime/db.js';
import { upsertRows } from '../runtime/pg-sink-runner.js';
import { syntheticReading } from '../devkit/synthetic/source.js';
import { normaliseScada, syntheticCleanTopic, type CleanScada } from '../devkit/synthetic/processor.js';
import { createSyntheticTable, syntheticTable } from '../devkit/synthetic/sinks.js';

const say = (s: string) => process.stdout.write(`${s}\n`);
const BATCH = 5000;

type Method = (client: pg.PoolClient, table: string, rows: CleanScada[]) => Promise<void>;

const conflict = `on conflict (duid, settlementdate) do update set scadavalue = excluded.scadavalue where (t.scadavalue) is distinct from (excluded.scadavalue)`;

const values: Method = async (client, table, rows) => {
  const params: unknown[] = [];
  const tuples = rows.map((r, i) => {
    params.push(r.duid, new Date(r.settlementdate), r.scadavalue);
    return `($${i * 3 + 1}, $${i * 3 + 2}, $${i * 3 + 3})`;
  });
  await client.query(`insert into ${table} as t (duid, settlementdate, scadavalue) values ${tuples.join(', ')} ${conflict}`, params);
};

const unnest: Method = async (client, table, rows) => {
  await client.query(
    `insert into ${table} as t (duid, settlementdate, scadavalue) select * from unnest($1::text[], $2::timestamptz[], $3::float8[]) ${conflict}`,
    [rows.map((r) => r.duid), rows.map((r) => new Date(r.settlementdate)), rows.map((r) => r.scadavalue)],
  );
};

const copyStage: Method = async (client, table, rows) => {
  await upsertRows(client, syntheticTable(syntheticCleanTopic(), table, table), rows);
};

function rowsOf(n: number): CleanScada[] {
  const start = Date.parse('2024-07-31T14:05:00Z');
  const out: CleanScada[] = [];
  for (let i = 0; i < n; i++) {
    const r = normaliseScada({ topic: '', partition: 0, offset: '0', key: null, value: syntheticReading(i, 500, start), timestamp: 0, headers: {} });
    if (Array.isArray(r)) out.push(r[0]!.value);
  }
  return out;
}

async function measure(method: Method, table: string, rows: CleanScada[]): Promise<number> {
  const client = await pool().connect();
  const t0 = Date.now();
  try {
    for (let i = 0; i < rows.length; i += BATCH) {
      await client.query('begin');
      await method(client, table, rows.slice(i, i + BATCH));
      await client.query('commit');
    }
  } finally {
    client.release();
  }
  return Math.round(rows.length / ((Date.now() - t0) / 1000));
}

export async function main(args: string[]): Promise<void> {
  const n = Number(args[args.indexOf('--count') + 1] || 0) || 200_000;
  process.env.LOG_LEVEL ??= 'warn';
  await stackUp();
  await migrate();
  const rows = rowsOf(n);
  say(`upsert methods: ${n} narrow rows (duid, settlementdate, scadavalue), batches of ${BATCH}, one transaction each`);
  const results: Record<string, [number, number]> = {};
  for (const [name, method] of Object.entries({ 'multi-row VALUES': values, 'unnest': unnest, 'COPY + INSERT SELECT': copyStage })) {
    const table = `bench_upsert_${randomBytes(3).toString('hex')}`;
    await createSyntheticTable(pool(), table);
    const empty = await measure(method, table, rows);
    const again = await measure(method, table, rows);
    await pool().query(`drop table ${table}`);
    results[name] = [empty, again];
    say(`${name.padEnd(22)} empty table ${String(empty).padStart(8)} rows/s   all present, unchanged ${String(again).padStart(8)} rows/s`);
  }
  await closePool();
  const best = Object.entries(results).sort((a, b) => b[1][0] - a[1][0])[0]!;
  say(`upsert-methods: fastest on an empty table is ${best[0]} at ${best[1][0]} rows/s`);
}
