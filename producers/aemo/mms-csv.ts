// AEMO MMS CSV: one file holds many tables, each an `I` row (column names) followed by its `D` rows, framed by a `C`
// header line and a `C,"END OF REPORT",<n>` footer. Columns are mapped by name from the I row because their order and
// set change between table versions and between live and monthly files.
import { parse } from 'csv-parse';
import type { Options as CsvOptions } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';
import { Readable, Transform, pipeline } from 'node:stream';

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

/** A row left out, with what a dead letter needs: its table (when it names one) and its bytes exactly as in the file. */
export interface RejectedRow extends MalformedRow {
  /** From the row's own fields 1-3 for I and D rows; null for a row of unknown type. */
  table: MmsTable | null;
  /** The line's bytes as in the file, without its line ending (invalid UTF-8 included, not replaced). */
  raw: Buffer;
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
  /** The rows left out since the last call (every one, unlike `summary.malformed`), for the caller to dead-letter. */
  takeRejected(): RejectedRow[];
}

const tableId = (t: MmsTable): string => `${t.report},${t.subtype},${t.version}`;

const MAX_MALFORMED_KEPT = 20;

/**
 * Longest CSV record accepted, in bytes. The widest rows of the MMS tables we read are well under 2 KB; without a
 * bound a 50 MB field (a 51 KB zip) became a 50 MB Kafka key and hung the producer in kafkajs's key hash. A record
 * over it makes the file unreadable (csv-parse error), so the file is dead-lettered with that reason.
 */
export const MAX_RECORD_BYTES = 64 * 1024;

const CSV_OPTIONS: CsvOptions = {
  relax_column_count: true,
  skip_empty_lines: true,
  // Live files use CRLF, re-serialised archives LF; auto-detection would lock onto whichever comes first.
  record_delimiter: ['\r\n', '\n'],
  // Latin-1 maps each byte to one character and back, so a row's exact bytes survive parsing: fields are then decoded
  // as strict UTF-8 (utf8Fields) and a row that is not valid UTF-8 is rejected with its original bytes rather than
  // turned into U+FFFD. The CSV syntax (`,` `"` CR LF) is ASCII, which no UTF-8 multi-byte sequence contains, so the
  // split is the same as on UTF-8 text. bom is off because csv-parse would switch itself to UTF-8 on seeing one; the
  // BOM is stripped from the first field instead.
  encoding: 'latin1',
  bom: false,
  info: true,
  max_record_size: MAX_RECORD_BYTES,
};

const NON_ASCII = /[\u0080-\uffff]/;
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/** A record's Latin-1 fields as UTF-8 text, or the 0-based index of the first field that is not UTF-8. ASCII-only rows (nearly all) pass as they are. */
function utf8Fields(fields: string[], raw: string): string[] | number {
  if (!NON_ASCII.test(raw)) return fields;
  const out: string[] = [];
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    if (!NON_ASCII.test(f)) {
      out.push(f);
      continue;
    }
    try {
      out.push(STRICT_UTF8.decode(Buffer.from(f, 'latin1')));
    } catch {
      return i;
    }
  }
  return out;
}

/**
 * Each record's first line and exact text, cut from the input itself. csv-parse's own `info.lines` counts every CR
 * inside a field as a line (a quoted CRLF counts two, shifting every later row's line), and its `raw` loses the LF of
 * a CRLF and glues skipped blank lines onto the next record; `info.bytes`, the input read up to the end of the record,
 * is exact, so the text between two records' ends is the record (after any blank lines) and its line ending.
 * Holds only the input csv-parse has read but whose records have not been taken yet.
 */
class SourceText {
  private text = '';
  /** Input offset of text[0]. */
  private base = 0;
  /** Where the next record starts (an input offset) and its line. */
  private at = 0;
  private line = 1;

  push(chunk: string): void {
    this.text += chunk;
  }

