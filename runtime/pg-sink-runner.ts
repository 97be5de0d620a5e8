// Clean topic -> Postgres, exactly once: each batch is deduplicated on the natural key (last offset wins, so one
// statement never touches a row twice), COPYed straight into the table while its keys are new (under a savepoint) or
// else into a temp stage and upserted with INSERT ... ON CONFLICT skipping unchanged rows, followed by the sink's
// "touched keys" hook and the consumer position in sink_offsets, all in one transaction. Positions in Kafka's group
// are only advisory (lag); the truth is sink_offsets, sought on assignment.
//
// A batch Postgres refuses because of its data (SQLSTATE class 22 data exception, 23 integrity) is written again in a
// new transaction that isolates the rows at fault by bisection under savepoints: those are dead-lettered (reason =
// Postgres's message, source position, raw bytes) and the rest commit with the offsets, so one bad row can never hold
// up the good rows behind it. Connection errors are not data errors: those throw and the batch is retried whole.
//
// Method: for keys already stored, COPY into a temp table then INSERT ... SELECT ... ON CONFLICT measured fastest here
// (see bench/ and shared/specs/infra.md: ~150k rows/s narrow vs ~144k unnest and ~91k multi-row VALUES); for new keys
// a plain COPY into the table costs Postgres about half of that (writeRows). A sink that stores its record's fields
// one to one and keeps no values for after the write first tries a batch's COPY lines made straight from the Avro
// bytes (runtime/avro-copy-lines.ts) in a transaction of their own; on a stored key, or anything else, that
// transaction rolls back and the batch is decoded and written as above.
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type { KafkaMessage } from 'kafkajs';
import type pg from 'pg';
import copyStreams from 'pg-copy-streams';
import type { PgSinkComponent } from './components.js';
import { consume, type ConsumeOptions, type StageHealth } from './consumer.js';
import { pool, withTransaction } from './db.js';
import { AvroCopyLines, type AvroCopyBatch } from './avro-copy-lines.js';
import { copyParts, copyText } from './copy-text.js';
import { ident, identList, identName } from './sql.js';
import { deadLetterMessage } from './dlq.js';
import { kafka } from './kafka.js';
import { log } from './log.js';
import { metrics } from './metrics.js';
import { decodeKnownValue, decodeValue, Undecodable } from './registry-wait.js';
import type { Serde } from './serde.js';

export interface SinkRunOptions {
  serde: Serde;
  mode: 'forever' | 'drain';
  groupId?: string;
  signal?: AbortSignal;
  until?: ConsumeOptions['until'];
  /** Offsets to start from when the group has no stored position (replay ranges). */
  from?: ConsumeOptions['startAt'];
  accept?: (value: unknown, timestamp: number) => boolean;
  /** Counts per batch, for replay's final table. */
  onBatch?: (stats: { read: number; written: number }) => void;
  /** The stage's supervisor, told how the stage is doing (runtime/supervisor.ts). */
  health?: StageHealth;
  /** How often a running sink calls its heal hook (default 10 s). */
  healEveryMs?: number;
}

export const sinkGroup = (name: string) => `gridstream.sink.${name}`;

/** The temp table a sink's rows are copied into before the upsert (quoted). */
export const stageTable = (table: string): string => ident(`stage_${identName(table)}`);

export function upsertSql<V>(sink: PgSinkComponent<V>, stage: string): string {
  const cols = sink.columns.map((c) => ident(c.name));
  const keys = new Set(sink.key.map(ident));
  const nonKey = cols.filter((c) => !keys.has(c));
  const t = ident(sink.table);
  const v = sink.versionColumn ? ident(sink.versionColumn) : undefined;
  const newer = v ? ` and (${t}.${v} is null or (excluded.${v} is not null and excluded.${v} >= ${t}.${v}))` : '';
  const update = nonKey.length
    ? `do update set ${nonKey.map((c) => `${c} = excluded.${c}`).join(', ')} where (${nonKey.map((c) => `${t}.${c}`).join(', ')}) is distinct from (${nonKey.map((c) => `excluded.${c}`).join(', ')})${newer}`
    : 'do nothing';
  return `insert into ${t} (${cols.join(', ')}) select ${cols.join(', ')} from ${stage} on conflict (${sink.key.map(ident).join(', ')}) ${update}`;
}

