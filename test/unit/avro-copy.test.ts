// Avro binary -> COPY text (runtime/avro-copy.ts) must write exactly the line the object path writes: the record
// decoded by avsc, each column through copyText (instants through isoText), joined by tabs.
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { copyRecordPlan, readLong } from '../../runtime/avro-copy.js';
import { copyText, CopyOut } from '../../runtime/copy-text.js';
import { isoText } from '../../runtime/iso-text.js';

const type = avro.Type.forSchema({
  type: 'record',
  name: 'Row',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'n', type: 'int' },
    { name: 'big', type: 'long' },
    { name: 'at', type: 'long' },
    { name: 'maybe', type: ['null', 'string'] },
    { name: 'code', type: ['null', 'int'] },
    { name: 'ok', type: 'boolean' },
    { name: 'x', type: 'double' },
    { name: 'f', type: 'float' },
    { name: 'kind', type: { type: 'enum', name: 'Kind', symbols: ['A', 'BB'] } },
    { name: 'skipped', type: 'string' },
    { name: 'tags', type: { type: 'array', items: 'string' } },
    { name: 'inner', type: ['null', { type: 'record', name: 'Inner', fields: [{ name: 'a', type: 'int' }] }] },
  ],
});
const COLUMNS = ['id', 'n', 'big', 'at', 'maybe', 'code', 'ok', 'x', 'f', 'kind', 'tags', 'inner'];

// Deterministic pseudo-random values, every kind of awkward text included.
let seed = 7;
const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const TEXTS = ['', 'plain', 'tab\there', 'line\nbreak', 'cr\rhere', 'back\\slash', '\\N', 'é ü 😀 €', 'x'.repeat(70), 'ÉÉ'.repeat(40)];
const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)]!;
const record = () => ({
  id: pick(TEXTS) + Math.floor(rnd() * 1000),
  n: Math.floor((rnd() - 0.5) * 2 ** 32) | 0,
  big: Math.floor((rnd() - 0.5) * 2 ** 52),
  at: Math.floor(rnd() * 4e12),
  maybe: rnd() < 0.3 ? null : pick(TEXTS),
  code: rnd() < 0.3 ? null : Math.floor(rnd() * 100),
  ok: rnd() < 0.5,
  x: (rnd() - 0.5) * 1e6,
  f: Math.fround(rnd() * 100),
  kind: pick(['A', 'BB']),
  skipped: pick(TEXTS),
  tags: [pick(TEXTS), pick(TEXTS)],
  inner: rnd() < 0.5 ? null : { a: Math.floor(rnd() * 10) },
});

describe('Avro to COPY text', () => {
  const plan = copyRecordPlan(type, { columns: COLUMNS, instants: ['at'], capture: ['id', 'maybe', 'n'] });

  it("writes the object path's line for every record, and reads past the fields it does not write", () => {
    expect(plan.columns).toEqual(COLUMNS);
    const values = Array.from({ length: 500 }, record);
    const buf = Buffer.concat(values.map((v) => type.toBuffer(v)));
    const out = new CopyOut(64); // small: the writer must grow
    let pos = 0;
    const lines: string[] = [];
    for (const v of values) {
      const start = out.off;
      pos = plan.write(buf, pos, out);
      lines.push(out.buf.toString('utf8', start, out.off));
      expect(plan.captured).toEqual([v.id, v.maybe, v.n]);
      const decoded = type.fromBuffer(type.toBuffer(v)) as Record<string, unknown>;
      const want = COLUMNS.map((c) => (c === 'at' ? isoText(decoded.at as number) : copyText(decoded[c]))).join('\t');
      expect(lines.at(-1)).toBe(want);
    }
    expect(pos).toBe(buf.length);
  });

  it('takes the columns in the writer order and leaves out what the table lacks', () => {
    const p = copyRecordPlan(type, { columns: ['kind', 'id', 'nope'] });
    expect(p.columns).toEqual(['id', 'kind']);
    const out = new CopyOut();
    p.write(type.toBuffer({ ...record(), id: 'a\tb', kind: 'BB' }), 0, out);
    expect(out.take()!.toString()).toBe('a\\tb\tBB');
  });

  it('refuses bytes that end inside a record', () => {
    const whole = type.toBuffer(record());
    expect(() => plan.write(whole.subarray(0, whole.length - 3), 0, new CopyOut())).toThrow(RangeError);
  });

  it('reads longs as avsc writes them, past 2^31 and negative', () => {
    const long = avro.Type.forSchema('long');
    for (const n of [0, 1, -1, 63, 64, -65, 2 ** 31, -(2 ** 31) - 1, 2 ** 40 + 3, -(2 ** 52), 2 ** 52 + 1]) {
      const b = long.toBuffer(n);
      expect(readLong(b, 0)).toEqual({ value: n, pos: b.length });
    }
  });
});
