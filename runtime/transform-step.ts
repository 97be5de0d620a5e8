// The consume -> transform -> produce step that the processor runner, the stateful processor runner and replay share:
// run the pure code on one decoded input (a throw, a rejection or an unstorable output all become a reason), turn
// output records into clean-topic messages, and commit outputs, dead letters and (for a consumer group) the consumed
// offsets in one Kafka transaction.
import type { Message, Producer } from 'kafkajs';
import type { deadLetterMessage } from './dlq.js';
import { chunks } from './kafka.js';
import { nulRejection } from './nul-bytes.js';
import type { Serde } from './serde.js';
import { isRejection, type OutputRecord, type Rejection } from './types.js';

export type DeadLetterMessage = ReturnType<typeof deadLetterMessage>;

/** Calls pure code that may throw; a throw is a rejection naming what threw (`transform`, `step`). */
export function attempt<T>(what: string, run: () => T): T | Rejection {
  try {
    return run();
  } catch (err) {
    return { reject: `${what} threw: ${(err as Error).message}` };
  }
}

/** The outputs of one input, or why none may be written: a rejection, or a NUL byte Postgres could not store. */
export function checkedOutputs<C>(result: OutputRecord<C>[] | Rejection): OutputRecord<C>[] | Rejection {
  if (isRejection(result)) return result;
  for (const r of result) {
    const nul = nulRejection(r);
    if (nul !== undefined) return { reject: nul };
  }
  return result;
}

/**
 * A clean-topic message: Avro value, event time (the input's unless the record has its own) and one lineage header
 * (raw topic:partition:offset) — kafkajs encodes each header per record, and three of them cost over a third of the
 * produce rate (bench/PROFILE.md).
 */
export function cleanMessage(serde: Serde, topic: string, r: OutputRecord<unknown>, inputTimestamp: number, lineage: string | undefined): Message {
  const m: Message = { key: r.key, value: serde.encode(topic, r.value), timestamp: String(r.eventTime ?? inputTimestamp) };
  if (lineage) m.headers = { source: lineage };
  return m;
}

export interface ConsumedOffsets {
  groupId: string;
  topic: string;
  /** kafkajs types omit `metadata`, but its TxnOffsetCommit encoder writes it (the stateful runner's emitted-through). */
  partitions: { partition: number; offset: string; metadata?: string }[];
}

/**
 * Outputs, dead letters and the consumed offsets in one Kafka transaction: all of them or none. On any error the
 * transaction is aborted and the error rethrown (the caller tells a fenced producer from a failure).
 */
export async function commitStep(producer: Producer, o: { outputTopic: string; out: Message[]; dead: DeadLetterMessage[]; offsets?: ConsumedOffsets }): Promise<void> {
  const tx = await producer.transaction();
  try {
    for (const part of chunks(o.out)) await tx.send({ topic: o.outputTopic, messages: part });
    for (const d of o.dead) await tx.send({ topic: d.topic, messages: [d.message] });
    if (o.offsets) await tx.sendOffsets({ consumerGroupId: o.offsets.groupId, topics: [{ topic: o.offsets.topic, partitions: o.offsets.partitions }] });
    await tx.commit();
  } catch (err) {
    await tx.abort().catch(() => undefined);
    throw err;
  }
}
