// patches/kafkajs+2.2.4.patch: kafkajs's default partitioner hashes every key with murmur2, which it wrote with a Long
// object per step (~3 µs a key), and groups a send's messages per partition by copying the partition's array for
// every message. The patched versions must put every key on the partition Java's client does, and keep each
// partition's messages in send order — a different partition would split a key's history across partitions.
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const murmur2 = require('kafkajs/src/producer/partitioners/default/murmur2.js') as (key: Buffer | string) => number;
const group = require('kafkajs/src/producer/groupMessagesPerPartition.js') as (o: {
  topic: string;
  partitionMetadata: unknown[];
  messages: { key: string; value: string }[];
  partitioner: (o: { message: { key: string } }) => number;
}) => Record<number, { key: string; value: string }[]>;

/** Java's Utils.murmur2 over 32-bit ints, written with BigInt so it shares no arithmetic with the patch. */
function javaMurmur2(data: Buffer): number {
  const i32 = (x: bigint) => BigInt.asIntN(32, x);
  const u = (x: bigint) => BigInt.asUintN(32, x);
  const m = 0x5bd1e995n;
  let h = i32(0x9747b28cn ^ BigInt(data.length));
  const n4 = Math.floor(data.length / 4);
  for (let i = 0; i < n4; i++) {
    let k = i32(BigInt(data[i * 4]!) | (BigInt(data[i * 4 + 1]!) << 8n) | (BigInt(data[i * 4 + 2]!) << 16n) | (BigInt(data[i * 4 + 3]!) << 24n));
    k = i32(k * m);
    k = i32(k ^ (u(k) >> 24n));
    k = i32(k * m);
    h = i32(h * m);
    h = i32(h ^ k);
  }
  const tail = data.length & ~3;
  const rest = data.length % 4;
  if (rest >= 3) h = i32(h ^ (BigInt(data[tail + 2]!) << 16n));
  if (rest >= 2) h = i32(h ^ (BigInt(data[tail + 1]!) << 8n));
  if (rest >= 1) h = i32((h ^ BigInt(data[tail]!)) * m);
  h = i32(h ^ (u(h) >> 13n));
  h = i32(h * m);
  h = i32(h ^ (u(h) >> 15n));
  return Number(h);
}

describe('kafkajs default partitioner (patched murmur2 and grouping)', () => {
  it("hashes keys as Java's client does", () => {
    // Kafka's own UtilsTest.testMurmur2 vectors.
    const vectors: [string, number][] = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['abc', 479470107],
    ];
    for (const [key, hash] of vectors) {
      expect(murmur2(key)).toBe(hash);
      expect(murmur2(Buffer.from(key))).toBe(hash);
    }
  });

  it('agrees with a BigInt transcription of Java on random bytes and on strings of any length and script', () => {
    for (let size = 0; size < 80; size++) {
      const b = randomBytes(size);
      expect(murmur2(b)).toBe(javaMurmur2(b));
    }
    // Strings go through a kept scratch buffer below 342 units and a fresh buffer above: both sides, multi-byte text.
    for (const text of ['', 'é', 'NEM|2024-07-31T14:05:00.000Z', 'Ünïcødé ✓ 電力 🔌'.repeat(3), 'x'.repeat(341), 'x'.repeat(342), '電'.repeat(400)]) {
      expect(murmur2(text)).toBe(javaMurmur2(Buffer.from(text)));
    }
    // A long key then a short one: the scratch buffer's earlier bytes must not leak into the next hash.
    murmur2('z'.repeat(300));
    expect(murmur2('ab')).toBe(javaMurmur2(Buffer.from('ab')));
  });

  it("groups a send's messages per partition in send order", () => {
    const messages = Array.from({ length: 1000 }, (_, i) => ({ key: `k${i % 7}`, value: String(i) }));
    const grouped = group({ topic: 't', partitionMetadata: [{}, {}, {}], messages, partitioner: ({ message }) => Number(message.key.slice(1)) % 3 });
    expect(Object.keys(grouped).sort()).toEqual(['0', '1', '2']);
    for (const [p, list] of Object.entries(grouped)) {
      expect(list).toEqual(messages.filter((m) => Number(m.key.slice(1)) % 3 === Number(p)));
    }
    expect(group({ topic: 't', partitionMetadata: [], messages, partitioner: () => 0 })).toEqual({});
  });
});
