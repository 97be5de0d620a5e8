// Transactional producers, one per input partition. kafkajs predates KIP-447, so zombie fencing needs the
// transactional id to follow the partition (`<group>.<topic>.<partition>`): whoever owns the partition next fences
// the previous owner's producer and aborts its open transaction when it initialises.
import type { Producer } from 'kafkajs';
import { kafka } from './kafka.js';

export interface PartitionProducers {
  get(partition: number): Promise<Producer>;
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
        producers.set(partition, pr);
      }
      return pr;
    },
    async closeAll() {
      await Promise.all([...producers.values()].map(async (pr) => (await pr).disconnect().catch(() => undefined)));
    },
  };
}