/**
 * Writes values (already deduplicated) through a temp stage; returns rows inserted or changed. The stage empties at
 * commit; `emptyStage` empties it first, for several writes in one transaction.
 */
export async function upsertRows<V>(client: pg.PoolClient, sink: PgSinkComponent<V>, all: V[], o: { emptyStage?: boolean } = {}): Promise<number> {
  const values = rowsOf(sink, all);
  return values.length === 0 ? 0 : upsertValues(client, sink, values, o);
}

/** The values that are rows of the sink's table (its `isRow`), in order. */
const rowsOf = <V>(sink: PgSinkComponent<V>, all: V[]): V[] => (sink.isRow ? all.filter(sink.isRow) : all);

/** upsertRows for values already known to be rows, at least one. */
async function upsertValues<V>(client: pg.PoolClient, sink: PgSinkComponent<V>, values: V[], o: { emptyStage?: boolean } = {}): Promise<number> {
  const stage = stageTable(sink.table);
  const cols = identList(sink.columns.map((c) => c.name));
  await client.query(`create temp table if not exists ${stage} on commit delete rows as select ${cols} from ${ident(sink.table)} with no data`);
  if (o.emptyStage) await client.query(`truncate ${stage}`);
  await copyRows(client, sink, stage, values);
  const r = await client.query(upsertSql(sink, stage));
  return r.rowCount ?? 0;
}

/** COPYs values (already filtered by isRow) into `target` (quoted), one line per value in the sink's columns. */
async function copyRows<V>(client: pg.PoolClient, sink: PgSinkComponent<V>, target: string, values: V[]): Promise<void> {
  const columns = sink.columns;
  const lines = function* () {
    for (const v of values) {
      let line = copyText(columns[0]!.value(v));
      for (let i = 1; i < columns.length; i++) line += '\t' + copyText(columns[i]!.value(v));
      yield line + '\n';
    }
  };
  const cols = identList(columns.map((c) => c.name));
  await pipeline(Readable.from(copyParts(lines(), 64 * 1024)), client.query(copyStreams.from(`copy ${target} (${cols}) from stdin`)));
}

/** COPYs lines made from Avro bytes (AvroCopyLines) straight into the sink's table, in the caller's transaction. */
async function copyAvroLines(client: pg.PoolClient, table: string, lines: AvroCopyBatch): Promise<void> {
  await pipeline(Readable.from(lines.parts), client.query(copyStreams.from(`copy ${ident(table)} (${identList(lines.columns)}) from stdin`)));
}

/**
 * Writes a batch from its Avro bytes with its offsets, in a transaction of its own; the rows written, or undefined
 * when the batch must be decoded instead: lines could not be made, or the COPY failed (on a stored key `conflict` is
 * set, so the caller keeps that partition to the upsert for a while; anything else — bad text, a lost connection —
 * meets the decode path, which retries or isolates it as usual).
 */
async function writeAvroLines(
  db: pg.Pool,
  table: string,
  lines: AvroCopyLines,
  batch: { topic: string; partition: number; messages: KafkaMessage[] },
  at: { group: string; next: bigint },
): Promise<{ rows?: number; conflict: boolean }> {
  const made = lines.lines(batch.messages);
  if (!made) return { conflict: false };
  try {
    await withTransaction(async (client) => {
      await copyAvroLines(client, table, made);
      await storeOffset(client, at.group, batch.topic, batch.partition, at.next);
    }, db);
    return { rows: made.rows, conflict: false };
  } catch (err) {
    return { conflict: (err as { code?: string }).code === '23505' };
  }
}

const storeOffset = (client: pg.PoolClient, group: string, topic: string, partition: number, next: bigint) =>
  client.query(
    `insert into sink_offsets (consumer_group, topic, partition, next_offset, updated_at) values ($1, $2, $3, $4, now())
     on conflict (consumer_group, topic, partition) do update set next_offset = excluded.next_offset, updated_at = now()`,
    [group, topic, partition, next.toString()],
  );

/** Batches a partition sends through the stage and upsert after one of its batches met rows already stored. */
const UPSERT_BATCHES_AFTER_CONFLICT = 50;

