// Fuzzing the MMS CSV reader (issue 11 #5): generated files with good rows beside rows corrupted one way each, then
// the whole file broken (open quotes, stray quotes, giant fields, cuts at any byte). Every good row must come out with
// its exact values and line, every bad row must be rejected with its reason, line and exact bytes and become a dead
// letter with its position, and a file whose framing is broken must be refused whole with a reason, never half-read.
import { readFileSync } from 'node:fs';
import avro from 'avsc';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_RECORD_BYTES, parseMms, readMms, truncation } from '../../../producers/aemo/mms-csv.js';
import type { MmsRow, RejectedRow } from '../../../producers/aemo/mms-csv.js';
import { readLiveZip, recordsOf, rowDeadLetters } from '../../../producers/aemo/run.js';
import { toRawRecord } from '../../../producers/aemo/records.js';
import { writeZip } from '../../../devkit/aemo/zip-writer.js';
import { decimal, integer, FieldError } from '../../../processors/aemo/fields.js';
import { normaliseInterconnectorFlow } from '../../../processors/aemo/interconnector-flow.js';
import { normaliseRegionPrice } from '../../../processors/aemo/region-price.js';
import { normaliseRooftopPv } from '../../../processors/aemo/rooftop-pv.js';
import { normaliseUnitScada } from '../../../processors/aemo/unit-scada.js';
import { log } from '../../../runtime/log.js';
import { checkedOutputs } from '../../../runtime/transform-step.js';
import { isRejection, type InputMessage, type Transform } from '../../../runtime/types.js';
import type { AemoWant } from '../../../schemas/aemo/topics.js';
import { buildFile, genFile, GEN_TABLES } from './mms-gen.js';
import { fuzz } from './params.js';

const FILE = 'PUBLIC_DISPATCHSCADA_202512270005_0000000495867506.CSV';
const ZIP = 'PUBLIC_DISPATCHSCADA_202512270005_0000000495867506.zip';
const WANTS: AemoWant[] = ['scada', 'price', 'interconnector', 'rooftop'];

// Thousands of dead-letter warnings would bury the test output; the dead letters themselves are what is checked.
beforeAll(() => {
  log.level = 'error';
});

const rowsOf = (rows: MmsRow[]) => rows.map((r) => ({ table: `${r.table.report},${r.table.subtype},${r.table.version}`, row: r.row, line: r.line }));
const rejectsOf = (rs: RejectedRow[]) => rs.map((r) => ({ line: r.line, reason: r.reason, raw: r.raw.toString('hex') }));

/** Splits bytes at the given cut points (any byte, even inside a UTF-8 sequence or a CRLF). */
function chunked(bytes: Buffer, cuts: number[]): Buffer[] {
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const c of at) {
    out.push(bytes.subarray(from, c));
    from = c;
  }
  out.push(bytes.subarray(from));
  return out;
}

async function readStreamed(chunks: Buffer[]): Promise<{ rows: MmsRow[]; rejected: RejectedRow[] }> {
  const stream = readMms(chunks, { keepRejected: true });
  const rows: MmsRow[] = [];
  const rejected: RejectedRow[] = [];
  for await (const row of stream) {
    rows.push(row);
    rejected.push(...stream.takeRejected());
  }
  rejected.push(...stream.takeRejected());
  return { rows, rejected };
}

