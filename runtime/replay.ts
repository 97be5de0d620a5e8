// Replay: run a flow's processor and sinks over exactly one range of its raw topic, in a dedicated consumer group,
// so the live groups are neither paused nor moved. By date, the range starts at the first offset whose timestamp
// (event time) reaches the date minus a safety margin and runs to the end of the topic — a re-fetch of an old date
// is appended after later dates — and only records whose event date is in range are kept.
//
// Effects, each idempotent: the processor's outputs go to the clean topic in one Kafka transaction (downstream
// consumers see corrected values; tombstones for rows --replace deleted); each Postgres sink gets all its values
// in ONE transaction (upsert, with --replace the delete of rows of the replayed scope that the replay did not
// produce, then the sink's touched hooks); keyed views apply values only if newer.
import { randomBytes } from 'node:crypto';
import type { Message } from 'kafkajs';
import type { AnySink, Flow, KeyedViewComponent, PgSinkComponent, ProcessorComponent } from './components.js';
import { consume } from './consumer.js';
import { withTransaction } from './db.js';
import { deadLetterMessage, headerText } from './dlq.js';
import { kafka } from './kafka.js';
import { attempt, checkedOutputs, cleanMessage, commitStep, type DeadLetterMessage } from './transform-step.js';
import { log } from './log.js';
import { stageTable, upsertRows } from './pg-sink-runner.js';
import { ident, identList } from './sql.js';
import { redisClient, type ViewRedis } from './redis-views.js';
import type { Serde } from './serde.js';
import { isRejection, type InputMessage, type OutputRecord } from './types.js';

export interface ReplayRequest {
  flow: Flow;
  serde: Serde;
  /** Offset range on the processor's input topic per partition: [from, to). */
  from?: Map<number, bigint>;
  to?: Map<number, bigint>;
  /** Or by date (the market's calendar, via eventDate), widened by marginMs to locate offsets. */
  dates?: { from: string; to: string; eventDate: (eventTimeMs: number) => string; marginMs?: number };
  replace?: boolean;
  /** With replace: the scope values the replay owns, when they are not the replayed dates (e.g. a re-fetched date). */
  scope?: string[];
  progress?: (done: number, total: number | undefined) => void;
}

export interface ReplayResult {
  read: number;
  kept: number;
  rejected: number;
  produced: number;
  tables: { table: string; written: number; deleted: number }[];
  views: { name: string; written: number }[];
}

export interface RawMessage {
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  timestamp: number;
  headers: Record<string, string>;
}

const DAY = 24 * 3600 * 1000;

/** Per partition, the first offset whose timestamp is at or after fromMs (less the margin), and the end of the topic. */
export async function offsetsForDates(topic: string, fromMs: number, marginMs = DAY): Promise<{ from: Map<number, bigint>; to: Map<number, bigint> }> {
  const admin = kafka().admin();
  await admin.connect();
  try {
    const ends = await admin.fetchTopicOffsets(topic);
    const starts = await admin.fetchTopicOffsetsByTimestamp(topic, fromMs - marginMs);
    const from = new Map<number, bigint>();
    const to = new Map<number, bigint>();
    for (const e of ends) {
      const s = starts.find((x) => x.partition === e.partition);
      // -1: no record at or after the timestamp, so nothing to read in that partition.
      from.set(e.partition, s && Number(s.offset) >= 0 ? BigInt(s.offset) : BigInt(e.high));
      to.set(e.partition, BigInt(e.high));
    }
    return { from, to };
  } finally {
    await admin.disconnect();
  }
}

/** Reads [from, to) of every partition with a throwaway group (read_committed), then deletes the group. */
export async function readRange(topic: string, from: Map<number, bigint>, to: Map<number, bigint>, onMessage: (m: RawMessage) => void | Promise<void>): Promise<void> {
  if ([...to].every(([p, end]) => (from.get(p) ?? end) >= end)) return;
  const groupId = `gridstream.replay.${topic}.${Date.now()}.${randomBytes(3).toString('hex')}`;
  const next = new Map<number, bigint>();
  await consume({
    stage: `replay:${topic}`,
    groupId,
    topics: [topic],
    mode: 'drain',
    until: new Map([[topic, to]]),
    startAt: async (_t, partition) => from.get(partition) ?? 0n,
    autoCommit: false,
    handle: async ({ batch, resolveOffset }) => {
      // A fetch issued before the seek on assignment can deliver offsets again: each offset is read once.
      const start = next.get(batch.partition) ?? from.get(batch.partition) ?? 0n;
      for (const m of batch.messages) {
        if (BigInt(m.offset) < start) continue;
        next.set(batch.partition, BigInt(m.offset) + 1n);
        await onMessage({ partition: batch.partition, offset: m.offset, key: m.key?.toString('utf8') ?? null, value: m.value, timestamp: Number(m.timestamp), headers: headerText(m.headers) });
      }
      resolveOffset(batch.messages[batch.messages.length - 1]!.offset);
    },
  });
  const admin = kafka().admin();
  await admin.connect();
  await admin.deleteGroups([groupId]).catch(() => undefined);
  await admin.disconnect();
}

