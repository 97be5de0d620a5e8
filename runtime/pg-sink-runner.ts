// Clean topic -> Postgres, exactly once: each batch is deduplicated on the natural key (last offset wins, so one
// statement never touches a row twice), COPYed into a temp stage, upserted with INSERT ... ON CONFLICT skipping
// unchanged rows, followed by the sink's "touched keys" hook and the consumer position in sink_offsets, all in one
// transaction. Positions in Kafka's group are only advisory (lag); the truth is sink_offsets, sought on assignment.
//
// Method: COPY into a temp table then INSERT ... SELECT ... ON CONFLICT measured fastest here (see bench/ and
// shared/specs/infra.md: ~150k rows/s narrow vs ~144k unnest and ~91k multi-row VALUES).
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type pg from 'pg';
import copyStreams from 'pg-copy-streams';
import type { PgSinkComponent } from './components.js';
import { consume, type ConsumeOptions } from './consumer.js';
import { pool, withTransaction } from './db.js';
import { deadLetterMessage } from './dlq.js';
import { kafka } from './kafka.js';
import { metrics } from './metrics.js';
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
}

export const sinkGroup = (name: string) => `gridstream.sink.${name}`;

/** COPY text format: backslash escapes for the four characters that would break a line. */
export function copyText(v: unknown): string {
  if (v === null || v === undefined) return '\\N';
  const s = v instanceof Date ? v.toISOString() : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

const ident = (s: string) => {
  if (!/^[a-z_][a-z0-9_]*$/.test(s)) throw new Error(`unsafe SQL identifier: ${s}`);
  return s;
};

export function upsertSql<V>(sink: PgSinkComponent<V>, stage: string): string {
  const cols = sink.columns.map((c) => ident(c.name));
  const nonKey = cols.filter((c) => !sink.key.includes(c));
  const t = ident(sink.table);
  const v = sink.versionColumn ? ident(sink.versionColumn) : undefined;
  const newer = v ? ` and (${t}.${v} is null or (excluded.${v} is not null and excluded.${v} >= ${t}.${v}))` : '';
  const update = nonKey.length
    ? `do update set ${nonKey.map((c) => `${c} = excluded.${c}`).join(', ')} where (${nonKey.map((c) => `${t}.${c}`).join(', ')}) is distinct from (${nonKey.map((c) => `excluded.${c}`).join(', ')})${newer}`
    : 'do nothing';
  return `insert into ${t} (${cols.join(', ')}) select ${cols.join(', ')} from ${stage} on conflict (${sink.key.map(ident).join(', ')}) ${update}`;
}

/** Writes values (already deduplicated) through a temp stage; returns rows inserted or changed. */
export async function upsertRows<V>(client: pg.PoolClient, sink: PgSinkComponent<V>, values: V[]): Promise<number> {
  if (values.length === 0) return 0;
  const stage = `stage_${ident(sink.table)}`;
  const cols = sink.columns.map((c) => c.name).join(', ');
  await client.query(`create temp table if not exists ${stage} on commit delete rows as select ${cols} from ${ident(sink.table)} with no data`);
  const lines = function* () {
    let chunk = '';
    for (const v of values) {
      chunk += sink.columns.map((c) => copyText(c.value(v))).join('\t') + '\n';
      if (chunk.length > 64 * 1024) {
        yield chunk;
        chunk = '';
      }
    }
    if (chunk) yield chunk;
  };
  await pipeline(Readable.from(lines()), client.query(copyStreams.from(`copy ${stage} (${cols}) from stdin`)));
  const r = await client.query(upsertSql(sink, stage));
  return r.rowCount ?? 0;
}

export async function storedOffset(client: pg.Pool | pg.PoolClient, group: string, topic: string, partition: number): Promise<bigint | undefined> {
  const r = await client.query<{ next_offset: number }>('select next_offset from sink_offsets where consumer_group = $1 and topic = $2 and partition = $3', [group, topic, partition]);
  return r.rows[0] ? BigInt(r.rows[0].next_offset) : undefined;
}

export async function runPgSink<V>(sink: PgSinkComponent<V>, o: SinkRunOptions): Promise<void> {
  const stage = `sink:${sink.name}`;
  const groupId = o.groupId ?? sinkGroup(sink.name);
  const db = pool();
  const floor = new Map<number, bigint>(); // next offset already in Postgres, per partition
  const versionColumn = sink.columns.find((c) => c.name === sink.versionColumn);
  const versionOf = versionColumn
    ? (v: V) => {
        const x = versionColumn.value(v);
        return x === null || x === undefined ? -Infinity : x instanceof Date ? x.getTime() : Number(x);
      }
    : undefined;
  let dlqProducer: ReturnType<ReturnType<typeof kafka>['producer']> | undefined;

  const startAt = async (topic: string, partition: number) => {
    const stored = await storedOffset(db, groupId, topic, partition);
    if (stored !== undefined) floor.set(partition, stored);
    return stored ?? (await o.from?.(topic, partition));
  };

  try {
    await consume({
      stage,
      groupId,
      topics: [sink.topic.name],
      mode: o.mode,
      signal: o.signal,
      until: o.until,
      startAt,
      autoCommit: true,
      partitionsConcurrently: 3,
      onAssigned: () => floor.clear(),
      handle: async ({ batch, resolveOffset }) => {
        const p = batch.partition;
        if (!floor.has(p)) floor.set(p, (await storedOffset(db, groupId, batch.topic, p)) ?? -1n);
        const min = floor.get(p)!;
        // Deduplicate on the natural key: the last offset wins.
        const latest = new Map<string, V>();
        let read = 0;
        for (const m of batch.messages) {
          if (BigInt(m.offset) < min) continue; // already in Postgres (committed there before Kafka heard of it)
          read++;
          metrics.recordsIn.inc({ stage });
          if (!m.value) continue; // a tombstone: clean topics never delete rows through compaction markers
          let value: V;
          try {
            value = (o.serde.decodeKnown(m.value) ?? (await o.serde.decode(m.value))) as V;
          } catch (err) {
            dlqProducer ??= kafka().producer({ idempotent: true });
            await dlqProducer.connect();
            const d = deadLetterMessage({ topic: batch.topic, stage, reason: `undecodable: ${(err as Error).message}`, bytes: m.value, key: m.key, partition: p, offset: m.offset });
            await dlqProducer.send({ topic: d.topic, messages: [d.message] });
            continue;
          }
          if (o.accept && !o.accept(value, Number(m.timestamp))) continue;
          const k = m.key?.toString('utf8') ?? m.offset;
          if (versionOf) {
            const prev = latest.get(k);
            if (prev !== undefined && versionOf(prev) > versionOf(value)) continue;
          }
          latest.set(k, value);
        }
        const last = batch.messages[batch.messages.length - 1]!.offset;
        const next = BigInt(last) + 1n;
        if (next <= min) {
          resolveOffset(last);
          return;
        }
        const values = [...latest.values()];
        const written = await withTransaction(async (client) => {
          const n = await upsertRows(client, sink, values);
          if (sink.touched && values.length) await sink.touched(client, values);
          await client.query(
            `insert into sink_offsets (consumer_group, topic, partition, next_offset, updated_at) values ($1, $2, $3, $4, now())
             on conflict (consumer_group, topic, partition) do update set next_offset = excluded.next_offset, updated_at = now()`,
            [groupId, batch.topic, p, next.toString()],
          );
          return n;
        }, db);
        floor.set(p, next);
        if (sink.afterCommit && values.length) await sink.afterCommit(values);
        metrics.recordsOut.inc({ stage }, values.length);
        metrics.sinkRows.inc({ sink: sink.name }, written);
        o.onBatch?.({ read, written });
        resolveOffset(last);
      },
    });
  } finally {
    await dlqProducer?.disconnect().catch(() => undefined);
  }
}
