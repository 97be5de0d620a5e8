// A sink that stores its record's fields one to one writes a batch's COPY lines straight from the Avro bytes
// (runtime/avro-copy-lines.ts). The table must end up exactly as the decode path leaves it — strings with the four
// characters COPY text reserves, unicode, nulls, doubles, instants, booleans, enums — and a batch the bytes path
// cannot take (a bad record, a stored key) must still reach the decode path: dead letter, upsert, versions.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { PgSinkComponent } from '../../runtime/components.js';
import { AvroCopyLines } from '../../runtime/avro-copy-lines.js';
import { closePool, pool } from '../../runtime/db.js';
import { kafka } from '../../runtime/kafka.js';
import { metrics } from '../../runtime/metrics.js';
import { fieldColumns } from '../../runtime/pg-columns.js';
import { runPgSink, sinkGroup } from '../../runtime/pg-sink-runner.js';
import { Serde } from '../../runtime/serde.js';
import { applyTopics } from '../../runtime/topics-apply.js';
import { dlqName, dlqTopic, type TopicSpec } from '../../schemas/topics.js';

interface Row {
  id: string;
  label: string | null;
  at: number;
  value: number | null;
  n: number;
  ok: boolean;
  kind: 'A' | 'B';
  version: number;
}

const id = `t_avrocopy_${randomBytes(3).toString('hex')}`;
const topic: TopicSpec = {
  name: `clean.${id}`,
  key: 'id',
  partitions: 1,
  retentionMs: -1,
  cleanupPolicy: 'compact',
  description: 'test',
  schema: {
    type: 'record',
    name: 'AvroCopyRow',
    fields: [
      { name: 'id', type: 'string' },
      { name: 'label', type: ['null', 'string'] },
      { name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } },
      { name: 'value', type: ['null', 'double'] },
      { name: 'n', type: 'int' },
      { name: 'ok', type: 'boolean' },
      { name: 'kind', type: { type: 'enum', name: 'Kind', symbols: ['A', 'B'] } },
      { name: 'version', type: 'long' },
    ],
  },
};
const sinkOf = (table: string): PgSinkComponent<Row> => ({ kind: 'pg-sink', name: table, topic, table, key: ['id'], versionColumn: 'version', columns: fieldColumns<Row>(topic) });
const bytesPath = sinkOf(`${id}_bytes`);
const decodePath = sinkOf(`${id}_decoded`);
const serde = Serde.fromConfig();
// Replay by date reads every value, so a sink run with `accept` always decodes: the reference.
const decodeAll = () => true;

const labels = ['plain', 'tab\there', 'new\nline', 'back\\slash', 'cr\rlf\r\n', 'ünïcødé €😀', '', '\\N', null];
const values = [0, -0, 1.5, -273.15, 1e21, 5e-324, 1.7976931348623157e308, 0.1 + 0.2, null];
const row = (i: number, version = 1, bump = 0): Row => ({
  id: `u${i}`,
  label: labels[i % labels.length]!,
  at: Date.parse('2024-07-31T14:05:00Z') + i * 300_000 + (i % 7) * 1,
  value: values[i % values.length]! === null ? null : values[i % values.length]! + bump,
  n: (i % 2 ? -1 : 1) * i * 1000,
  ok: i % 3 === 0,
  kind: i % 2 ? 'A' : 'B',
  version,
});

async function send(messages: { key: string; value: Buffer | null }[]) {
  const producer = kafka().producer({ idempotent: true });
  await producer.connect();
  await producer.send({ topic: topic.name, messages });
  await producer.disconnect();
}
const dump = async (table: string) => (await pool().query(`select id, label, at, value, n, ok, kind, version from ${table} order by id`)).rows;
/** Batches a sink committed so far, by how it wrote them. */
async function batches(sink: PgSinkComponent<Row>): Promise<{ bytes: number; decoded: number }> {
  const { values } = await metrics.sinkBatches.get();
  const of = (write: string) => values.find((v) => v.labels.sink === sink.name && v.labels.write === write)?.value ?? 0;
  return { bytes: of('avro-copy'), decoded: of('decoded') };
}
const drain = (sink: PgSinkComponent<Row>, accept?: () => boolean) => runPgSink(sink, { serde, mode: 'drain', ...(accept ? { accept } : {}) });

