// patches/kafkajs+2.2.4.patch: kafkajs writes every produced record's varints through an array and a Buffer.from, its
// varlongs through Long objects, and each header through an Encoder of its own. The patched writers must produce the
// bytes the protocol defines (zigzag LEB128), or the broker would refuse or misread every batch.
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';

const require = createRequire(import.meta.url);
interface Encoder {
  writeVarInt(v: number): Encoder;
  writeUVarInt(v: number): Encoder;
  writeVarLong(v: unknown): Encoder;
  buffer: Buffer;
}
const EncoderClass = require('kafkajs/src/protocol/encoder.js') as { new (): Encoder; sizeOfVarLong(v: unknown): number };
const Long = require('kafkajs/src/utils/long.js') as { fromString(s: string): unknown };
const Decoder = require('kafkajs/src/protocol/decoder.js') as new (b: Buffer) => { readVarIntBytes(): Buffer };
const encodeRecord = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (r: object) => Encoder;
const decodeRecord = require('kafkajs/src/protocol/recordBatch/record/v0/decoder.js') as (
  d: InstanceType<typeof Decoder>,
  ctx: object,
) => { offset: string; timestamp: string; key: Buffer | null; value: Buffer | null; headers: Record<string, Buffer | Buffer[]> };

/** LEB128 of an unsigned value, in BigInt so it shares no code with kafkajs. */
function leb128(v: bigint): Buffer {
  const out: number[] = [];
  while (v >= 128n) {
    out.push(Number(v % 128n) | 0x80);
    v /= 128n;
  }
  out.push(Number(v));
  return Buffer.from(out);
}

/** The protocol's varint/varlong: zigzag (sign in the lowest bit), then LEB128. */
const zigzagLeb128 = (v: bigint) => leb128(v >= 0n ? v * 2n : -v * 2n - 1n);

