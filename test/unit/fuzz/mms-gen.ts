// Generated MMS CSV files for the fuzz tests: a C header, I rows and D rows of tables we ingest and one we do not, the
// END OF REPORT footer, and some D rows corrupted one way each. Each file comes with what the parser must make of it
// (the rows that land with their exact values and lines, the rows rejected with their reason, line and exact bytes),
// so a property only compares.
import fc from 'fast-check';

export interface GenTable {
  report: string;
  subtype: string;
  version: string;
  columns: readonly string[];
  /** Columns the normaliser parses as numbers (for the `1e400` corruption). */
  numeric: readonly string[];
  wanted: boolean;
}

export const GEN_TABLES: readonly GenTable[] = [
  { report: 'DISPATCH', subtype: 'UNIT_SCADA', version: '1', columns: ['SETTLEMENTDATE', 'DUID', 'SCADAVALUE', 'LASTCHANGED'], numeric: ['SCADAVALUE'], wanted: true },
  { report: 'DISPATCH', subtype: 'PRICE', version: '5', columns: ['SETTLEMENTDATE', 'RUNNO', 'REGIONID', 'DISPATCHINTERVAL', 'INTERVENTION', 'RRP', 'EEP'], numeric: ['RRP', 'EEP'], wanted: true },
  { report: 'ROOFTOP', subtype: 'ACTUAL', version: '2', columns: ['INTERVAL_DATETIME', 'REGIONID', 'POWER', 'QI', 'TYPE', 'LASTCHANGED'], numeric: ['POWER', 'QI'], wanted: true },
  // A table the pipeline does not read: its good rows are skipped and so are its bad ones (rowDeadLetters).
  { report: 'DISPATCH', subtype: 'REGIONSUM', version: '9', columns: ['SETTLEMENTDATE', 'REGIONID', 'TOTALDEMAND'], numeric: [], wanted: false },
];

export type Corruption =
  | { kind: 'extraField' }
  | { kind: 'missingField' }
  /** Bytes that are not UTF-8 written into field `field` (1-based over the whole record, so 2-4 hit the table name). */
  | { kind: 'badUtf8'; field: number; bytes: readonly number[] }
  | { kind: 'nul'; column: number }
  | { kind: 'overflow'; column: number }
  | { kind: 'rowType'; type: string }
  | { kind: 'orphan' };

export interface GenRow {
  table: number;
  values: readonly string[];
  /** Quote this field even when it does not need it (AEMO quotes its timestamps). */
  quoted: readonly boolean[];
  corruption: Corruption | null;
  /** Blank lines before the row: csv-parse skips them, but they still count for the lines after them. */
  blankBefore: number;
}

export interface GenFile {
  eol: '\r\n' | '\n';
  /** Which tables get an I row, and in what order; rows of a table without one are written after it anyway. */
  tables: readonly number[];
  rows: readonly GenRow[];
  bom: boolean;
}

export interface ExpectedRow {
  table: GenTable;
  row: Record<string, string>;
  line: number;
  corruption: Corruption | null;
}

export interface ExpectedReject {
  line: number;
  raw: Buffer;
  reason: RegExp;
  /** The table named by fields 1-3 as bytes decoded the way the parser sees them, or null for a row of unknown type. */
  wantedTable: boolean | null;
}

export interface Built {
  bytes: Buffer;
  good: ExpectedRow[];
  rejected: ExpectedReject[];
  lineCount: number;
}

// Field text: mostly what AEMO writes, plus everything CSV must quote and real (valid) UTF-8 beyond ASCII.
const CHARS = [...'ABCXYZabcz0189 ./:-_+', ',', '"', '\n', '\r\n', 'é', '€', '😀', "'", '\t'];
export const fieldText = fc.array(fc.constantFrom(...CHARS), { maxLength: 12 }).map((a) => a.join(''));

const NOT_UTF8: readonly (readonly number[])[] = [[0xff], [0xe9], [0xc3, 0x28], [0xe2, 0x82], [0x80], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80]];

function corruption(t: GenTable): fc.Arbitrary<Corruption | null> {
  const n = t.columns.length;
  const options: fc.Arbitrary<Corruption | null>[] = [
    fc.constant(null),
    fc.constant({ kind: 'extraField' } as const),
    fc.constant({ kind: 'missingField' } as const),
    fc.record({ kind: fc.constant('badUtf8' as const), field: fc.integer({ min: 2, max: n + 4 }), bytes: fc.constantFrom(...NOT_UTF8) }),
    fc.record({ kind: fc.constant('nul' as const), column: fc.integer({ min: 0, max: n - 1 }) }),
    fc.record({ kind: fc.constant('rowType' as const), type: fc.constantFrom('X', 'd', 'DD', '', ' D', 'C2') }),
    fc.constant({ kind: 'orphan' } as const),
  ];
  if (t.numeric.length) options.push(fc.record({ kind: fc.constant('overflow' as const), column: fc.constantFrom(...t.numeric.map((c) => t.columns.indexOf(c))) }));
  // Half the rows stay good, so every file mixes good rows and bad ones.
  return fc.oneof({ arbitrary: fc.constant(null), weight: options.length }, ...options.map((arbitrary) => ({ arbitrary, weight: 1 })));
}