beforeAll(async () => {
  await applyTopics([topic, dlqTopic(topic)], serde);
  for (const t of [bytesPath.table, decodePath.table]) {
    await pool().query(`create table ${t} (id text primary key, label text, at timestamptz not null, value double precision, n int not null, ok boolean not null, kind text not null, version bigint not null)`);
  }
});
afterAll(async () => {
  for (const t of [bytesPath.table, decodePath.table]) await pool().query(`drop table if exists ${t}`);
  await pool().query('delete from sink_offsets where consumer_group = any($1)', [[sinkGroup(bytesPath.name), sinkGroup(decodePath.name)]]);
  const admin = kafka().admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [topic.name, dlqName(topic.name)] }).catch(() => undefined);
  await admin.disconnect();
  await closePool();
  vi.restoreAllMocks();
});

describe('a sink writing COPY lines from Avro bytes', () => {
  it('leaves the table exactly as the decode path does, new keys written from the bytes', async () => {
    const first = Array.from({ length: 200 }, (_, i) => row(i));
    await send(first.map((r) => ({ key: r.id, value: serde.encode(topic.name, r) })));
    await drain(bytesPath);
    await drain(decodePath, decodeAll);
    // Every batch of the one went by the bytes, every batch of the other by decoding.
    expect(await batches(bytesPath)).toMatchObject({ decoded: 0 });
    expect((await batches(bytesPath)).bytes).toBeGreaterThan(0);
    expect(await batches(decodePath)).toMatchObject({ bytes: 0 });

    const got = await dump(bytesPath.table);
    expect(got).toEqual(await dump(decodePath.table));
    expect(got).toHaveLength(200);
    const byId = new Map(got.map((r) => [r.id as string, r]));
    for (const r of first) {
      const g = byId.get(r.id)!;
      expect([g.label, (g.at as Date).getTime(), g.value, g.n, g.ok, g.kind]).toEqual([r.label, r.at, r.value === null ? null : r.value === 0 ? g.value : r.value, r.n, r.ok, r.kind]);
    }
  });

  it('hands a batch it cannot take to the decode path: a bad record is dead-lettered, stored keys upserted by version', async () => {
    const restated = [row(3, 2, 10), row(4, 0, 10), row(500, 1)]; // newer, older (loses), new
    const messages = [
      ...restated.map((r) => ({ key: r.id, value: serde.encode(topic.name, r) })),
      { key: 'bad', value: Buffer.from([0, 0, 0, 0, 1, 0xff]) }, // wire header, then bytes no schema reads
      { key: 'gone', value: null }, // a tombstone: skipped, as the sink always did
    ];
    await send(messages);
    const before = await batches(bytesPath);
    const lines = vi.spyOn(AvroCopyLines.prototype, 'lines');
    await drain(bytesPath);
    expect(lines.mock.results.some((r) => r.value === undefined)).toBe(true); // the bad record: no lines
    expect((await batches(bytesPath)).decoded).toBeGreaterThan(before.decoded);
    await drain(decodePath, decodeAll);

    const got = await dump(bytesPath.table);
    expect(got).toEqual(await dump(decodePath.table));
    expect(got).toHaveLength(201);
    const byId = new Map(got.map((r) => [r.id as string, r]));
    expect(byId.get('u3')).toMatchObject({ value: row(3, 2, 10).value, version: 2 });
    expect(byId.get('u4')).toMatchObject({ value: row(4).value, version: 1 });
    expect(byId.get('u500')).toMatchObject({ label: row(500).label });

    // The bad record reached the dead-letter topic (once per sink run: two runs, two letters).
    const admin = kafka().admin();
    await admin.connect();
    const [dlq] = await admin.fetchTopicOffsets(dlqName(topic.name));
    await admin.disconnect();
    expect(Number(dlq!.high)).toBe(2);
  });
});
