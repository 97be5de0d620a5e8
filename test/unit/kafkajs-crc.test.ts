// patches/kafkajs+2.2.4.patch: kafkajs's record-batch CRC-32C goes through @node-rs/crc32 (native) instead of its
// table-driven JavaScript. Both must give the same checksum, or every batch produced would be refused by the broker.
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const batchCrc = require('kafkajs/src/protocol/recordBatch/crc32C/index.js') as (b: Buffer) => number;
const jsCrc = require('kafkajs/src/protocol/recordBatch/crc32C/crc32C.js') as (b: Buffer) => number;

describe('kafkajs record-batch CRC-32C (patched to native)', () => {
  it('gives the standard check value and the JavaScript table version\'s checksum on any bytes', () => {
    // The CRC-32C (Castagnoli) check value of "123456789" (RFC 3720 B.4 and every CRC catalogue).
    expect(batchCrc(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(batchCrc(Buffer.alloc(0))).toBe(0);
    for (const size of [1, 7, 8, 63, 64, 65, 4096, 1_000_003]) {
      const b = randomBytes(size);
      expect(batchCrc(b)).toBe(jsCrc(b) >>> 0);
    }
    // A view into a larger buffer (kafkajs passes slices of its encoder's buffer).
    const big = randomBytes(10_000);
    const view = big.subarray(17, 9_000);
    expect(batchCrc(view)).toBe(jsCrc(Buffer.from(view)) >>> 0);
  });

  it('is the native module, not the fallback', () => {
    const src = readFileSync(require.resolve('kafkajs/src/protocol/recordBatch/crc32C/index.js'), 'utf8');
    expect(src).toContain("require('@node-rs/crc32')");
    expect(() => require('@node-rs/crc32')).not.toThrow();
  });
});
