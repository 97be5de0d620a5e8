// A downstream consumer of gridstream's clean topics written with only kafkajs and @kafkajs/confluent-schema-registry
// (no gridstream code): read_committed, from the beginning (the compacted topic holds the latest value per key),
// values decoded from the Confluent wire format through the registry.
//
//   KAFKA_BROKERS=127.0.0.1:19092 SCHEMA_REGISTRY_URL=http://127.0.0.1:18081/apis/ccompat/v7 \
//     npx tsx examples/consume-clean.ts clean.synthetic.scada
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { Kafka, logLevel } from 'kafkajs';

export interface CleanRecord {
  partition: number;
  offset: string;
  key: string;
  value: Record<string, unknown> | null;
  timestamp: number;
}

/** Reads a clean topic from the beginning until `idleMs` pass with nothing new; returns the decoded records. */
export async function readCleanTopic(o: { brokers: string[]; registryUrl: string; topic: string; groupId: string; idleMs?: number }): Promise<CleanRecord[]> {
  const kafka = new Kafka({ clientId: 'example-consumer', brokers: o.brokers, logLevel: logLevel.ERROR });
  const registry = new SchemaRegistry({ host: o.registryUrl });
  const consumer = kafka.consumer({ groupId: o.groupId, readUncommitted: false });
  const out: CleanRecord[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic: o.topic, fromBeginning: true });
  let last = Date.now();
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      last = Date.now();
      out.push({
        partition,
        offset: message.offset,
        key: message.key?.toString('utf8') ?? '',
        // A tombstone (null value) means the key was withdrawn upstream.
        value: message.value ? ((await registry.decode(message.value)) as Record<string, unknown>) : null,
        timestamp: Number(message.timestamp),
      });
    },
  });
  while (Date.now() - last < (o.idleMs ?? 4000)) await new Promise((r) => setTimeout(r, 200));
  await consumer.disconnect();
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const topic = process.argv[2] ?? 'clean.synthetic.scada';
  const records = await readCleanTopic({
    brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:19092').split(','),
    registryUrl: process.env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:18081/apis/ccompat/v7',
    topic,
    groupId: `example.${Date.now()}`,
  });
  for (const r of records.slice(0, 5)) console.log(r.key, JSON.stringify(r.value));
  console.log(`${records.length} records from ${topic}`);
}
