// The avsc patch (patches/avsc+5.7.9.patch) writes short strings without Buffer.byteLength: every string must still
// be encoded as the Avro spec says (zigzag varint of its UTF-8 byte length, then the bytes), on both sides of the
// patch's limits (64 UTF-16 units, 64 bytes), and a value that does not fit its buffer must still be written whole.
import avro from 'avsc';
import { describe, expect, it } from 'vitest';

/** The spec's encoding of one string, built without avsc. */
function specString(s: string): Buffer {
  const bytes = Buffer.from(s, 'utf8');
  const len: number[] = [];
  let z = bytes.length * 2; // zigzag of a non-negative length
  while (z >= 0x80) {
    len.push((z & 0x7f) | 0x80);
    z = Math.floor(z / 0x80);
  }
  len.push(z);
  return Buffer.concat([Buffer.from(len), bytes]);
}

const samples = [
  '',
  'A',
  'YONGE ST',
  'x'.repeat(63),
  'x'.repeat(64),
  'x'.repeat(65),
  'é'.repeat(31), // 62 bytes
  'é'.repeat(32), // 64 bytes: the length needs two varint bytes
  '€'.repeat(21), // 63 bytes
  '€'.repeat(22), // 66 bytes from 22 units
  'QUEEN ST W 😀',
  'tab\there, nul\u0000, newline\n',
  'Z'.repeat(300),
];

describe('Avro strings (patched avsc)', () => {
  const type = avro.Type.forSchema({ type: 'record', name: 'R', fields: [{ name: 's', type: 'string' }, { name: 'n', type: ['null', 'string'] }, { name: 'a', type: { type: 'array', items: 'string' } }] });

  it('encodes every string as the spec says and reads it back', () => {
    for (const s of samples) {
      const buf = type.toBuffer({ s, n: s, a: [s, s] });
      const expected = Buffer.concat([specString(s), Buffer.from([2]), specString(s), Buffer.from([4]), specString(s), specString(s), Buffer.from([0])]);
      expect(buf.equals(expected), JSON.stringify(s)).toBe(true);
      expect(type.fromBuffer(buf)).toEqual({ s, n: s, a: [s, s] });
    }
  });

  it('writes a value that does not fit the buffer it was given once there is room (the encode-grow-retry path)', () => {
    for (const s of samples) {
      const value = { s, n: null, a: Array.from({ length: 50 }, (_, i) => s + i) };
      const whole = type.toBuffer(value);
      for (const size of [1, 7, 64, whole.length - 1]) {
        const small = Buffer.alloc(size);
        const end = type.encode(value, small, 0);
        expect(end, `${JSON.stringify(s)} into ${size} bytes`).toBeLessThan(0);
        const room = Buffer.alloc(size - end);
        expect(type.encode(value, room, 0)).toBe(whole.length);
        expect(room.subarray(0, whole.length).equals(whole)).toBe(true);
      }
    }
  });
});
