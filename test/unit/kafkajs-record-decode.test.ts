// patches/kafkajs+2.2.4.patch: kafkajs decoded each record's offset and timestamp through Long objects parsed from the
// batch's decimal strings; the patch adds them as Numbers while they are exact and keeps the Long path for the rest.
// A wrong offset here would commit the wrong position (records skipped or read twice), so the decoded record must
// equal BigInt arithmetic on every side of the fast path's limits.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
type Headers = Record<string, Buffer | Buffer[]>;
const Decoder = require('kafkajs/src/protocol/decoder.js') as new (b: Buffer) => { readVarIntBytes(): Buffer };
const Long = require('kafkajs/src/utils/long.js') as { fromString(s: string): unknown };
const encodeRecord = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (r: {
  offsetDelta: number;
  timestampDelta: unknown;
  key: Buffer;
  value: Buffer;
  headers?: Record<string, string | string[]>;
}) => { buffer: Buffer };
const decodeRecord = require('kafkajs/src/protocol/recordBatch/record/v0/decoder.js') as (
  d: InstanceType<typeof Decoder>,
  ctx: { firstOffset: string; firstTimestamp: string; timestampType: number; maxTimestamp?: string },
) => { offset: string; timestamp: string; key: Buffer; value: Buffer; headers: Headers };

function roundTrip(firstOffset: string, firstTimestamp: string, offsetDelta: number, timestampDelta: bigint, headers?: Record<string, string | string[]>) {
  const bytes = encodeRecord({ offsetDelta, timestampDelta: Long.fromString(String(timestampDelta)), key: Buffer.from('k'), value: Buffer.from('v'), ...(headers ? { headers } : {}) }).buffer;
  const outer = new Decoder(bytes);
  return decodeRecord(new Decoder(outer.readVarIntBytes()), { firstOffset, firstTimestamp, timestampType: 0 });
}

describe('kafkajs record decode (patched offsets and timestamps)', () => {
  it('gives the BigInt sum of base and delta for offsets and timestamps, inside and outside 2^53 and 7-byte deltas', () => {
    const bases = ['0', '41', '123456789012', String(2 ** 53 - 10), String(2 ** 53 - 5000), '9007199254740993', '9223372036854775000'];
    const stamps = ['0', '1722434700000', '-1', '9223372036854000000'];
    const deltas = [0n, 1n, -1n, 63n, -64n, 64n, 300_000n, -86_400_000n, 2n ** 40n, -(2n ** 47n), 2n ** 48n - 1n, 2n ** 48n, 2n ** 55n, -(2n ** 62n)];
    for (const base of bases) {
      for (const offsetDelta of [0, 1, 4999, 2 ** 31 - 1]) {
        for (const stamp of stamps) {
          for (const delta of deltas) {
            const offset = BigInt(base) + BigInt(offsetDelta);
            const timestamp = BigInt(stamp) + delta;
            // A sum beyond int64 is not a Kafka position (kafkajs never wrapped it either).
            if (BigInt.asIntN(64, offset) !== offset || BigInt.asIntN(64, timestamp) !== timestamp) continue;
            const r = roundTrip(base, stamp, offsetDelta, delta);
            expect(r.offset).toBe(String(offset));
            expect(r.timestamp).toBe(String(timestamp));
            expect(r.key.toString()).toBe('k');
            expect(r.value.toString()).toBe('v');
          }
        }
      }
    }
  });

  it('keeps every header, a repeated key as an array in order', () => {
    const r = roundTrip('7', '1722434700000', 3, 5n, { source: 'raw.x:0:7', repeated: ['a', 'b', 'c'], once: ['only'] });
    expect(r.offset).toBe('10');
    expect(Object.keys(r.headers)).toEqual(['source', 'repeated', 'once']);
    expect(String(r.headers.source)).toBe('raw.x:0:7');
    expect((r.headers.repeated as Buffer[]).map(String)).toEqual(['a', 'b', 'c']);
    expect(String(r.headers.once)).toBe('only');
  });
  it('reads header names as their UTF-8 text whatever names came before: many, alike, long, multi-byte or invalid', () => {
    // Records built byte by byte, so that names need not be valid UTF-8 (the patch keeps recent names by their bytes).
    const varint = (n: number) => { const out: number[] = []; let z = n >= 0 ? n * 2 : -n * 2 - 1; while (z >= 128) { out.push((z % 128) | 0x80); z = Math.floor(z / 128); } out.push(z); return Buffer.from(out); };
    const field = (b: Buffer | null) => (b === null ? varint(-1) : Buffer.concat([varint(b.length), b]));
    const record = (headers: [Buffer | null, Buffer][]) =>
      Buffer.concat([Buffer.from([0]), varint(0), varint(0), field(null), field(Buffer.from('v')), varint(headers.length), ...headers.flatMap(([k, v]) => [field(k), field(v)])]);
    const names = [
      ...Array.from({ length: 30 }, (_, i) => Buffer.from(`name-${String(i).padStart(2, '0')}`)), // 30 of one length, differing late
      Buffer.from('é€😀'),
      Buffer.from([0xff, 0x61]),
      Buffer.from([0xc3]),
      Buffer.from('x'.repeat(64)),
      Buffer.from('x'.repeat(63) + 'y'),
      Buffer.from('x'.repeat(65)),
      Buffer.alloc(0),
    ];
    for (let i = 0; i < 2000; i++) {
      const picked: [Buffer | null, Buffer][] = Array.from({ length: 1 + (i % 3) }, (_, h) => [i % 97 === 0 && h === 0 ? null : names[(i * 7 + h * 13) % names.length]!, Buffer.from(`v${i}.${h}`)]);
      const r = decodeRecord(new Decoder(record(picked)), { firstOffset: '0', firstTimestamp: '0', timestampType: 0 });
      const want: Record<string, string[]> = {};
      for (const [k, v] of picked) (want[k === null ? 'null' : k.toString('utf8')] ??= []).push(v.toString());
      expect(Object.keys(r.headers)).toEqual(Object.keys(want));
      for (const [k, vs] of Object.entries(want)) expect([r.headers[k]].flat().map(String)).toEqual(vs);
    }
  });
});
