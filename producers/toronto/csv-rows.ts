// CSV text fed in pieces -> complete rows, each with its raw text and the line it ends on (dead letters name both).
// Pure: the member reader (member-chunks.ts) feeds it decoded text as it inflates. Parsing is papaparse's Parser,
// which splits quote-free text with String#split and walks quoted text with indexOf: it parsed a year's rows ~40x
// faster than csv-parse, which was the largest single cost of the source (18-21 % of its CPU, measured). Like the
// csv-parse settings it replaces: a quote inside an unquoted field is kept as text, rows may have any number of
// fields, and a malformed quoted field is read as far as it goes rather than failing the file.
import Papa from 'papaparse';

export interface CsvRow {
  record: string[];
  /** The row as written, without its line break. */
  raw: string;
  /** Line (1-based) the row ends on: a quoted field may hold line breaks. */
  line: number;
}

/**
 * The line break of a file from its first text: CRLF, LF, or a lone CR (old Mac exports); undefined while the text
 * holds no LF outside quotes yet (it may end between CR and LF, or inside a quoted field).
 */
function lineBreakOf(first: string, final: boolean): string | undefined {
  // Line breaks inside quoted fields say nothing about the file's own (a CRLF file may quote an LF).
  const text = first.replace(/"[^"]*("|$)/g, '');
  const lf = text.indexOf('\n');
  if (lf > 0 && text[lf - 1] === '\r') return '\r\n';
  if (lf !== -1) return '\n';
  // 64 K characters without an LF: a CR-only file, or one long line.
  if (!final && first.length < 65_536) return undefined;
  return text.includes('\r') ? '\r' : '\n';
}

function countOf(text: string, part: string): number {
  let n = 0;
  for (let i = text.indexOf(part); i !== -1; i = text.indexOf(part, i + part.length)) n++;
  return n;
}

export class CsvRows {
  private rest = '';
  private lines = 0;
  private parser: Papa.Parser | undefined;
  private lineBreak = '\n';
  private rows: CsvRow[] = [];
  private input = '';
  private from = 0;

  /** The rows completed by `text` (a row cut at the end of `text` waits for the next piece). */
  push(text: string): CsvRow[] {
    return this.parse(this.rest + text, false);
  }

  /** The last row, when the text did not end with a line break. */
  end(): CsvRow[] {
    return this.rest === '' ? [] : this.parse(this.rest, true);
  }

  private parse(input: string, final: boolean): CsvRow[] {
    if (!this.parser) {
      const lineBreak = lineBreakOf(input, final);
      if (lineBreak === undefined) {
        this.rest = input;
        return [];
      }
      this.lineBreak = lineBreak;
      this.parser = new Papa.Parser({ delimiter: ',', newline: this.lineBreak as '\n', quoteChar: '"', step: (r: Papa.ParseStepResult<string[][]>) => this.step(r) });
    }
    this.rows = [];
    this.input = input;
    this.from = 0;
    const result = this.parser.parse(input, 0, !final) as Papa.ParseResult<string[]>;
    this.rest = final ? '' : input.slice(result.meta.cursor);
    return this.rows;
  }

  // The bare Parser hands each row to step as a one-row batch (papaparse's ParserHandle unwraps it; it is not used here:
  // it guesses delimiters and would buffer the whole input).
  private step(r: Papa.ParseStepResult<string[][]>): void {
    const to = r.meta.cursor;
    let raw = this.input.slice(this.from, to);
    this.from = to;
    if (raw.endsWith(this.lineBreak)) raw = raw.slice(0, -this.lineBreak.length);
    // This row's own line, plus the line breaks inside its quoted fields (an LF is one wherever it is, as an editor
    // counts lines; only a CR file counts CRs).
    const inner = this.lineBreak === '\r' ? '\r' : '\n';
    this.lines += 1 + (raw.includes(inner) ? countOf(raw, inner) : 0);
    this.rows.push({ record: r.data[0]!, raw, line: this.lines });
  }
}