/**
 * Writes a batch's values in the caller's transaction; returns rows inserted or changed. While `tryDirect`, they are
 * COPYed straight into the table under a savepoint: new data (what continuous ingestion brings) meets no stored key,
 * and the stage and upsert cost Postgres about twice a plain COPY's CPU for the same rows. A unique violation (a
 * restatement, a replay) rolls that back and the batch takes the upsert, which writes the same rows the direct COPY
 * would have for new keys; `conflict` tells the caller to stop trying for a while. Any other error rolls back and is
 * met again by the upsert, so data errors reach the isolating path as before.
 */
export async function writeRows<V>(client: pg.PoolClient, sink: PgSinkComponent<V>, all: V[], tryDirect: boolean): Promise<{ n: number; conflict: boolean }> {
  const values = rowsOf(sink, all);
  if (values.length === 0) return { n: 0, conflict: false };
  let conflict = false;
  if (tryDirect) {
    await client.query('savepoint gs_direct');
    try {
      await copyRows(client, sink, ident(sink.table), values);
      await client.query('release savepoint gs_direct');
      return { n: values.length, conflict };
    } catch (err) {
      await client.query('rollback to savepoint gs_direct');
      await client.query('release savepoint gs_direct');
      conflict = (err as { code?: string }).code === '23505';
    }
  }
  return { n: await upsertValues(client, sink, values), conflict };
}

/** Postgres refused the data itself (class 22 data exception, 23 integrity violation), not the connection. */
export function isDataError(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && /^2[23]/.test(code);
}

interface Row<V> {
  value: V;
  message: KafkaMessage;
}

/**
 * Writes rows (and the sink's touched hook) in the caller's transaction, isolating the rows Postgres refuses: each
 * part is tried under a savepoint, a refused part is split in two, a refused single row is returned with its error.
 */
export async function writeIsolating<V>(client: pg.PoolClient, sink: PgSinkComponent<V>, rows: Row<V>[]): Promise<{ written: number; refused: { row: Row<V>; error: Error }[] }> {
  const refused: { row: Row<V>; error: Error }[] = [];
  const attempt = async (part: Row<V>[]): Promise<number> => {
    await client.query('savepoint gs_isolate');
    try {
      const values = part.map((r) => r.value);
      const n = await upsertRows(client, sink, values, { emptyStage: true });
      if (sink.touched) await sink.touched(client, values);
      await client.query('release savepoint gs_isolate');
      return n;
    } catch (err) {
      await client.query('rollback to savepoint gs_isolate');
      await client.query('release savepoint gs_isolate');
      if (!isDataError(err)) throw err;
      if (part.length === 1) {
        refused.push({ row: part[0]!, error: err as Error });
        return 0;
      }
      const mid = Math.ceil(part.length / 2);
      return (await attempt(part.slice(0, mid))) + (await attempt(part.slice(mid)));
    }
  };
  const written = rows.length ? await attempt(rows) : 0;
  return { written, refused };
}

export async function storedOffset(client: pg.Pool | pg.PoolClient, group: string, topic: string, partition: number): Promise<bigint | undefined> {
  const r = await client.query<{ next_offset: number }>('select next_offset from sink_offsets where consumer_group = $1 and topic = $2 and partition = $3', [group, topic, partition]);
  return r.rows[0] ? BigInt(r.rows[0].next_offset) : undefined;
}

/** The first offset a partition still holds (compaction and retention move it past 0). */
async function earliestOffset(topic: string, partition: number): Promise<bigint> {
  const admin = kafka().admin();
  await admin.connect();
  try {
    const p = (await admin.fetchTopicOffsets(topic)).find((x) => x.partition === partition);
    return p ? BigInt(p.low) : 0n;
  } finally {
    await admin.disconnect();
  }
}

