// Consume -> pure `step` with state -> produce, exactly once, for processors that need neighbouring records (e.g. the
// rooftop 30 -> 5 min interpolation). Same transactional pattern as processor-runner.ts: per input partition a
// transactional id (`<group>.<topic>.<partition>`), outputs + dead letters + the offset commit in one transaction, and
// the committed position read only after our producer initialised (which fences the previous owner).
//
// What differs is what is committed ("processors that need the next record commit only up to what they have emitted"):
// - the committed OFFSET is the oldest input the state still needs (`oldestNeeded`), so a restart or a new owner
//   re-reads from there and rebuilds the same state;
// - the offset commit's METADATA says `emitted-through`: the first offset whose outputs are NOT yet in the output
//   topic. Re-read inputs below it only rebuild state; their outputs (and dead letters) were committed before.
// Both go in the same transaction as the outputs, so they can never disagree with what was emitted.
//
// State lives in memory per partition and is dropped on every (re)assignment: kafkajs then resumes each assigned
// partition from the committed offset, which is exactly where the rebuild must start.
import type { Message } from 'kafkajs';
import type { StatefulProcessorComponent } from './components.js';
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

export interface StatefulRunOptions {
  serde: Serde;
  mode: 'forever' | 'drain';
  groupId?: string;
  signal?: AbortSignal;
  until?: ConsumeOptions['until'];
  onBatch?: (stats: { read: number; written: number; rejected: number; rebuilt: number }) => void;
  /** The stage's supervisor, told how the stage is doing (runtime/supervisor.ts). */
  health?: StageHealth;
}

export const statefulGroup = (name: string) => `gridstream.process.${name}`;

/** Offset-commit metadata: where emission stands. Kept small and versioned (the broker limits metadata size). */
export interface CommitMeta {
  v: 1;
  emittedThrough: string;
}

