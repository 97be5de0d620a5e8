// Runs a source: resume from its cursor, publish each batch's records, dead letters and the new cursor in ONE Kafka
// transaction. The cursor lives in the compacted `_gridstream.cursors` topic rather than Postgres because only then
// can it commit atomically with the records: a crash leaves both or neither, so a restart never republishes or
// skips. The transactional id is per source, so a second instance of the same source fences the first.
import type { Message } from 'kafkajs';
import { CURSORS_TOPIC } from '../schemas/topics.js';
import type { SourceComponent } from './components.js';
import type { StageHealth } from './consumer.js';
import { pool } from './db.js';
import { deadLetterMessage } from './dlq.js';
import { chunks, kafka } from './kafka.js';
import { log } from './log.js';
import { metrics } from './metrics.js';
import { progressReporter } from './progress.js';
import type { Serde } from './serde.js';
import { onShutdown, shuttingDown } from './shutdown.js';
import type { DeadLetterInput, RawRecord } from './types.js';

/**
 * Largest Kafka key sent, in UTF-8 bytes. Natural keys are well under 100 bytes; kafkajs hashes the key for the
 * partition synchronously and slowly (a 256 KiB key took 52 s at 100 % CPU, deaf to SIGTERM), so an unbounded key
 * from bad input hangs the whole producer.
 */
export const MAX_KEY_BYTES = 4 * 1024;
/**
 * Largest encoded value sent. The broker refuses a batch over message.max.bytes (1 MiB by default), which would abort
 * the transaction and stop the run on every poll; this leaves room for the headers.
 */
export const MAX_VALUE_BYTES = 900 * 1024;
/** How much of an oversized record a dead letter keeps: it has to fit in a Kafka message itself. */
const DEAD_SAMPLE_BYTES = 256 * 1024;

/**
 * Why a record cannot be sent (key or encoded value over the limits), or null when it can. Pure: the runner
 * dead-letters what this refuses instead of hanging or failing the transaction on it.
 */
export function oversized(keyBytes: number, valueBytes: number, limits = { key: MAX_KEY_BYTES, value: MAX_VALUE_BYTES }): string | null {
  if (keyBytes > limits.key) return `key of ${keyBytes} bytes, over the ${limits.key}-byte limit`;
  if (valueBytes > limits.value) return `encoded value of ${valueBytes} bytes, over the ${limits.value}-byte limit`;
  return null;
}

/** The dead letter for a record refused by `oversized`: the start of its key and value as JSON, cut to fit. */
export function oversizedDeadLetter(r: RawRecord<unknown>, reason: string): DeadLetterInput {
  const keyStart = r.key.slice(0, 1024);
  // The key is cut before stringifying so a 50 MB key is not copied again just to be thrown away.
  let json = Buffer.from(JSON.stringify({ key: r.key.slice(0, DEAD_SAMPLE_BYTES), value: r.value }));
  const cut = r.key.length > DEAD_SAMPLE_BYTES || json.length > DEAD_SAMPLE_BYTES;
  if (cut) json = json.subarray(0, DEAD_SAMPLE_BYTES);
  return {
    reason: `record too large to send: ${reason}${cut ? ` (bytes: the first ${DEAD_SAMPLE_BYTES} of {key, value} as JSON)` : ' (bytes: {key, value} as JSON)'}; key starts ${JSON.stringify(keyStart.slice(0, 100))}`,
    sourceRef: r.sourceRef,
    bytes: json,
    headers: { ...r.headers },
  };
}

/** Reads the latest cursor of a source (read_committed, to the end of the compacted topic). */
export async function readCursor<C>(source: string): Promise<C | undefined> {
  const admin = kafka().admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(CURSORS_TOPIC.name);
    if (offsets.every((o) => o.high === o.low)) return undefined;
    const groupId = `gridstream.cursor-reader.${process.pid}.${Date.now()}`;
    const consumer = kafka().consumer({ groupId, readUncommitted: false, maxWaitTimeInMs: 100 });
    let found: C | undefined;
    const ends = new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
    await consumer.connect();
    await consumer.subscribe({ topic: CURSORS_TOPIC.name, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const seen = new Map<number, bigint>();
      const idle = setTimeout(resolve, 5000);
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            if (message.key?.toString() === source) found = message.value ? (JSON.parse(message.value.toString()) as C) : undefined;
            seen.set(partition, BigInt(message.offset) + 2n); // +2: the commit marker follows the last record
            if ([...ends].every(([p, end]) => (seen.get(p) ?? 0n) >= end)) {
              clearTimeout(idle);
              resolve();
            }
          },
        })
        .catch(reject);
    });
    await consumer.disconnect();
    await admin.deleteGroups([groupId]).catch(() => undefined);
    return found;
  } finally {
    await admin.disconnect();
  }
}

export interface ProduceResult {
  records: number;
  deadLetters: number;
  batches: number;
}