const genRow = (tables: readonly number[]): fc.Arbitrary<GenRow> =>
  fc.constantFrom(...tables).chain((table) => {
    const t = GEN_TABLES[table]!;
    const n = t.columns.length;
    return fc.record({
      table: fc.constant(table),
      values: fc.array(fieldText, { minLength: n, maxLength: n }),
      quoted: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
      corruption: corruption(t),
      blankBefore: fc.oneof({ arbitrary: fc.constant(0), weight: 6 }, { arbitrary: fc.integer({ min: 1, max: 2 }), weight: 1 }),
    });
  });

export const genFile: fc.Arbitrary<GenFile> = fc
  .record({
    eol: fc.constantFrom('\r\n' as const, '\n' as const),
    tables: fc.uniqueArray(fc.integer({ min: 0, max: GEN_TABLES.length - 1 }), { minLength: 1, maxLength: GEN_TABLES.length }),
    bom: fc.boolean(),
  })
  .chain((f) => fc.record({ eol: fc.constant(f.eol), tables: fc.constant(f.tables), bom: fc.constant(f.bom), rows: fc.array(genRow(f.tables), { maxLength: 14 }) }));

const csvField = (v: string, quote: boolean): string => (quote || /[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);

/** A line's fields as bytes: text fields as UTF-8, byte fields as they are. */
const join = (fields: readonly (string | Buffer)[]): Buffer => {
  const parts: Buffer[] = [];
  fields.forEach((f, i) => {
    if (i > 0) parts.push(Buffer.from(','));
    parts.push(Buffer.isBuffer(f) ? f : Buffer.from(f, 'utf8'));
  });
  return Buffer.concat(parts);
};

const newlines = (b: Buffer): number => {
  let n = 0;
  for (const x of b) if (x === 0x0a) n += 1;
  return n;
};

/** The file's bytes and what the parser must make of them. */
export function buildFile(f: GenFile): Built {
  const lines: Buffer[] = [];
  const good: ExpectedRow[] = [];
  const rejected: ExpectedReject[] = [];
  let physical = 1;
  let records = 0;
  const push = (b: Buffer): number => {
    const at = physical;
    lines.push(b);
    physical += newlines(b) + 1;
    if (b.length) records += 1;
    return at;
  };
  push(Buffer.from(`${f.bom ? '\uFEFF' : ''}C,NEMP.WORLD,FUZZ,AEMO,PUBLIC,2025/12/27,00:00:23,0000000495867506,FUZZ,0000000495867500`));
  for (const ti of f.tables) {
    const t = GEN_TABLES[ti]!;
    push(Buffer.from(['I', t.report, t.subtype, t.version, ...t.columns].join(',')));
  }
  for (const r of f.rows) {
    const t = GEN_TABLES[r.table]!;
    const c = r.corruption;
    const values = [...r.values];
    if (c?.kind === 'nul') values[c.column] = `${values[c.column]}\u0000x`;
    if (c?.kind === 'overflow') values[c.column] = '1e400';
    const head: string[] = [c?.kind === 'rowType' ? c.type : 'D', t.report, t.subtype, c?.kind === 'orphan' ? `${t.version}7` : t.version];
    const fields: (string | Buffer)[] = [...head.map((h) => csvField(h, false)), ...values.map((v, i) => csvField(v, r.quoted[i]!))];
    if (c?.kind === 'extraField') fields.push('extra');
    if (c?.kind === 'missingField') fields.pop();
    if (c?.kind === 'badUtf8') {
      // Inside the field, past any opening quote, so the CSV framing is untouched.
      const at = c.field - 1;
      const text = fields[at] as string;
      const cut = text.startsWith('"') ? 1 : 0;
      fields[at] = Buffer.concat([Buffer.from(text.slice(0, cut)), Buffer.from(c.bytes), Buffer.from(text.slice(cut))]);
    }
    const bytes = join(fields);
    for (let i = 0; i < r.blankBefore; i++) push(Buffer.alloc(0));
    const line = push(bytes);
    const wantedTable = t.wanted;
    const n = t.columns.length;
    const orphan = (version: string): ExpectedReject => ({ line, raw: bytes, reason: new RegExp(`^D row for ${t.report},${t.subtype},${version} before its I row$`), wantedTable });
    if (c?.kind === 'rowType') {
      rejected.push({ line, raw: bytes, reason: /^unknown row type /, wantedTable: null });
    } else if (c?.kind === 'badUtf8') {
      // Checked before anything else; a table name that is not text cannot say which table the row belongs to.
      rejected.push({ line, raw: bytes, reason: new RegExp(`^invalid UTF-8 in field ${c.field}$`), wantedTable: c.field <= 4 ? null : wantedTable });
    } else if (c?.kind === 'orphan') {
      rejected.push(orphan(`${t.version}7`));
    } else if (!f.tables.includes(r.table)) {
      rejected.push(orphan(t.version));
    } else if (c?.kind === 'extraField' || c?.kind === 'missingField') {
      rejected.push({ line, raw: bytes, reason: new RegExp(`^${c.kind === 'extraField' ? n + 1 : n - 1} fields where the I row of ${t.report},${t.subtype},${t.version} has ${n}$`), wantedTable });
    } else {
      // Still a well-formed row (a NUL or 1e400 included): it lands exactly as written; the processor judges its values.
      good.push({ table: t, row: Object.fromEntries(t.columns.map((col, i) => [col, values[i]!])), line, corruption: c });
    }
  }
  const count = records + 1;
  push(Buffer.from(`C,"END OF REPORT",${count}`));
  const eol = Buffer.from(f.eol);
  const bytes = Buffer.concat(lines.flatMap((l) => [l, eol]));
  return { bytes, good, rejected, lineCount: count };
}
