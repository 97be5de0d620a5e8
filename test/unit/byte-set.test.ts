// runtime/byte-set.ts against a Set of the same byte strings: same answers for adds and lookups across growth, for
// byte strings at any offset of any buffer, of equal and different lengths, with hash collisions forced by many
// entries in a small table.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ByteSet } from '../../runtime/byte-set.js';

describe('ByteSet', () => {
  it('answers as a Set of the same byte strings would', () => {
    const set = new ByteSet(4);
    const model = new Set<string>();
    const pool = randomBytes(4096);
    const other = Buffer.from(pool); // the same bytes in another buffer: equal entries
    for (let i = 0; i < 20_000; i++) {
      const len = i % 7 === 0 ? 3 : 32;
      const start = (i * 7919) % (pool.length - len);
      const buf = i % 2 ? pool : other;
      const key = buf.toString('hex', start, start + len);
      expect(set.has(buf, start, len)).toBe(model.has(key));
      expect(set.add(buf, start, len)).toBe(!model.has(key));
      model.add(key);
      expect(set.size).toBe(model.size);
    }
    expect(model.size).toBeGreaterThan(1000);
    // A prefix of an entry is another entry.
    const fresh = new ByteSet();
    expect(fresh.add(pool, 0, 32)).toBe(true);
    expect(fresh.add(pool, 0, 31)).toBe(true);
    expect(fresh.add(pool, 0, 0)).toBe(true);
    expect(fresh.add(pool, 10, 0)).toBe(false);
    expect(fresh.has(other, 0, 32)).toBe(true);
  });
});
