// Transactional producers, one per input partition. kafkajs predates KIP-447, so zombie fencing needs the
// transactional id to follow the partition (`<group>.<topic>.<partition>`): whoever owns the partition next fences
// the previous owner's producer and aborts its open transaction when it initialises.
//
// A producer that has been fenced can never commit again: the runner discards it (the next batch of that partition,
// if it is still ours, gets a fresh producer) and abandons its batch uncommitted, so the new owner reprocesses from
// the committed offset. Fencing is the protocol working, not a failure of the process.
import type { Producer } from 'kafkajs';
import { kafka } from './kafka.js';

export interface PartitionProducers {
  get(partition: number): Promise<Producer>;
  /** Forgets a partition's producer (fenced) and disconnects it. */
  discard(partition: number): Promise<void>;
  closeAll(): Promise<void>;
}

export function partitionProducers(groupId: string, topic: string): PartitionProducers {
  const producers = new Map<number, Promise<Producer>>();
  return {
    get(partition) {
      let pr = producers.get(partition);
      if (!pr) {
        pr = (async () => {
          const producer = kafka().producer({ transactionalId: `${groupId}.${topic}.${partition}`, idempotent: true, maxInFlightRequests: 1, transactionTimeout: 60_000 });
          await producer.connect();
          return producer;
        })();
        // A producer that failed to connect must not stay cached either.
        void pr.catch(() => {
          if (producers.get(partition) === pr) producers.delete(partition);
        });
        producers.set(partition, pr);
      }
      return pr;
    },
    async discard(partition) {
      const pr = producers.get(partition);
      producers.delete(partition);
      await pr?.then((p) => p.disconnect()).catch(() => undefined);
    },
    async closeAll() {
      await Promise.all([...producers.values()].map((pr) => pr.then((p) => p.disconnect()).catch(() => undefined)));
    },
  };
}

const FENCED_TYPES = new Set(['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED', 'TRANSACTION_COORDINATOR_FENCED']);
const FENCED_CODES = new Set([47, 90]); // INVALID_PRODUCER_EPOCH, PRODUCER_FENCED (newer than kafkajs's table)

/** Whether `err` (or what caused it) says this producer was fenced by a newer one with the same transactional id. */
export function isFenced(err: unknown): boolean {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const x = e as { name?: string; type?: string; code?: number; message?: string; cause?: unknown; originalError?: unknown };
    if (x.name === 'ProducerFencedError' || (x.type && FENCED_TYPES.has(x.type)) || (typeof x.code === 'number' && FENCED_CODES.has(x.code))) return true;
    if (/\bfenced\b|old epoch/i.test(x.message ?? '')) return true;
    e = x.cause ?? x.originalError;
  }
  return false;
}