export async function runSource<V, C, O>(
  c: SourceComponent<V, C, O>,
  o: { serde: Serde; options?: O; once: boolean; signal?: AbortSignal; health?: StageHealth },
): Promise<ProduceResult> {
  const stage = `produce:${c.name}`;
  for (const t of c.topics) await o.serde.register(t);
  const producer = kafka().producer({ transactionalId: `gridstream.produce.${c.name}`, idempotent: true, maxInFlightRequests: 1, transactionTimeout: 120_000 });
  await producer.connect();
  const abort = new AbortController();
  o.signal?.addEventListener('abort', () => abort.abort());
  onShutdown(stage, async () => abort.abort());
  const total: ProduceResult = { records: 0, deadLetters: 0, batches: 0 };
  const db = pool();
  // Postgres away at the start: the stage fails and is restarted, and this attempt's producer must not outlive it.
  const runId = (
    await db.query<{ id: number }>(`insert into etl_run_log (task, status, details) values ($1, 'running', $2) returning id`, [stage, { options: o.options ?? {} }]).catch(async (err: unknown) => {
      await producer.disconnect().catch(() => undefined);
      throw err;
    })
  ).rows[0]!.id;
  const progress = progressReporter(stage);
  let status: 'success' | 'failed' | 'skipped' = 'success';
  let notes: string | null = null;
  try {
    // Read once: this process is the source's only writer (its transactional id fences any other).
    let cursor: C | undefined = await readCursor<C>(c.name);
    do {
      const ctx = { signal: abort.signal, progress: progress.update };
      for await (const batch of c.source.read(cursor, o.options ?? ({} as O), ctx)) {
        const byTopic = new Map<string, Message[]>();
        const refused: { topic: string; d: DeadLetterInput }[] = [];
        const fetchedAt = new Date().toISOString(); // the batch's records were fetched together
        for (const r of batch.records as RawRecord<V>[]) {
          const topic = c.topicOf ? c.topicOf(r.value) : c.topics[0]!.name;
          // The key is checked before encoding: a huge key with a normal value must not even reach the partitioner.
          const keyBytes = Buffer.byteLength(r.key);
          const value = keyBytes > MAX_KEY_BYTES ? null : o.serde.encode(topic, r.value);
          const tooBig = oversized(keyBytes, value?.length ?? 0);
          if (tooBig || !value) {
            refused.push({ topic, d: oversizedDeadLetter(r, tooBig ?? 'key too large') });
            continue;
          }
          const list = byTopic.get(topic) ?? [];
          list.push({
            key: r.key,
            value,
            timestamp: String(r.eventTime),
            headers: { 'source-ref': r.sourceRef, 'fetched-at': fetchedAt, ...r.headers },
          });
          byTopic.set(topic, list);
        }
        const dead = [
          ...(batch.deadLetters ?? []).map((d) => ({ topic: c.topics[0]!.name, d })),
          // A refused record goes to its own topic's dead-letter topic, with no key (that is what was too large).
          ...refused,
        ].map(({ topic, d }) => deadLetterMessage({ topic, stage, reason: d.reason, bytes: d.bytes, sourceRef: d.sourceRef, ...(d.headers ? { headers: d.headers } : {}) }));
        const tx = await producer.transaction();
        try {
          for (const [topic, messages] of byTopic) for (const part of chunks(messages)) await tx.send({ topic, messages: part });
          for (const d of dead) await tx.send({ topic: d.topic, messages: [d.message] });
          await tx.send({ topic: CURSORS_TOPIC.name, messages: [{ key: c.name, value: JSON.stringify(batch.cursor) }] });
          await tx.commit();
        } catch (err) {
          await tx.abort().catch(() => undefined);
          throw err;
        }
        cursor = batch.cursor;
        total.records += batch.records.length - refused.length;
        total.deadLetters += dead.length;
        total.batches++;
        metrics.recordsOut.inc({ stage }, batch.records.length - refused.length);
        o.health?.succeeded();
        if (shuttingDown()) break;
      }
      // A whole poll that ended without an error is a success even when it found nothing new.
      o.health?.succeeded();
      if (o.once || shuttingDown() || abort.signal.aborted) break;
      // The wait ends early when the stage is stopped, so a supervisor's stop is not held up by a long poll interval.
      await new Promise<void>((r) => {
        const t = setTimeout(r, c.pollEveryMs);
        abort.signal.addEventListener('abort', () => (clearTimeout(t), r()), { once: true });
      });
    } while (!abort.signal.aborted);
    if (total.records === 0 && total.deadLetters === 0) status = 'skipped';
  } catch (err) {
    status = 'failed';
    notes = (err as Error).message;
    throw err;
  } finally {
    progress.done();
    // Postgres may be the reason this run failed: the run's own error, not this one, is then what the supervisor sees
    // (the run log stays 'running'). A run that succeeded fails on it, so its end is recorded by a retry. The producer
    // is disconnected either way, before a restart makes another with the same transactional id.
    let unrecorded: unknown;
    await db
      .query(`update etl_run_log set completed_at = now(), status = $2, records_out = $3, records_rejected = $4, notes = $5, details = details || $6 where id = $1`, [
        runId,
        status,
        total.records,
        total.deadLetters,
        notes,
        { batches: total.batches },
      ])
      .catch((err: unknown) => {
        unrecorded = err;
        log.warn({ stage, err: (err as Error).message }, 'could not record the end of the source run in etl_run_log');
      });
    await producer.disconnect().catch(() => undefined);
    log.info({ stage, ...total, status }, 'source run finished');
    // eslint-disable-next-line no-unsafe-finally -- only when the run itself succeeded (its own error wins otherwise)
    if (unrecorded !== undefined && status !== 'failed') throw unrecorded;
  }
  return total;
}
