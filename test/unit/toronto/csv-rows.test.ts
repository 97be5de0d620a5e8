// The source's CSV reader (producers/toronto/csv-rows.ts) against csv-parse, the parser it replaced: for any
// well-formed CSV text (quoted fields with commas, doubled quotes and line breaks; CRLF or LF; blank lines), cut into
// pieces anywhere, it gives the same records, the same raw text and the line csv-parse's info.lines reported.
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvRows, type CsvRow } from '../../../producers/toronto/csv-rows.js';

const field = fc.oneof(
  fc.string({ unit: fc.constantFrom(...'abcXYZ 019-/.éÉ€'.split('')), maxLength: 12 }),
  fc.string({ unit: fc.constantFrom(...'ab ,"\n1'.split('')), maxLength: 10 }).map((s) => `"${s.replace(/"/g, '""')}"`),
);

function rowsOf(text: string, cuts: number[]): CsvRow[] {
  const csv = new CsvRows();
  const out: CsvRow[] = [];
  let from = 0;
  for (const at of [...cuts.map((c) => Math.floor(c * text.length)).sort((a, b) => a - b), text.length]) {
    out.push(...csv.push(text.slice(from, at)));
    from = at;
  }
  out.push(...csv.end());
  return out;
}

describe('CSV rows', () => {
  it('property: the same records, raw text and lines as csv-parse, however the text is cut', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(field, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 12 }),
        fc.constantFrom('\n', '\r\n'),
        fc.boolean(),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 6 }),
        (rows, eol, trailing, cuts) => {
          const text = rows.map((r) => r.join(',')).join(eol) + (trailing ? eol : '');
          const want = (parse(text, { raw: true, info: true, relax_column_count: true, relax_quotes: true }) as unknown as { record: string[]; raw: string; info: { lines: number } }[])
            .filter((p) => !(p.record.length === 1 && p.record[0] === ''));
          const got = rowsOf(text, cuts).filter((p) => !(p.record.length === 1 && p.record[0] === ''));
          expect(got.map((p) => p.record)).toEqual(want.map((p) => p.record));
          expect(got.map((p) => p.line)).toEqual(want.map((p) => p.info.lines));
          expect(got.map((p) => p.raw)).toEqual(want.map((p) => p.raw.replace(/[\r\n]+$/, '')));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps a quote inside an unquoted field, and reads a file without a final line break', () => {
    const got = rowsOf('tag,loc\r\n***1,12 "A" ST\r\n***2,"X, Y"', [0.3, 0.6]);
    expect(got.map((r) => [r.record, r.line, r.raw])).toEqual([
      [['tag', 'loc'], 1, 'tag,loc'],
      [['***1', '12 "A" ST'], 2, '***1,12 "A" ST'],
      [['***2', 'X, Y'], 3, '***2,"X, Y"'],
    ]);
  });
});
