// Consume raw -> pure transform -> produce clean, exactly once: each consumed batch's outputs, dead letters and
// consumed offsets are committed in one Kafka transaction. A crash at any moment leaves either all of them or none
// (read_committed readers never see an aborted transaction), and the restart resumes from the committed offsets.
//
// kafkajs predates KIP-447, so fencing is per input partition: each partition gets its own transactional id
// (`<group>.<topic>.<partition>`). Whoever owns a partition after a crash or rebalance fences the previous owner's
// producer and aborts its open transaction when it initialises.
import type { KafkaMessage, Message } from 'kafkajs';
import type { ProcessorComponent } from './components.js';
import { isFenced, partitionProducers } from './transactions.js';
import { consume, type ConsumeOptions, type StageHealth } from './consumer.js';
import { deadLetterMessage, decodeInput, sourceRefOf } from './dlq.js';
import { kafka } from './kafka.js';
import { log } from './log.js';
import { metrics } from './metrics.js';
import { attempt, checkedOutputs, cleanMessage, commitStep, type DeadLetterMessage } from './transform-step.js';
import { Undecodable, whileRegistryAnswers } from './registry-wait.js';
import type { Serde } from './serde.js';
import { isRejection, type InputMessage } from './types.js';

export interface ProcessorRunOptions {
  serde: Serde;
  mode: 'forever' | 'drain';
  groupId?: string;
  signal?: AbortSignal;
  until?: ConsumeOptions['until'];
  startAt?: ConsumeOptions['startAt'];
  /** Keep only inputs whose event time passes (replay by date). */
  accept?: (input: InputMessage<unknown>) => boolean;
  /** Counts per committed batch (benchmarks, replay's final table). */
  onBatch?: (stats: { read: number; written: number; rejected: number }) => void;
  /** The stage's supervisor, told how the stage is doing (runtime/supervisor.ts). */
  health?: StageHealth;
}

export const processorGroup = (name: string) => `gridstream.process.${name}`;

export async function runProcessor<R, C>(p: ProcessorComponent<R, C>, o: ProcessorRunOptions): Promise<void> {
  const stage = `process:${p.name}`;
  const groupId = o.groupId ?? processorGroup(p.name);
  await whileRegistryAnswers({ stage, isRunning: () => !o.signal?.aborted }, () => o.serde.register(p.output));
  await p.prepare?.();
  // Per partition, in this assignment: the group's committed offset, read only after our producer for that partition
  // has initialised. Initialising fences the previous owner and waits for its last transaction to complete, so the
  // committed offset is then final; without this a consumer that joins right after a handover could read the offset
  // from before the previous owner's last commit and process those records again.
  const committedFloor = new Map<number, bigint>();
  const admin = kafka().admin();
  await admin.connect();
  const committedOffset = async (topic: string, partition: number) => {
    const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const off = t?.partitions.find((x) => x.partition === partition)?.offset;
    return off === undefined || Number(off) < 0 ? -1n : BigInt(off);
  };

  const producers = partitionProducers(groupId, p.input.name);
  const producerFor = (partition: number) => producers.get(partition);

  try {
    await consume({
      stage,
      groupId,
      topics: [p.input.name],
      mode: o.mode,
      health: o.health,
      signal: o.signal,
      until: o.until,
      startAt: o.startAt,
      autoCommit: false,
      partitionsConcurrently: 3,
      ...(p.fetchBytes ? { maxBytesPerPartition: p.fetchBytes } : {}),
      onAssigned: () => committedFloor.clear(),
      handle: async ({ batch, resolveOffset, heartbeat, isRunning }) => {
        const producer = await producerFor(batch.partition);
        const out: Message[] = [];
        const dead: DeadLetterMessage[] = [];
        let floor = committedFloor.get(batch.partition);
        if (floor === undefined) {
          floor = await committedOffset(batch.topic, batch.partition);
          committedFloor.set(batch.partition, floor);
        }
        const last = batch.messages[batch.messages.length - 1]!.offset;
        if (BigInt(last) < floor) {
          resolveOffset(last);
          return;
        }
        let read = 0;
        // Offsets below the floor were committed by an earlier owner; only a batch that starts below it has any.
        const checkFloor = BigInt(batch.messages[0]!.offset) < floor;
        const lineage = `${batch.topic}:${batch.partition}:`;
        const wait = { stage, heartbeat, isRunning };
        // Made once per batch, not per record.
        const fail = (m: KafkaMessage, reason: string) =>
          dead.push(
            deadLetterMessage({ topic: batch.topic, stage, reason, bytes: m.value ?? Buffer.alloc(0), key: m.key, partition: batch.partition, offset: m.offset, sourceRef: sourceRefOf(m) }),
          );
        for (const m of batch.messages) {
          if (checkFloor && BigInt(m.offset) < floor) continue;
          read++;
          let input: InputMessage<R>;
          try {
            const decoded = decodeInput<R>(o.serde, batch.topic, batch.partition, m, wait);
            input = decoded instanceof Promise ? await decoded : decoded; // a known schema decodes without a microtask
          } catch (err) {
            // Stopping while the registry is away (or a rebalance): nothing was sent; the batch is read again later.
            if (!(err instanceof Undecodable)) throw err;
            fail(m, `undecodable: ${err.message}`);
            continue;
          }
          if (o.accept && !o.accept(input as InputMessage<unknown>)) continue;
          const result = checkedOutputs(attempt('transform', () => p.transform(input)));
          if (isRejection(result)) {
            fail(m, result.reject);
            continue;
          }
          for (const r of result) out.push(cleanMessage(o.serde, p.output.name, r, input.timestamp, lineage + m.offset));
        }

        if (read) metrics.recordsIn.inc({ stage }, read); // once per batch: a labelled inc per record cost ~1 µs
        try {
          const offsets = { groupId, topic: batch.topic, partitions: [{ partition: batch.partition, offset: (BigInt(last) + 1n).toString() }] };
          await commitStep(producer, { outputTopic: p.output.name, out, dead, offsets });
        } catch (err) {
          if (!isFenced(err)) throw err;
          // A newer owner of this partition fenced us: nothing of this batch is committed and it stays unresolved.
          // Forget the producer and the floor; if the partition is still ours, the next batch starts over from the
          // committed offset with a fresh producer.
          await producers.discard(batch.partition);
          committedFloor.delete(batch.partition);
          log.warn({ stage, partition: batch.partition, err: (err as Error).message }, 'producer fenced by a newer owner of the partition: batch abandoned uncommitted');
          return;
        }
        committedFloor.set(batch.partition, BigInt(last) + 1n);
        metrics.recordsOut.inc({ stage }, out.length);
        o.onBatch?.({ read: batch.messages.length, written: out.length, rejected: dead.length });
        resolveOffset(last);
        log.debug({ stage, partition: batch.partition, in: batch.messages.length, out: out.length, dead: dead.length }, 'batch committed');
      },
    });
  } finally {
    await producers.closeAll();
    await admin.disconnect().catch(() => undefined);
  }
}