export function parseCommitMeta(metadata: string | null | undefined): CommitMeta | undefined {
  if (!metadata) return undefined;
  try {
    const m = JSON.parse(metadata) as Partial<CommitMeta>;
    return m.v === 1 && typeof m.emittedThrough === 'string' && /^\d+$/.test(m.emittedThrough) ? { v: 1, emittedThrough: m.emittedThrough } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The offset to commit after a batch: the oldest input the state needs, never beyond the next unread offset, and,
 * when the component cannot tell, the first offset this partition's state was built from.
 */
export function commitOffset(oldestNeeded: string | undefined, next: bigint, rebuiltFrom: bigint, canTell: boolean): bigint {
  if (!canTell) return rebuiltFrom;
  if (oldestNeeded === undefined) return next;
  const o = BigInt(oldestNeeded);
  return o < next ? o : next;
}

interface PartitionState<S> {
  state: S;
  /** Offsets below this were emitted by an earlier owner: replaying them only rebuilds state. */
  emittedThrough: bigint;
  /** First offset this state was built from (the fallback commit offset). */
  rebuiltFrom: bigint | undefined;
}

export async function runStatefulProcessor<R, C, S>(p: StatefulProcessorComponent<R, C, S>, o: StatefulRunOptions): Promise<void> {
  const stage = `process:${p.name}`;
  const groupId = o.groupId ?? statefulGroup(p.name);
  await whileRegistryAnswers({ stage, isRunning: () => !o.signal?.aborted }, () => o.serde.register(p.output));
  const partitions = new Map<number, PartitionState<S>>();
  const admin = kafka().admin();
  await admin.connect();
  const committed = async (topic: string, partition: number) => {
    const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const at = t?.partitions.find((x) => x.partition === partition);
    const offset = at === undefined || Number(at.offset) < 0 ? undefined : BigInt(at.offset);
    return { offset, meta: parseCommitMeta(at?.metadata) };
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
      autoCommit: false,
      partitionsConcurrently: 3,
      onAssigned: () => partitions.clear(),
      handle: async ({ batch, resolveOffset, consumer, heartbeat, isRunning }) => {
        const producer = await producerFor(batch.partition);
        let ps = partitions.get(batch.partition);
        if (!ps) {
          // Read only now: our producer has initialised, so the previous owner is fenced and its last commit final.
          const c = await committed(batch.topic, batch.partition);
          ps = { state: p.initial(), emittedThrough: BigInt(c.meta?.emittedThrough ?? c.offset ?? -1n), rebuiltFrom: undefined };
          partitions.set(batch.partition, ps);
          const first = BigInt(batch.messages[0]!.offset);
          if (c.offset !== undefined && first > c.offset) {
            // Fetching already ran past the committed offset (a batch redelivered after a failed commit, without a
            // rejoin): go back so the state is rebuilt from everything it needs. Once only: compaction may have
            // removed the committed offset itself, and then fetching legitimately resumes after it.
            ps.rebuiltFrom = c.offset;
            consumer.seek({ topic: batch.topic, partition: batch.partition, offset: c.offset.toString() });
            return;
          }
          log.info({ stage, partition: batch.partition, from: first.toString(), emittedThrough: ps.emittedThrough.toString() }, 'rebuilding state');
        }
        ps.rebuiltFrom ??= BigInt(batch.messages[0]!.offset);
        const out: Message[] = [];
        const dead: DeadLetterMessage[] = [];
        let state = ps.state;
        let rebuilt = 0;
        for (const m of batch.messages) {
          const emit = BigInt(m.offset) >= ps.emittedThrough;
          if (emit) metrics.recordsIn.inc({ stage });
          else rebuilt++;
          const fail = (reason: string) => {
            if (!emit) return; // dead-lettered by whoever first got past this offset
            dead.push(deadLetterMessage({ topic: batch.topic, stage, reason, bytes: m.value ?? Buffer.alloc(0), key: m.key, partition: batch.partition, offset: m.offset, sourceRef: sourceRefOf(m) }));
          };
          if (!m.value) continue; // a compaction tombstone carries nothing to step
          let input: InputMessage<R>;
          try {
            input = await decodeInput<R>(o.serde, batch.topic, batch.partition, m, { stage, heartbeat, isRunning });
          } catch (err) {
            // Stopping while the registry is away (or a rebalance): nothing was sent; the state of this batch was
            // never stored, so the batch is simply read again later.
            if (!(err instanceof Undecodable)) throw err;
            fail(`undecodable: ${err.message}`);
            continue;
          }
          const result = attempt('step', () => p.step(state, input));
          if (isRejection(result)) {
            fail(result.reject);
            continue;
          }
          state = result.state;
          const outputs = checkedOutputs(result.out);
          if (isRejection(outputs)) {
            fail(outputs.reject);
            continue;
          }
          if (!emit) continue;
          for (const r of outputs) out.push(cleanMessage(o.serde, p.output.name, r, input.timestamp, `${batch.topic}:${batch.partition}:${m.offset}`));
        }

        const last = batch.messages[batch.messages.length - 1]!.offset;
        const next = BigInt(last) + 1n;
        if (next <= ps.emittedThrough) {
          // Pure rebuild: nothing new to say, and the committed offset/metadata already describe this position.
          ps.state = state;
          resolveOffset(last);
          o.onBatch?.({ read: batch.messages.length, written: 0, rejected: 0, rebuilt });
          return;
        }
        const offset = commitOffset(p.oldestNeeded?.(state), next, ps.rebuiltFrom, p.oldestNeeded !== undefined);
        const meta: CommitMeta = { v: 1, emittedThrough: next.toString() };
        const partition = { partition: batch.partition, offset: offset.toString(), metadata: JSON.stringify(meta) };
        try {
          await commitStep(producer, { outputTopic: p.output.name, out, dead, offsets: { groupId, topic: batch.topic, partitions: [partition] } });
        } catch (err) {
          // The in-memory state ran ahead of what is committed: drop it so the next assignment rebuilds.
          partitions.delete(batch.partition);
          if (!isFenced(err)) throw err;
          // A newer owner fenced us: the batch stays unresolved and uncommitted; if the partition is still ours, a
          // fresh producer and a state rebuilt from the committed offset take it from there.
          await producers.discard(batch.partition);
          log.warn({ stage, partition: batch.partition, err: (err as Error).message }, 'producer fenced by a newer owner of the partition: batch abandoned uncommitted');
          return;
        }
        ps.state = state;
        ps.emittedThrough = next;
        metrics.recordsOut.inc({ stage }, out.length);
        o.onBatch?.({ read: batch.messages.length, written: out.length, rejected: dead.length, rebuilt });
        resolveOffset(last);
        log.debug({ stage, partition: batch.partition, in: batch.messages.length, out: out.length, dead: dead.length, committed: offset.toString() }, 'batch committed');
      },
    });
  } finally {
    await producers.closeAll();
    await admin.disconnect().catch(() => undefined);
  }
}
