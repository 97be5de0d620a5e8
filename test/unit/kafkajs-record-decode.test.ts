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
});