describe('MMS CSV fuzz: good rows land, bad rows are dead-lettered with their position', () => {
  it('parses every generated file into exactly its good rows and its rejected rows (line, reason, bytes)', () => {
    fc.assert(
      fc.property(genFile, (f) => {
        const built = buildFile(f);
        const { rows, summary, rejected } = parseMms(built.bytes);
        expect(rowsOf(rows)).toEqual(built.good.map((g) => ({ table: `${g.table.report},${g.table.subtype},${g.table.version}`, row: g.row, line: g.line })));
        expect(rejected.map((r) => r.line)).toEqual(built.rejected.map((r) => r.line));
        rejected.forEach((r, i) => {
          const want = built.rejected[i]!;
          expect(r.reason).toMatch(want.reason);
          expect(r.raw.equals(want.raw), `line ${r.line} bytes`).toBe(true);
        });
        expect(summary.malformedCount).toBe(built.rejected.length);
        expect(summary.lineCount).toBe(built.lineCount);
        expect(truncation(summary)).toBeNull();

        // The producer's side: a dead letter per bad row of a table it reads (or of no known table), carrying the
        // file and line as headers and the row's exact bytes; a raw record per good row, with the same position.
        const dead = rowDeadLetters(rejected, FILE, ZIP, WANTS);
        const shouldDie = built.rejected.filter((r) => r.wantedTable !== false);
        expect(dead.map((d) => d.headers)).toEqual(shouldDie.map((r) => ({ file: FILE, row: String(r.line) })));
        dead.forEach((d, i) => {
          expect(d.sourceRef).toBe(ZIP);
          expect(d.reason.startsWith(`${FILE} line ${shouldDie[i]!.line}: `)).toBe(true);
          expect(d.bytes.equals(shouldDie[i]!.raw)).toBe(true);
        });
        const records = recordsOf(rows, FILE, ZIP, 0, WANTS);
        expect(records.map((r) => r.headers?.row)).toEqual(built.good.filter((g) => g.table.wanted).map((g) => String(g.line)));
        expect(records.every((r) => r.headers?.file === FILE && r.sourceRef === ZIP)).toBe(true);
      }),
      fuzz('mmsRows'),
    );
  });

  it('streams the same rows and rejects as the whole-file parser, however the bytes are chunked', async () => {
    await fc.assert(
      fc.asyncProperty(genFile, fc.array(fc.nat(), { maxLength: 8 }), async (f, cuts) => {
        const { bytes } = buildFile(f);
        const whole = parseMms(bytes);
        const streamed = await readStreamed(chunked(bytes, cuts));
        expect(rowsOf(streamed.rows)).toEqual(rowsOf(whole.rows));
        expect(rejectsOf(streamed.rejected)).toEqual(rejectsOf(whole.rejected));
      }),
      fuzz('mmsStreamed', { caseTimeoutMs: 5_000 }),
    );
  });

  it('a live zip publishes its good rows and dead-letters its bad ones, or is refused whole with a reason', async () => {
    await fc.assert(
      fc.asyncProperty(genFile, async (f) => {
        const built = buildFile(f);
        const read = await readLiveZip(writeZip([{ name: FILE, data: built.bytes }]), ZIP, 0, WANTS);
        expect(read.kind).toBe('ok');
        if (read.kind !== 'ok') return;
        expect(read.records.length).toBe(built.good.filter((g) => g.table.wanted).length);
        expect(read.deadLetters.map((d) => d.headers?.row)).toEqual(built.rejected.filter((r) => r.wantedTable !== false).map((r) => String(r.line)));
      }),
      fuzz('mmsLiveZip', { caseTimeoutMs: 5_000 }),
    );
  });

  // What breaks the CSV framing cannot be blamed on one row: the whole file is refused (and dead-lettered) instead.
  type Break = { kind: 'openQuote' | 'strayQuote' | 'afterQuote' | 'giantField' | 'commas'; at: number } | { kind: 'cut'; at: number };
  const genBreak: fc.Arbitrary<Break> = fc.record({ kind: fc.constantFrom('openQuote', 'strayQuote', 'afterQuote', 'giantField', 'commas', 'cut'), at: fc.nat() }) as fc.Arbitrary<Break>;

  it('refuses a file whose framing is broken, with a reason naming the line, or reports it truncated', () => {
    fc.assert(
      fc.property(genFile, genBreak, (f, b) => {
        const built = buildFile(f);
        const text = built.bytes;
        const lines = text.toString('latin1').split('\n');
        const li = 1 + (b.at % Math.max(1, lines.length - 2)); // never the C header line
        let broken: Buffer;
        if (b.kind === 'cut') {
          // Any cut short of the last line ending loses data.
          broken = text.subarray(0, b.at % (text.length - 1));
        } else {
          const l = lines[li]!;
          const fix =
            b.kind === 'openQuote' ? `${l.replace(/\r$/, '')},"never closed` :
            b.kind === 'strayQuote' ? `${l.replace(/\r$/, '')},ab"cd` :
            b.kind === 'afterQuote' ? `${l.replace(/\r$/, '')},"ab"cd` :
            // No field over the limit, but a record that is: csv-parse alone would build 64K empty fields.
            b.kind === 'commas' ? `${l.replace(/\r$/, '')}${','.repeat(MAX_RECORD_BYTES + 3)}` :
            `${l.replace(/\r$/, '')},${'x'.repeat(MAX_RECORD_BYTES + 3)}`;
          broken = Buffer.from([...lines.slice(0, li), fix + (l.endsWith('\r') ? '\r' : ''), ...lines.slice(li + 1)].join('\n'), 'latin1');
        }
        let outcome: string;
        try {
          const { summary } = parseMms(broken);
          const cut = truncation(summary);
          if (cut === null) {
            // Only a cut that removed nothing but the final line ending leaves a whole file.
            expect(b.kind).toBe('cut');
            expect(text.subarray(broken.length).toString('latin1')).toMatch(/^\r?\n?$/);
          }
          outcome = cut ?? 'whole';
        } catch (err) {
          expect(err).toBeInstanceOf(Error);
          expect((err as Error).message).toMatch(/^MMS CSV unreadable at line \d+: /);
          outcome = 'unreadable';
        }
        if (b.kind !== 'cut') expect(outcome).toBe('unreadable');
      }),
      fuzz('mmsFileLevel'),
    );
  });
});

