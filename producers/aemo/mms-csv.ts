// AEMO MMS CSV: one file holds many tables, each an `I` row (column names) followed by its `D` rows, framed by a `C`
// header line and a `C,"END OF REPORT",<n>` footer. Columns are mapped by name from the I row because their order and
// set change between table versions and between live and monthly files.
import { parse } from 'csv-parse';
import type { Options as CsvOptions } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';
import { Readable, pipeline } from 'node:stream';

export interface MmsTable {
  report: string;
  /** Empty in legacy files (`I,DREGION,,3,…`). */
  subtype: string;
  version: string;
}

export interface MmsRow {
  table: MmsTable;
  /** UPPERCASE column name -> the field exactly as written (CSV quotes removed, nothing trimmed or converted). */
  row: Record<string, string>;
  /** 1-based line of the row in the file. */
  line: number;
}

export interface MalformedRow {
  line: number;
  reason: string;
}

export interface MmsSummary {
  /** Fields of the first `C` line (e.g. `C,NEMP.WORLD,DISPATCHSCADA,…`), null when the file does not start with one. */
  header: string[] | null;
  /** n from `C,"END OF REPORT",n`; null when there is no footer. */
  footerCount: number | null;
  /** Line of the footer, to notice anything written after it. */
  footerLine: number | null;
  /** Lines (CSV records, any row type, footer included) actually read: what the footer count should equal. */
  lineCount: number;
  /** D rows yielded. */
  rowCount: number;
  /** D rows not yielded: no I row for their table, or a field count that differs from the I row. */
  malformedCount: number;
  /** The first few malformed rows, for the log line or the dead-letter reason. */
  malformed: MalformedRow[];
}

/** Anything csv-parse can read: a whole text, a Buffer, or a stream/iterable of chunks (a zip entry stream). */
export type MmsSource = string | Buffer | Readable | AsyncIterable<string | Buffer> | Iterable<string | Buffer>;

/** An async iterable of D rows; `summary` is complete once iteration has finished. */
export interface MmsStream extends AsyncIterable<MmsRow> {
  readonly summary: MmsSummary;
}

const tableId = (t: MmsTable): string => `${t.report},${t.subtype},${t.version}`;

const MAX_MALFORMED_KEPT = 20;

const CSV_OPTIONS: CsvOptions = {
  relax_column_count: true,
  skip_empty_lines: true,
  // Live files use CRLF, re-serialised archives LF; auto-detection would lock onto whichever comes first.
  record_delimiter: ['\r\n', '\n'],
  bom: true,
  info: true,
};

/** Turns CSV records into MMS rows one at a time, remembering the I rows seen so far. Pure and synchronous. */
export class MmsAssembler {
  private readonly columns = new Map<string, string[]>();
  readonly summary: MmsSummary = {
    header: null,
    footerCount: null,
    footerLine: null,
    lineCount: 0,
    rowCount: 0,
    malformedCount: 0,
    malformed: [],
  };

  accept(fields: string[], line: number): MmsRow | null {
    const s = this.summary;
    s.lineCount += 1;
    const kind = fields[0];
    if (kind === 'C') {
      if (s.lineCount === 1) s.header = fields;
      if (fields[1] === 'END OF REPORT') {
        const n = Number(fields[2]);
        s.footerCount = Number.isInteger(n) ? n : null;
        s.footerLine = s.lineCount;
      }
      return null;
    }
    if (kind !== 'I' && kind !== 'D') {
      this.malformedRow(line, `unknown row type ${JSON.stringify(kind ?? '')}`);
      return null;
    }
    const table: MmsTable = { report: fields[1] ?? '', subtype: fields[2] ?? '', version: fields[3] ?? '' };
    if (kind === 'I') {
      this.columns.set(tableId(table), fields.slice(4).map((c) => c.toUpperCase()));
      return null;
    }
    const names = this.columns.get(tableId(table));
    if (!names) {
      this.malformedRow(line, `D row for ${tableId(table)} before its I row`);
      return null;
    }
    if (fields.length - 4 !== names.length) {
      // Usually the cut-off last line of a truncated file; a row missing fields cannot be trusted.
      this.malformedRow(line, `${fields.length - 4} fields where the I row of ${tableId(table)} has ${names.length}`);
      return null;
    }
    const row: Record<string, string> = {};
    names.forEach((name, i) => {
      row[name] = fields[i + 4] ?? '';
    });
    s.rowCount += 1;
    return { table, row, line };
  }