  /** The record ending at input offset `end` (info.bytes): its 1-based line and its text without its line ending. */
  take(end: number): { line: number; raw: string } {
    const whole = this.text.slice(this.at - this.base, end - this.base);
    const blank = /^(?:\r?\n)*/.exec(whole)![0];
    const line = this.line + countLf(blank);
    this.line += countLf(whole);
    this.at = end;
    // Drop what is taken now and then, not on every record, so a whole file given at once is never copied per row.
    if (this.at - this.base > 1 << 20) {
      this.text = this.text.slice(this.at - this.base);
      this.base = this.at;
    }
    const body = whole.slice(blank.length);
    return { line, raw: body.endsWith('\r\n') ? body.slice(0, -2) : body.endsWith('\n') ? body.slice(0, -1) : body };
  }
}

/**
 * Refuses a record over MAX_RECORD_BYTES before csv-parse builds it. csv-parse's own max_record_size counts only the
 * fields' characters, not the commas between them, so a line of a few million commas (no field over the limit)
 * became an array of millions of empty strings in memory (found by fuzzing). This counts every byte of a record,
 * following quotes so that a quoted line break does not end it.
 */
class RecordBound {
  private length = 0;
  private quoted = false;
  private line = 1;

  scan(chunk: string): void {
    let i = 0;
    while (i < chunk.length) {
      const quote = chunk.indexOf('"', i);
      const lf = this.quoted ? -1 : chunk.indexOf('\n', i);
      const next = quote === -1 ? lf : lf === -1 ? quote : Math.min(quote, lf);
      const end = next === -1 ? chunk.length : next + 1;
      this.length += end - i;
      if (this.length > MAX_RECORD_BYTES + 2) {
        throw new Error(`MMS CSV unreadable at line ${this.line}: a record over the Max Record Size of ${MAX_RECORD_BYTES} bytes (commas and quotes included)`);
      }
      if (next !== -1 && chunk[next] === '"') this.quoted = !this.quoted;
      else if (next !== -1) {
        this.length = 0;
        this.line += 1;
      }
      i = end;
    }
  }
}

function countLf(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i !== -1; i = s.indexOf('\n', i + 1)) n += 1;
  return n;
}

/** Turns CSV records into MMS rows one at a time, remembering the I rows seen so far. Pure and synchronous. */
export class MmsAssembler {
  private readonly columns = new Map<string, string[]>();
  /** Rows left out and not yet taken (takeRejected). */
  private rejected: RejectedRow[] = [];

  /** keepRejected: collect every rejected row for takeRejected (a caller that never takes them should not grow). */
  constructor(private readonly keepRejected = true) {}
  readonly summary: MmsSummary = {
    header: null,
    footerCount: null,
    footerLine: null,
    lineCount: 0,
    rowCount: 0,
    malformedCount: 0,
    malformed: [],
  };