// The normalisers, fed rows that are well formed except for one numeric field: a value that is not a finite decimal
// (1e400, NaN, hex, a space) is rejected with the column named; one that is lands as exactly Number(text).
describe('AEMO number fields fuzz', () => {
  const NEM = '2025/12/27 00:05:00';
  const numberText = fc.oneof(
    fc.double().map(String),
    fc.integer().map(String),
    fc.constantFrom('1e400', '-1e400', '1E+309', '1e-400', 'Infinity', '-Infinity', 'NaN', '0x10', ' 1', '1 ', '1_000', '+.5', '.', '-', 'e5', '1e', '١٢', '1.2.3', ''),
    fc.string({ maxLength: 8 }),
  );
  const schema = (name: string): avro.Type => avro.Type.forSchema(JSON.parse(readFileSync(new URL(`../../../schemas/aemo/${name}.avsc`, import.meta.url), 'utf8')) as avro.Schema);
  const cases: { table: (typeof GEN_TABLES)[number]; transform: Transform<never, unknown>; schema: avro.Type; row: Record<string, string> }[] = [
    { table: GEN_TABLES[0]!, transform: normaliseUnitScada as Transform<never, unknown>, schema: schema('clean.aemo.unit_scada'), row: { SETTLEMENTDATE: NEM, DUID: 'BW01', SCADAVALUE: '1', LASTCHANGED: NEM } },
    { table: GEN_TABLES[1]!, transform: normaliseRegionPrice as Transform<never, unknown>, schema: schema('clean.aemo.region_price'), row: { SETTLEMENTDATE: NEM, RUNNO: '1', REGIONID: 'NSW1', DISPATCHINTERVAL: '1', INTERVENTION: '0', RRP: '1', EEP: '0' } },
    { table: GEN_TABLES[2]!, transform: normaliseRooftopPv as Transform<never, unknown>, schema: schema('clean.aemo.rooftop_pv'), row: { INTERVAL_DATETIME: NEM, REGIONID: 'NSW1', POWER: '1', QI: '1', TYPE: 'MEASUREMENT', LASTCHANGED: NEM } },
    {
      table: { report: 'DISPATCH', subtype: 'INTERCONNECTORRES', version: '3', columns: [], numeric: ['METEREDMWFLOW', 'MWFLOW', 'MWLOSSES', 'EXPORTLIMIT', 'IMPORTLIMIT', 'INTERVENTION'], wanted: true },
      transform: normaliseInterconnectorFlow as Transform<never, unknown>,
      schema: schema('clean.aemo.interconnector_flow'),
      row: { SETTLEMENTDATE: NEM, INTERCONNECTORID: 'VIC1-NSW1', INTERVENTION: '0', METEREDMWFLOW: '1', MWFLOW: '1', MWLOSSES: '1', EXPORTLIMIT: '1', IMPORTLIMIT: '1', LASTCHANGED: NEM },
    },
  ];
  const numericColumns = (c: (typeof cases)[number]): string[] => [...c.table.numeric, ...(c.table.subtype === 'PRICE' ? ['INTERVENTION'] : [])];

  it('decimal() and integer() return a finite number, null, or throw FieldError naming the column', () => {
    fc.assert(
      fc.property(numberText, (v) => {
        for (const parse of [decimal, integer]) {
          let n: number | null;
          try {
            n = parse(v, 'COL');
          } catch (err) {
            expect(err).toBeInstanceOf(FieldError);
            expect((err as Error).message).toMatch(/^COL: /);
            continue;
          }
          if (v === '') expect(n).toBeNull();
          else {
            expect(Number.isFinite(n)).toBe(true);
            expect(n).toBe(Number(v));
          }
        }
      }),
      fuzz('numbers'),
    );
  });

  it('each normaliser rejects a non-finite or malformed number and emits only Avro-valid records', () => {
    fc.assert(
      fc.property(fc.constantFrom(...cases), fc.nat(), numberText, (c, pick, v) => {
        const cols = numericColumns(c);
        const col = cols[pick % cols.length]!;
        const row = { ...c.row, [col]: v };
        const raw = toRawRecord({ table: { report: c.table.report, subtype: c.table.subtype, version: c.table.version }, row, line: 7 }, { file: FILE, fallbackTime: 0 });
        expect(raw).not.toBeNull();
        const input = { topic: raw!.topic, partition: 0, offset: '0', key: raw!.record.key, value: raw!.record.value, timestamp: 0, headers: {} } as unknown as InputMessage<never>;
        const out = checkedOutputs(c.transform(input));
        const parsesAsFinite = v === '' ? col !== 'RRP' && col !== 'INTERVENTION' : /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/.test(v) && Number.isFinite(Number(v));
        if (isRejection(out)) {
          expect(out.reject).toMatch(new RegExp(`^${col}: `));
          if (col !== 'INTERVENTION') expect(parsesAsFinite).toBe(false);
          return;
        }
        expect(parsesAsFinite).toBe(true);
        expect(out).toHaveLength(1);
        expect(c.schema.isValid(out[0]!.value, { errorHook: (path) => expect.fail(`invalid at ${path.join('.')}`) })).toBe(true);
      }),
      fuzz('numbers'),
    );
  });
});
