// One CSV member -> chunks of rows. Bytes are decoded as they inflate (decode.ts) and parsed into arrays of text
// (csv-rows.ts); at most one chunk of rows is held at a time. The member's own header names its columns; a row that
// repeats the header (concatenated files) or is blank is skipped; a row no ticket can come from is returned as a dead
// letter with its line. Chunk boundaries depend only on the member's content, so a resumed read that skips the lines
// already published cuts the same chunks (their keys are resource|file|first line).
import type { Readable } from 'node:stream';
import { columnMap, isHeaderRow, rowProblem, type ColumnMap } from '../../schemas/toronto/parking-rows.js';
import { CsvRows, type CsvRow } from './csv-rows.js';
import { decodingStream, type TicketEncoding } from './decode.js';

export interface RowChunk {
  kind: 'chunk';
  header: string[];
  encoding: TicketEncoding;
  rows: string[][];
  lines: number[];
  firstLine: number;
  lastLine: number;
}

export interface RowDeadLetter {
  kind: 'dead';
  line: number;
  reason: string;
  raw: string;
}

export interface ChunkOptions {
  rowsPerChunk: number;
  /** Lines up to and including this one were published before (a resumed load): their chunks are not emitted again. */
  skipThroughLine?: number;
}

export async function* memberChunks(stream: Readable, o: ChunkOptions): AsyncGenerator<RowChunk | RowDeadLetter> {
  let encoding: TicketEncoding = 'utf8';
  const decoded = stream.pipe(decodingStream((e) => (encoding = e)));
  // pipe() does not pass on the source's failure (a truncated ZIP member): fail the iteration with it.
  stream.on('error', (err) => decoded.destroy(err));
  const csv = new CsvRows();
  const skip = o.skipThroughLine ?? 0;
  let header: string[] | undefined;
  let map: ColumnMap | undefined;
  let chunk: RowChunk | undefined;
  const emit = (c: RowChunk) => c.lastLine > skip;
  // Rows of one decoded piece of text; a chunk comes out whenever one fills up.
  function* take(rows: CsvRow[]): Generator<RowChunk | RowDeadLetter, boolean> {
    for (const p of rows) {
      const line = p.line;
      if (!header) {
        header = p.record.map((c) => c.replace(/^\ufeff/, ''));
        const cols = columnMap(header);
        if ('error' in cols) {
          yield { kind: 'dead', line, reason: `not a parking-ticket header: ${cols.error}`, raw: p.raw };
          return false;
        }
        map = cols.map;
        continue;
      }
      if (p.record.every((f) => f.trim() === '') || isHeaderRow(p.record, map!)) continue;
      const problem = rowProblem(p.record, header.length, map!);
      if (problem) {
        if (line > skip) yield { kind: 'dead', line, reason: problem, raw: p.raw };
        continue;
      }
      chunk ??= { kind: 'chunk', header, encoding, rows: [], lines: [], firstLine: line, lastLine: line };
      chunk.rows.push(p.record);
      chunk.lines.push(line);
      chunk.lastLine = line;
      if (chunk.rows.length >= o.rowsPerChunk) {
        if (emit(chunk)) yield chunk;
        chunk = undefined;
      }
    }
    return true;
  }
  try {
    for await (const text of decoded as AsyncIterable<string>) if (!(yield* take(csv.push(text)))) return;
    if (!(yield* take(csv.end()))) return;
    if (chunk && emit(chunk)) yield chunk;
  } finally {
    // Done, refused or abandoned by the caller: the member's bytes are not read any further.
    stream.destroy();
    decoded.destroy();
  }
}