  private malformedRow(line: number, reason: string): void {
    this.summary.malformedCount += 1;
    if (this.summary.malformed.length < MAX_MALFORMED_KEPT) this.summary.malformed.push({ line, reason });
  }
}

interface CsvInfoRecord {
  record: string[];
  info: { lines: number };
}

// csv-parse reports the line a record ENDS on; a quoted field holding a newline would push that past the start.
const startLine = (r: CsvInfoRecord): number =>
  r.info.lines - r.record.reduce((n, f) => n + (f.includes('\n') ? f.split('\n').length - 1 : 0), 0);

// Only csv-parse's own errors (code CSV_*) are about the CSV; anything else (a corrupt zip stream feeding us) passes
// through untouched so the caller can still tell what failed.
const unreadable = (err: unknown): unknown => {
  const e = err as { message?: string; lines?: number; code?: unknown };
  if (typeof e.code !== 'string' || !e.code.startsWith('CSV_')) return err;
  const where = typeof e.lines === 'number' ? ` at line ${e.lines}` : '';
  return new Error(`MMS CSV unreadable${where}: ${e.message ?? String(err)}`, { cause: err });
};

/**
 * Streams the D rows of an MMS CSV, a record at a time, so a monthly archive (millions of lines) is never held as
 * objects. Throws an Error naming the line when the CSV itself is broken (e.g. a quote never closed).
 */
export function readMms(source: MmsSource): MmsStream {
  const assembler = new MmsAssembler();
  async function* rows(): AsyncGenerator<MmsRow> {
    const input = typeof source === 'string' || Buffer.isBuffer(source) ? Readable.from([source]) : Readable.from(source);
    const parser = parse(CSV_OPTIONS);
    // Errors from either side end up destroying the parser, so they surface through its iterator below.
    pipeline(input, parser, () => undefined);
    try {
      for await (const rec of parser as AsyncIterable<CsvInfoRecord>) {
        const row = assembler.accept(rec.record, startLine(rec));
        if (row) yield row;
      }
    } catch (err) {
      throw unreadable(err);
    }
  }
  return {
    [Symbol.asyncIterator]: rows,
    get summary() {
      return assembler.summary;
    },
  };
}

/** Parses a whole MMS CSV text at once: for small live files and tests. */
export function parseMms(text: string | Buffer): { rows: MmsRow[]; summary: MmsSummary } {
  let records: CsvInfoRecord[];
  try {
    records = parseSync(text, CSV_OPTIONS) as unknown as CsvInfoRecord[];
  } catch (err) {
    throw unreadable(err);
  }
  const assembler = new MmsAssembler();
  const rows: MmsRow[] = [];
  for (const rec of records) {
    const row = assembler.accept(rec.record, startLine(rec));
    if (row) rows.push(row);
  }
  return { rows, summary: assembler.summary };
}

/**
 * Why a file looks truncated, or null when it is whole: the footer is missing, is not the last line, or its count
 * differs from the lines read. Apply it to live 5-minute files only: MMSDM fixtures filtered by NEMOSIS keep the
 * original file's footer count, so they always "mismatch".
 */
export function truncation(summary: MmsSummary): string | null {
  if (summary.footerCount === null || summary.footerLine === null) {
    return `no END OF REPORT footer after ${summary.lineCount} lines`;
  }
  if (summary.footerLine !== summary.lineCount) {
    return `END OF REPORT on line ${summary.footerLine} but the file has ${summary.lineCount} lines`;
  }
  if (summary.footerCount !== summary.lineCount) {
    return `END OF REPORT says ${summary.footerCount} lines but the file has ${summary.lineCount}`;
  }
  return null;
}
