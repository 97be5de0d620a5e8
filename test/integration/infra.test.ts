// The stack's services work with the clients gridstream uses: kafkajs against Kafka 4.x (topics, produce, group
// consume and commit, transactions with sendOffsets, offsets by timestamp), @kafkajs/confluent-schema-registry
// against Apicurio's ccompat API (register, encode, decode, a compatible second version, an incompatible one
// refused), and a round trip through Postgres and Redis.
import { randomBytes } from 'node:crypto';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { Redis } from 'ioredis';
import type { Admin } from 'kafkajs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { config } from '../../runtime/config.js';
import { kafka } from '../../runtime/kafka.js';
import { createTopicsWithLeaders } from '../../runtime/topics-apply.js';
import { kafkaName, namespace } from '../../runtime/namespace.js';

const suffix = randomBytes(3).toString('hex');
let admin: Admin;

beforeAll(async () => {
  admin = kafka().admin();
  await admin.connect();
});
afterAll(async () => {
  await admin.disconnect();
});

async function consumeAll(topic: string, groupId: string, expected: number, readUncommitted = false) {
  const consumer = kafka().consumer({ groupId, readUncommitted, maxWaitTimeInMs: 100 });
  const got: { key: string; value: string; offset: string; partition: number }[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`only ${got.length}/${expected} messages from ${topic}`)), 30_000);
    void consumer.run({
      autoCommit: true,
      eachMessage: async ({ message, partition }) => {
        got.push({ key: message.key!.toString(), value: message.value!.toString(), offset: message.offset, partition });
        if (got.length >= expected) {
          clearTimeout(t);
          resolve();
        }
      },
    });
  });
  await consumer.stop();
  await consumer.disconnect();
  return got;
}

describe('kafkajs against the Kafka broker', () => {
  it('creates a topic, produces, consumes in a group and commits the group offset', async () => {
    const topic = `smoke.plain.${suffix}`;
    await createTopicsWithLeaders(admin, [{ topic, numPartitions: 2 }]);
    expect(await admin.listTopics()).toContain(topic);
    const producer = kafka().producer();
    await producer.connect();
    await producer.send({ topic, messages: Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })) });
    await producer.disconnect();
    const groupId = `smoke.group.${suffix}`;
    const got = await consumeAll(topic, groupId, 20);
    expect(got.map((m) => m.value).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `v${i}`).sort());
    const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
    const total = committed[0]!.partitions.reduce((n, p) => n + Number(p.offset), 0);
    expect(total).toBe(20);
    await admin.deleteTopics({ topics: [topic] });
  });

  it('commits a transaction with sendOffsets atomically and hides an aborted one from read_committed consumers', async () => {
    const input = `smoke.tx.in.${suffix}`;
    const output = `smoke.tx.out.${suffix}`;
    await createTopicsWithLeaders(admin, [{ topic: input }, { topic: output }]);
    const plain = kafka().producer();
    await plain.connect();
    await plain.send({ topic: input, messages: [{ key: 'a', value: '1' }, { key: 'b', value: '2' }] });
    await plain.disconnect();

    const groupId = `smoke.tx.group.${suffix}`;
    const producer = kafka().producer({ transactionalId: `smoke.tx.${suffix}`, idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const aborted = await producer.transaction();
    await aborted.send({ topic: output, messages: [{ key: 'x', value: 'never-visible' }] });
    await aborted.abort();
    const tx = await producer.transaction();
    await tx.send({ topic: output, messages: [{ key: 'a', value: 'out-1' }, { key: 'b', value: 'out-2' }] });
    await tx.sendOffsets({ consumerGroupId: groupId, topics: [{ topic: input, partitions: [{ partition: 0, offset: '2' }] }] });
    await tx.commit();
    await producer.disconnect();

    // The offset commit becomes visible once the coordinator has written the transaction's markers (asynchronously).
    let committed = '-1';
    for (let i = 0; i < 100 && committed !== '2'; i++) {
      committed = (await admin.fetchOffsets({ groupId, topics: [input] }))[0]!.partitions[0]!.offset;
      if (committed !== '2') await new Promise((r) => setTimeout(r, 100));
    }
    expect(committed).toBe('2');
    const seen = await consumeAll(output, `smoke.tx.reader.${suffix}`, 2);
    expect(seen.map((m) => m.value)).toEqual(['out-1', 'out-2']);
    await admin.deleteTopics({ topics: [input, output] });
  });

  it('finds offsets by message timestamp', async () => {
    const topic = `smoke.ts.${suffix}`;
    await createTopicsWithLeaders(admin, [{ topic }]);
    const producer = kafka().producer();
    await producer.connect();
    const base = Date.parse('2024-08-01T00:00:00Z'); // event time, years before the append time
    await producer.send({ topic, messages: [0, 1, 2, 3].map((i) => ({ key: `k${i}`, value: `v${i}`, timestamp: String(base + i * 3600_000) })) });
    await producer.disconnect();
    const [at] = await admin.fetchTopicOffsetsByTimestamp(topic, base + 2 * 3600_000);
    expect(at!.offset).toBe('2');
    await admin.deleteTopics({ topics: [topic] });
  });
});