  /** `raw` is the line's bytes, kept on a rejected row for its dead letter. */
  accept(fields: string[], line: number, raw: Buffer = Buffer.alloc(0)): MmsRow | null {
    const s = this.summary;
    s.lineCount += 1;
    this.raw = raw;
    if (s.lineCount === 1 && fields[0]?.startsWith('\uFEFF')) fields = [fields[0].slice(1), ...fields.slice(1)];
    this.fields = fields;
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

  /**
   * A line that cannot be read as text at all (not UTF-8): counted as a line, rejected as a row. `badField` is the
   * 0-based field that is not UTF-8: when it is one of the table's fields (1-3) the row cannot say which table it
   * belongs to, so it is rejected as of no table (and dead-lettered whatever tables the caller reads).
   */
  reject(fields: string[], line: number, raw: Buffer, badField: number): void {
    this.summary.lineCount += 1;
    this.raw = raw;
    this.fields = badField <= 3 ? [] : fields;
    this.malformedRow(line, `invalid UTF-8 in field ${badField + 1}`);
  }

  /** The rows rejected since the last call. */
  takeRejected(): RejectedRow[] {
    const out = this.rejected;
    this.rejected = [];
    return out;
  }

  // The line being accepted, for malformedRow.
  private raw: Buffer = Buffer.alloc(0);
  private fields: string[] = [];

  private malformedRow(line: number, reason: string): void {
    this.summary.malformedCount += 1;
    if (this.summary.malformed.length < MAX_MALFORMED_KEPT) this.summary.malformed.push({ line, reason });
    const f = this.fields;
    const table = f[0] === 'I' || f[0] === 'D' ? { report: f[1] ?? '', subtype: f[2] ?? '', version: f[3] ?? '' } : null;
    if (this.keepRejected) this.rejected.push({ line, reason, table, raw: this.raw });
  }
}

interface CsvInfoRecord {
  record: string[];
  info: { bytes: number };
}

/** Feeds one csv-parse record to the assembler, decoding it as strict UTF-8 first. */
function feed(assembler: MmsAssembler, source: SourceText, rec: CsvInfoRecord): MmsRow | null {
  const { line, raw } = source.take(rec.info.bytes);
  const bytes = Buffer.from(raw, 'latin1');
  const fields = utf8Fields(rec.record, raw);
  if (typeof fields === 'number') {
    assembler.reject(rec.record, line, bytes, fields);
    return null;
  }
  return assembler.accept(fields, line, bytes);
}

// Only csv-parse's own errors are about the CSV; anything else (a corrupt zip stream feeding us) passes through
// untouched so the caller can still tell what failed. Their codes start CSV_, bar one: a quote inside an unquoted
// field is INVALID_OPENING_QUOTE, which passed through as if it were a bug and stopped the producer (found by fuzzing).
const isCsvError = (code: unknown): boolean => typeof code === 'string' && (code.startsWith('CSV_') || code === 'INVALID_OPENING_QUOTE');

const unreadable = (err: unknown): unknown => {
  const e = err as { message?: string; lines?: number; code?: unknown };
  if (!isCsvError(e.code)) return err;
  const where = typeof e.lines === 'number' ? ` at line ${e.lines}` : '';
  return new Error(`MMS CSV unreadable${where}: ${e.message ?? String(err)}`, { cause: err });
};

/**
 * Streams the D rows of an MMS CSV, a record at a time, so a monthly archive (millions of lines) is never held as
 * objects. Throws an Error naming the line when the CSV itself is broken (e.g. a quote never closed, a record over
 * MAX_RECORD_BYTES). With `keepRejected`, the rows left out are kept for `takeRejected()`; the caller must take them.
 */
export function readMms(source: MmsSource, options: { keepRejected?: boolean } = {}): MmsStream {
  const assembler = new MmsAssembler(options.keepRejected ?? false);
  async function* rows(): AsyncGenerator<MmsRow> {
    const input = typeof source === 'string' || Buffer.isBuffer(source) ? Readable.from([source]) : Readable.from(source);
    const text = new SourceText();
    const bound = new RecordBound();
    // Every chunk is kept (as csv-parse decodes it) until its records are taken, for their lines and exact bytes.
    const tap = new Transform({
      transform(chunk: Buffer | string, _enc, done) {
        const latin1 = (typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk).toString('latin1');
        try {
          bound.scan(latin1);
        } catch (err) {
          done(err as Error);
          return;
        }
        text.push(latin1);
        done(null, chunk);
      },
    });
    const parser = parse(CSV_OPTIONS);
    // Errors from any step end up destroying the parser, so they surface through its iterator below.
    pipeline(input, tap, parser, () => undefined);
    try {
      for await (const rec of parser as AsyncIterable<CsvInfoRecord>) {
        const row = feed(assembler, text, rec);
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
    takeRejected: () => assembler.takeRejected(),
  };
}

/**
 * Parses a whole MMS CSV at once: for small live files and tests. Give it the file's bytes: a string has already been
 * decoded, so bytes that were not UTF-8 are U+FFFD by then and can no longer be told apart.
 */
export function parseMms(text: string | Buffer): { rows: MmsRow[]; summary: MmsSummary; rejected: RejectedRow[] } {
  // csv-parse reads a string as its UTF-8 bytes, so offsets count those bytes.
  const latin1 = (typeof text === 'string' ? Buffer.from(text, 'utf8') : text).toString('latin1');
  new RecordBound().scan(latin1);
  let records: CsvInfoRecord[];
  try {
    records = parseSync(text, CSV_OPTIONS) as unknown as CsvInfoRecord[];
  } catch (err) {
    throw unreadable(err);
  }
  const assembler = new MmsAssembler();
  const source = new SourceText();
  source.push(latin1);
  const rows: MmsRow[] = [];
  for (const rec of records) {
    const row = feed(assembler, source, rec);
    if (row) rows.push(row);
  }
  return { rows, summary: assembler.summary, rejected: assembler.takeRejected() };
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