describe('kafkajs varint writers (patched)', () => {
  it('write zigzag LEB128 for ints and for longs given as Numbers or Longs, on both sides of every limit', () => {
    expect(new EncoderClass().writeVarInt(300).buffer).toEqual(Buffer.from([0xd8, 0x04]));
    expect(new EncoderClass().writeVarLong(-1).buffer).toEqual(Buffer.from([0x01]));
    const ints = [0, 1, -1, 63, -64, 64, -65, 127, 128, 300, -300, 8191, 8192, 2 ** 20, 2 ** 31 - 1, -(2 ** 31)];
    for (const v of ints) expect(new EncoderClass().writeVarInt(v).buffer).toEqual(zigzagLeb128(BigInt(v)));
    for (const v of [0, 127, 128, 16383, 16384, 2 ** 28, 2 ** 31 - 1]) expect(new EncoderClass().writeUVarInt(v).buffer).toEqual(leb128(BigInt(v)));
    const longs = [...ints, 2 ** 31, 2 ** 32, 1_722_434_700_000, -1_722_434_700_000, 2 ** 52 - 1, -(2 ** 52) + 1, 2 ** 52, -(2 ** 52), 2 ** 53 - 1, -(2 ** 53 - 1)];
    for (const v of longs) {
      const bytes = zigzagLeb128(BigInt(v));
      expect(new EncoderClass().writeVarLong(v).buffer).toEqual(bytes);
      expect(EncoderClass.sizeOfVarLong(v)).toBe(bytes.length);
    }
    for (const v of ['9223372036854775807', '-9223372036854775808', '4503599627370496', '-1']) {
      const bytes = zigzagLeb128(BigInt(v));
      expect(new EncoderClass().writeVarLong(Long.fromString(v)).buffer).toEqual(bytes);
      expect(EncoderClass.sizeOfVarLong(Long.fromString(v))).toBe(bytes.length);
    }
  });

  it('encodes records that decode to what was given: keys, values, nulls, repeated and multi-byte headers', () => {
    for (let i = 0; i < 300; i++) {
      const headers: Record<string, string | Buffer | (string | Buffer)[]> = {};
      for (let h = 0; h < i % 4; h++) headers[`h${h}-é`] = h === 2 ? [randomBytes(i % 50), 'x'.repeat(i % 7)] : h % 2 ? `v${i}` : randomBytes(h * 30);
      const key = i % 5 === 0 ? null : i % 2 ? randomBytes(i % 40) : `key-${i}`;
      const value = i % 11 === 0 ? null : randomBytes(i % 700);
      const timestampDelta = (i % 3 === 0 ? -1 : 1) * i * 1_000_003;
      const bytes = encodeRecord({ offsetDelta: i * 7, timestampDelta, key, value, headers }).buffer;
      const r = decodeRecord(new Decoder(new Decoder(bytes).readVarIntBytes()), { firstOffset: '100', firstTimestamp: '1722434700000', timestampType: 0 });
      expect(r.offset).toBe(String(100 + i * 7));
      expect(r.timestamp).toBe(String(1_722_434_700_000 + timestampDelta));
      expect(r.key).toEqual(key === null ? null : Buffer.from(key));
      expect(r.value).toEqual(value);
      expect(Object.keys(r.headers)).toEqual(Object.keys(headers));
      for (const [k, v] of Object.entries(headers)) {
        expect(r.headers[k]).toEqual(Array.isArray(v) ? v.map((x) => Buffer.from(x)) : Buffer.from(v));
      }
    }
  });

  it("builds a produce request whose batch carries the timestamps' first and last in kafkajs's order and every record's own", async () => {
    const encodeRequest = require('kafkajs/src/protocol/requests/produce/v3/request.js') as (a: object) => { encode(): Promise<{ buffer: Buffer }> };
    const decodeBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder.js') as (d: object) => Promise<{
      firstTimestamp: string;
      maxTimestamp: string;
      records: { timestamp: string; key: Buffer | null; value: Buffer; headers: Record<string, Buffer> }[];
    }>;
    type Reader = { readString(): string; readInt16(): number; readInt32(): number; readBytes(): Buffer };
    const Reader = Decoder as unknown as new (b: Buffer) => Reader;
    const timestamps = ['1722434700500', 1_722_434_700_000, undefined, '1722434701000', 1_722_434_700_250, null];
    const messages = timestamps.map((timestamp, i) => ({ key: `k${i}`, value: Buffer.from(`v${i}`), headers: { source: `raw:0:${i}` }, timestamp }));
    const request = await encodeRequest({ acks: -1, timeout: 30_000, compression: 0, transactionalId: 'tx', producerId: 5, producerEpoch: 1, topicData: [{ topic: 't', partitions: [{ partition: 0, firstSequence: 0, messages }] }] }).encode();
    const r = new Reader(request.buffer);
    expect([r.readString(), r.readInt16(), r.readInt32(), r.readInt32(), r.readString(), r.readInt32(), r.readInt32()]).toEqual(['tx', -1, 30_000, 1, 't', 1, 0]);
    const batch = await decodeBatch(new Decoder(r.readBytes()));
    expect([batch.firstTimestamp, batch.maxTimestamp]).toEqual(['1722434700000', '1722434701000']);
    const now = Number(batch.records[2]!.timestamp);
    expect(Math.abs(now - Date.now())).toBeLessThan(60_000); // no timestamp: the time of the send
    expect(batch.records.map((x) => x.timestamp)).toEqual(['1722434700500', '1722434700000', String(now), '1722434701000', '1722434700250', String(now)]);
    expect(batch.records.map((x) => [String(x.key), String(x.value), String(x.headers.source)])).toEqual(messages.map((m, i) => [`k${i}`, `v${i}`, `raw:0:${i}`]));
  });
  it("writes an uncompressed partition's batch byte for byte as kafkajs's own Record and RecordBatch do", async () => {
    type Enc = { buffer: Buffer; size(): number; writeInt32(v: number): Enc; writeString(v: string | null): Enc; writeInt16(v: number): Enc; writeArray(a: Enc[]): Enc; writeEncoder(e: Enc): Enc };
    const EncoderOf = EncoderClass as unknown as new () => Enc;
    const encodeRequest = require('kafkajs/src/protocol/requests/produce/v3/request.js') as (a: object) => { encode(): Promise<Enc> };
    const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js') as { RecordBatch(a: object): Promise<Enc> };
    type Msg = { key?: string | Buffer | null; value: string | Buffer | null; headers?: Record<string, string | Buffer | (string | Buffer)[]>; timestamp?: string | number | null };
    const now = 1_722_434_800_000;
    // The batch as kafkajs 2.2.4 built every partition: a Record per message, first/last timestamp by a string sort.
    const reference = async (partition: number, messages: Msg[], tx: { transactionalId: string | null; producerId: number; producerEpoch: number; firstSequence: number }) => {
      const stamps = messages.map((m) => m.timestamp).filter((t) => t != null).sort();
      const first = stamps[0] ?? now;
      const records = messages.map((m, i) => encodeRecord({ key: m.key, value: m.value, headers: m.headers, offsetDelta: i, timestampDelta: Number(m.timestamp || now) - Number(first) }));
      const batch = await RecordBatch({ compression: 0, records, firstTimestamp: first, maxTimestamp: stamps[stamps.length - 1] ?? now, producerId: tx.producerId, producerEpoch: tx.producerEpoch, firstSequence: tx.firstSequence, transactional: !!tx.transactionalId, lastOffsetDelta: records.length - 1 });
      return new EncoderOf().writeInt32(partition).writeInt32(batch.size()).writeEncoder(batch);
    };
    const text = (i: number) => [`k${i}`, `é€${i}`, 'x'.repeat(i % 300), '', '😀'.repeat(i % 4)][i % 5]!;
    const message = (i: number): Msg => ({
      key: i % 7 === 0 ? null : i % 3 === 0 ? randomBytes(i % 30) : text(i),
      value: i % 13 === 0 ? null : i % 2 ? randomBytes(i % 500) : text(i + 1),
      headers: i % 4 === 0 ? undefined : { source: `raw:0:${i}`, [text(i + 2) || 'h']: i % 3 ? randomBytes(4) : [text(i), randomBytes(2)] },
      timestamp: [undefined, String(now - i * 1000), now + i * 7, null][i % 4],
    });
    vi.spyOn(Date, 'now').mockReturnValue(now);
    try {
      for (let round = 0; round < 40; round++) {
        const messages = Array.from({ length: round * 7 }, (_, i) => message(round * 100 + i));
        const tx = { transactionalId: round % 2 ? `tx-${round}` : null, producerId: round * 1000, producerEpoch: round % 5, firstSequence: round * 11 };
        const got = await encodeRequest({ acks: -1, timeout: 30_000, compression: 0, ...tx, topicData: [{ topic: 't', partitions: [{ partition: round % 3, firstSequence: tx.firstSequence, messages }] }] }).encode();
        const partitionBytes = (await reference(round % 3, messages, tx)).buffer;
        const want = new EncoderOf().writeString(tx.transactionalId).writeInt16(-1).writeInt32(30_000).writeInt32(1).writeString('t').writeInt32(1);
        expect(got.buffer.equals(Buffer.concat([want.buffer, partitionBytes]))).toBe(true);
      }
    } finally {
      vi.restoreAllMocks();
    }
    // A message the direct path does not take goes to kafkajs's own code, which refuses a number as a value as before.
    await expect(encodeRequest({ acks: -1, timeout: 1, compression: 0, topicData: [{ topic: 't', partitions: [{ partition: 0, messages: [{ key: 'k', value: 42 }] }] }] }).encode()).rejects.toThrow();
  });
});