describe('@kafkajs/confluent-schema-registry against Apicurio', () => {
  const registry = new SchemaRegistry({ host: config().registryUrl });
  // The registry client is used directly here: the subject gets the run's namespace by hand.
  const subject = `${kafkaName(`smoke.registry.${suffix}`)}-value`;
  const v1 = { type: 'record', name: 'Reading', namespace: 'smoke', fields: [{ name: 'duid', type: 'string' }, { name: 'mw', type: 'double' }] };
  const v2 = { ...v1, fields: [...v1.fields, { name: 'note', type: ['null', 'string'], default: null }] };
  const incompatible = { ...v1, fields: [{ name: 'duid', type: 'string' }, { name: 'mw', type: 'string' }, { name: 'required', type: 'int' }] };

  it('registers, encodes, decodes, accepts a backward-compatible version and refuses an incompatible one', async () => {
    const { id } = await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(v1) }, { subject });
    const encoded = await registry.encode(id, { duid: 'BW01', mw: 328.16663 });
    expect(encoded[0]).toBe(0);
    expect(encoded.readInt32BE(1)).toBe(id);
    expect(await registry.decode(encoded)).toEqual({ duid: 'BW01', mw: 328.16663 });

    const second = await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(v2) }, { subject });
    expect(second.id).not.toBe(id);
    expect(await registry.getLatestSchemaId(subject)).toBe(second.id);
    // A v1 record still decodes after v2 exists (the id in the bytes names the writer's schema).
    expect(await registry.decode(encoded)).toEqual({ duid: 'BW01', mw: 328.16663 });

    await expect(registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(incompatible) }, { subject })).rejects.toThrow();
    expect(await registry.getLatestSchemaId(subject)).toBe(second.id);
  });
});

describe('Postgres and Redis', () => {
  it('round-trips a row through Postgres', async () => {
    const client = new pg.Client({ connectionString: config().databaseUrl });
    await client.connect();
    try {
      await client.query('create temp table smoke (t timestamptz primary key, v float8)');
      await client.query('insert into smoke values ($1, $2)', ['2024-08-01T00:05:00+10:00', -1e-5]);
      const { rows } = await client.query<{ t: Date; v: number }>('select t, v from smoke');
      expect(rows[0]!.t.toISOString()).toBe('2024-07-31T14:05:00.000Z');
      expect(rows[0]!.v).toBe(-0.00001);
    } finally {
      await client.end();
    }
  });

  it('round-trips a hash through Redis', async () => {
    const r = new Redis(config().redisUrl);
    try {
      const key = `${namespace().redisPrefix}smoke:${suffix}`;
      await r.hset(key, { a: '1', b: 'two' });
      expect(await r.hgetall(key)).toEqual({ a: '1', b: 'two' });
      await r.del(key);
      expect(await r.exists(key)).toBe(0);
    } finally {
      r.disconnect();
    }
  });
});