const dateRangeMs = (d: { from: string; to: string }) => ({ fromMs: Date.parse(`${d.from}T00:00:00Z`), toMs: Date.parse(`${d.to}T00:00:00Z`) + DAY });

export async function replay(r: ReplayRequest): Promise<ReplayResult> {
  const processor = r.flow.processor;
  if (!processor || processor.kind !== 'processor') throw new Error('replay needs a flow with a stateless processor');
  const p = processor as ProcessorComponent<unknown, unknown>;
  const topic = p.input.name;
  let from = r.from;
  let to = r.to;
  if (r.dates) ({ from, to } = await offsetsForDates(topic, dateRangeMs(r.dates).fromMs, r.dates.marginMs));
  if (!from || !to) throw new Error('replay needs an offset range or dates');
  await r.serde.register(p.output);
  await p.prepare?.();

  const total = [...to].reduce((n, [part, end]) => n + Number(end - (from!.get(part) ?? end)), 0);
  const result: ReplayResult = { read: 0, kept: 0, rejected: 0, produced: 0, tables: [], views: [] };
  const outputs = new Map<string, OutputRecord<unknown>>(); // last offset wins per key
  const lineage = new Map<string, string>(); // the raw record each kept output came from
  const dead: DeadLetterMessage[] = [];
  const stage = `replay:${p.name}`;
  await readRange(topic, from, to, async (m) => {
    result.read++;
    if (result.read % 1000 === 0) r.progress?.(result.read, total);
    if (r.dates) {
      const day = r.dates.eventDate(m.timestamp);
      if (day < r.dates.from || day > r.dates.to) return;
    }
    result.kept++;
    const fail = (reason: string) => dead.push(deadLetterMessage({ topic, stage, reason, bytes: m.value ?? Buffer.alloc(0), key: m.key, partition: m.partition, offset: m.offset, sourceRef: m.headers['source-ref'] }));
    let input: InputMessage<unknown>;
    try {
      if (!m.value) throw new Error('empty value');
      input = { topic, partition: m.partition, offset: m.offset, key: m.key, value: r.serde.decodeKnown(m.value) ?? (await r.serde.decode(m.value)), timestamp: m.timestamp, headers: m.headers };
    } catch (err) {
      fail(`undecodable: ${(err as Error).message}`);
      return;
    }
    const out = checkedOutputs(attempt('transform', () => p.transform(input)));
    if (isRejection(out)) {
      fail(out.reject);
      return;
    }
    for (const o of out) {
      outputs.set(o.key, { ...o, eventTime: o.eventTime ?? m.timestamp });
      lineage.set(o.key, `${topic}:${m.partition}:${m.offset}`);
    }
  });
  r.progress?.(result.read, total);
  result.rejected = dead.length;

  const values = [...outputs.values()];
  // A sink that reads records its own way (`decode`: Toronto's tickets as COPY text) gets what it would read from
  // the clean topic: each value encoded as the topic's record and read back through its decode.
  const asRead = async (sink: PgSinkComponent<unknown>): Promise<OutputRecord<unknown>[]> =>
    sink.decode
      ? Promise.all(values.map(async (o) => ({ ...o, value: await r.serde.decode(r.serde.encode(p.output.name, o.value), sink.decode) })))
      : values;
  const scopeOf = (sink: PgSinkComponent<unknown>, values: OutputRecord<unknown>[]): string[] | undefined => {
    if (!r.replace || !sink.replaceScope) return undefined;
    if (r.scope) return r.scope;
    if (r.dates) {
      const days: string[] = [];
      for (let t = Date.parse(`${r.dates.from}T00:00:00Z`); t <= Date.parse(`${r.dates.to}T00:00:00Z`); t += DAY) days.push(new Date(t).toISOString().slice(0, 10));
      return days;
    }
    const col = sink.columns.find((c) => c.name === sink.replaceScope);
    if (!col) throw new Error(`${sink.name}: replaceScope ${sink.replaceScope} is not one of its columns`);
    return [...new Set(values.map((o) => scopeText(col.value(o.value))))];
  };

  const tombstones: Message[] = [];
  for (const sink of r.flow.sinks as AnySink[]) {
    if (sink.kind === 'pg-sink') {
      const read = await asRead(sink as PgSinkComponent<unknown>);
      const t = await replayIntoTable(sink as PgSinkComponent<unknown>, read, scopeOf(sink as PgSinkComponent<unknown>, read));
      result.tables.push({ table: sink.table, written: t.written, deleted: t.deletedKeys.length });
      if ((sink as PgSinkComponent<unknown>).rowKey) tombstones.push(...t.deletedKeys.map((key) => ({ key, value: null })));
    } else {
      result.views.push({ name: sink.name, written: await replayIntoView(sink as KeyedViewComponent<unknown>, values) });
    }
  }

  // The clean topic gets the replayed values (and tombstones for deleted rows) in one transaction.
  const producer = kafka().producer({ transactionalId: `gridstream.replay.${p.name}`, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    const messages = values.map((o) => cleanMessage(r.serde, p.output.name, o, o.eventTime ?? 0, lineage.get(o.key)));
    // Tombstones only for keys no replayed value re-creates.
    const live = new Set(values.map((o) => o.key));
    const drop = tombstones.filter((m) => !live.has(String(m.key)));
    await commitStep(producer, { outputTopic: p.output.name, out: [...messages, ...drop], dead });
    result.produced = messages.length;
  } finally {
    await producer.disconnect();
  }
  log.info({ stage, ...result }, 'replay finished');
  return result;
}

function scopeText(v: unknown): string {
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  return String(v);
}

/** Upsert (and with a scope, delete what the replay did not produce) in one transaction; returns deleted keys. */
async function replayIntoTable(sink: PgSinkComponent<unknown>, outputs: OutputRecord<unknown>[], scope: string[] | undefined): Promise<{ written: number; deletedKeys: string[] }> {
  const values = outputs.map((o) => o.value);
  const { written, deletedKeys } = await withTransaction(async (client) => {
    const written = await upsertRows(client, sink, values);
    let deletedKeys: string[] = [];
    if (scope && sink.replaceScope) {
      // Names from the sink's spec, checked and quoted like the upsert's (they were interpolated unchecked).
      const t = ident(sink.table);
      const stage = stageTable(sink.table);
      // upsertRows left the replayed rows in the transaction's stage table (it empties on commit).
      await client.query(`create temp table if not exists ${stage} on commit delete rows as select ${identList(sink.columns.map((c) => c.name))} from ${t} with no data`);
      const match = sink.key.map((k) => `s.${ident(k)} = ${t}.${ident(k)}`).join(' and ');
      const res = await client.query<Record<string, unknown>>(
        `delete from ${t} where ${t}.${ident(sink.replaceScope)}::text = any($1::text[]) and not exists (select 1 from ${stage} s where ${match}) returning *`,
        [scope],
      );
      deletedKeys = res.rows.map((row, i) => sink.rowKey?.(row) ?? `${sink.table}#${i}`);
      if (res.rows.length && !sink.rowKey) log.warn({ sink: sink.name, deleted: res.rows.length }, 'rows deleted by replay; no rowKey, so no tombstones for the clean topic');
    }
    if (sink.touched && values.length) await sink.touched(client, values);
    if (scope && sink.scopeTouched) await sink.scopeTouched(client, scope);
    return { written, deletedKeys };
  });
  if (sink.afterCommit && values.length) await sink.afterCommit(values);
  return { written, deletedKeys };
}

async function replayIntoView(view: KeyedViewComponent<unknown>, outputs: OutputRecord<unknown>[]): Promise<number> {
  const r: ViewRedis = redisClient();
  try {
    const tx = r.multi();
    let n = 0;
    for (const o of outputs) {
      for (const e of view.entries(o.value)) {
        void (tx as unknown as ViewRedis).setIfNewer(e.hash, `${e.hash}:_version`, e.field, e.version, e.value);
        n++;
      }
    }
    const res = await tx.exec();
    return res?.filter(([, v]) => v === 1).length ?? n;
  } finally {
    r.disconnect();
  }
}