export async function runPgSink<V>(sink: PgSinkComponent<V>, o: SinkRunOptions): Promise<void> {
  const stage = `sink:${sink.name}`;
  const groupId = o.groupId ?? sinkGroup(sink.name);
  const db = pool();
  const floor = new Map<number, bigint>(); // next offset already in Postgres, per partition
  const upsertOnly = new Map<number, number>(); // batches left before a partition tries the direct COPY again
  // Replay by date reads each value to choose it: those batches are decoded.
  const avroLines = o.accept ? undefined : AvroCopyLines.of(sink, o.serde);
  const versionColumn = sink.columns.find((c) => c.name === sink.versionColumn);
  const versionOf = versionColumn
    ? (v: V) => {
        const x = versionColumn.value(v);
        return x === null || x === undefined ? -Infinity : x instanceof Date ? x.getTime() : Number(x);
      }
    : undefined;
  let dlqProducer: ReturnType<ReturnType<typeof kafka>['producer']> | undefined;

  // A whole view lost after the last batch (Redis restarted, or its rebuild failed) would otherwise stay lost until
  // the next record: heal puts it back from the tables. Failures are logged once per state change and retried.
  let healing: Promise<void> | undefined;
  let healFailing = false;
  let forceHeal = true; // the first heal of a process, and the one after a failed afterCommit, rebuilds regardless
  const heal = (drained = false) => {
    if (!sink.heal || healing) return healing;
    const force = forceHeal;
    forceHeal = false;
    healing = sink
      .heal({ force, drained })
      .then(() => {
        if (healFailing) log.info({ stage }, 'views healed');
        healFailing = false;
      })
      .catch((err: unknown) => {
        if (!healFailing) log.warn({ stage, err: (err as Error).message }, 'views could not be healed; retrying');
        healFailing = true;
        if (force) forceHeal = true;
      })
      .finally(() => {
        healing = undefined;
      });
    return healing;
  };
  const healTimer = sink.heal && o.mode === 'forever' ? setInterval(() => void heal(), o.healEveryMs ?? 10_000) : undefined;
  healTimer?.unref();

  // sink_offsets is the truth: a database that has no position for a partition (a new one, or a restore from before
  // this sink ran) is filled from the start of the compacted clean topic — its current state — whatever offset the
  // Kafka group committed for an earlier database. A restored database resumes from its own offsets.
  const startAt = async (topic: string, partition: number) => {
    const stored = await storedOffset(db, groupId, topic, partition);
    if (stored !== undefined) floor.set(partition, stored);
    return stored ?? (await o.from?.(topic, partition)) ?? (await earliestOffset(topic, partition));
  };

  try {
    await consume({
      stage,
      groupId,
      topics: [sink.topic.name],
      mode: o.mode,
      health: o.health,
      signal: o.signal,
      until: o.until,
      startAt,
      autoCommit: true,
      partitionsConcurrently: 3,
      ...(sink.fetchBytes ? { maxBytesPerPartition: sink.fetchBytes } : {}),
      onAssigned: () => floor.clear(),
      handle: async ({ batch, resolveOffset, heartbeat, isRunning }) => {
        const p = batch.partition;
        if (!floor.has(p)) floor.set(p, (await storedOffset(db, groupId, batch.topic, p)) ?? -1n);
        const min = floor.get(p)!;
        // Deduplicate on the natural key: the last offset wins.
        const latest = new Map<string, Row<V>>();
        const dead: ReturnType<typeof deadLetterMessage>[] = [];
        let read = 0;
        // Offsets below the floor are already in Postgres (committed there before Kafka heard of it); only a batch
        // that starts below it holds any.
        const checkFloor = BigInt(batch.messages[0]!.offset) < min;
        const last = batch.messages[batch.messages.length - 1]!.offset;
        const next = BigInt(last) + 1n;
        // After a batch's rows and offsets are committed: what the stage reports.
        const committed = (write: 'avro-copy' | 'decoded', read: number, landed: number, written: number) => {
          floor.set(p, next);
          metrics.recordsOut.inc({ stage }, landed);
          metrics.sinkRows.inc({ sink: sink.name }, written);
          metrics.sinkBatches.inc({ sink: sink.name, write });
          o.onBatch?.({ read, written });
          resolveOffset(last);
        };
        if (avroLines && !checkFloor && !upsertOnly.get(p)) {
          const w = await writeAvroLines(db, sink.table, avroLines, batch, { group: groupId, next });
          if (w.conflict) upsertOnly.set(p, UPSERT_BATCHES_AFTER_CONFLICT);
          if (w.rows !== undefined) {
            metrics.recordsIn.inc({ stage }, batch.messages.length);
            committed('avro-copy', batch.messages.length, w.rows, w.rows);
            return;
          }
        }
        const wait = { stage, heartbeat, isRunning };
        for (const m of batch.messages) {
          if (checkFloor && BigInt(m.offset) < min) continue;
          read++;
          if (!m.value) continue; // a tombstone: clean topics never delete rows through compaction markers
          let value: V;
          try {
            // A known schema decodes at once; only an unknown one waits for the registry (and costs a microtask).
            value = (decodeKnownValue(o.serde, m.value, sink.decode) ?? (await decodeValue(o.serde, m.value, wait, sink.decode))) as V;
          } catch (err) {
            // Anything but bad bytes (stopping while the registry is away, a rebalance) leaves the batch for later.
            if (!(err instanceof Undecodable)) throw err;
            dead.push(deadLetterMessage({ topic: batch.topic, stage, reason: `undecodable: ${err.message}`, bytes: m.value, key: m.key, partition: p, offset: m.offset }));
            continue;
          }
          if (o.accept && !o.accept(value, Number(m.timestamp))) continue;
          const k = m.key?.toString('utf8') ?? m.offset;
          if (versionOf) {
            const prev = latest.get(k);
            if (prev !== undefined && versionOf(prev.value) > versionOf(value)) continue;
          }
          latest.set(k, { value, message: m });
        }
        if (read) metrics.recordsIn.inc({ stage }, read); // once per batch: a labelled inc per record cost ~1 µs
        if (next <= min) {
          resolveOffset(last);
          return;
        }
        const rows = [...latest.values()];
        const values = rows.map((r) => r.value);
        // Rows, then dead letters (durable before the offsets that pass them), then the offsets: one transaction.
        const commit = (isolate: boolean) =>
          withTransaction(async (client) => {
            let n: number;
            let landed = values;
            if (isolate) {
              const w = await writeIsolating(client, sink, rows);
              n = w.written;
              for (const { row, error } of w.refused) {
                const m = row.message;
                dead.push(deadLetterMessage({ topic: batch.topic, stage, reason: `refused by Postgres: ${error.message}`, bytes: m.value ?? Buffer.alloc(0), key: m.key, partition: p, offset: m.offset }));
              }
              const refused = new Set(w.refused.map((x) => x.row));
              landed = rows.filter((r) => !refused.has(r)).map((r) => r.value);
            } else {
              const left = upsertOnly.get(p) ?? 0;
              const w = await writeRows(client, sink, values, left === 0);
              n = w.n;
              upsertOnly.set(p, w.conflict ? UPSERT_BATCHES_AFTER_CONFLICT : Math.max(0, left - 1));
              if (sink.touched && values.length) await sink.touched(client, values);
            }
            if (dead.length) {
              dlqProducer ??= kafka().producer({ idempotent: true });
              await dlqProducer.connect();
              for (const d of dead) await dlqProducer.send({ topic: d.topic, messages: [d.message] });
            }
            await storeOffset(client, groupId, batch.topic, p, next);
            return { n, landed };
          }, db);
        let result: { n: number; landed: V[] };
        try {
          result = await commit(false);
        } catch (err) {
          if (!isDataError(err)) throw err;
          log.warn({ stage, partition: p, from: batch.messages[0]!.offset, to: last, err: (err as Error).message }, 'Postgres refused the batch: isolating the rows at fault');
          result = await commit(true);
        }
        if (sink.afterCommit && result.landed.length) {
          try {
            await sink.afterCommit(result.landed);
          } catch (err) {
            // The rows and offsets are committed: what failed lives outside Postgres, and the next heal rebuilds it.
            forceHeal = true;
            log.warn({ stage, err: (err as Error).message }, 'work after the commit failed (views not rebuilt); the sink heals it');
          }
        }
        committed('decoded', read, result.landed.length, result.n);
      },
    });
    // A drain ends with its views whole, even when it had nothing to consume.
    if (o.mode === 'drain' && !o.signal?.aborted) await heal(true);
  } finally {
    clearInterval(healTimer);
    await healing;
    await dlqProducer?.disconnect().catch(() => undefined);
  }
}
