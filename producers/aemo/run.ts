// What one run of the AEMO source shares: its HTTP client, options and cursor being built, plus reading a file's
// rows into raw records and dead letters.
import { CircuitOpenError, HttpError, NetworkError } from '../../runtime/http.js';
import type { HttpClient } from '../../runtime/http.js';
import { log } from '../../runtime/log.js';
import type { DeadLetterInput, RawRecord, SourceBatch, SourceContext } from '../../runtime/types.js';
import { WANT_TOPIC } from './backfill.js';
import type { AemoWant } from '../../schemas/aemo/topics.js';
import { NEMWEB } from './files.js';
import { parseMms, truncation } from './mms-csv.js';
import type { MmsRow, RejectedRow } from './mms-csv.js';
import { rawTopicOf, toRawRecord } from './records.js';
import { CorruptZipError, zipCsvs } from './zip.js';
import { type AemoRawValue } from './source.js';
import { type AemoCursor } from './cursor.js';

export interface Run {
  http: HttpClient;
  base: string;
  wants: AemoWant[];
  keepMs: number;
  truncatedRetries: number;
  rowsPerBatch: number;
  now: number;
  ctx: SourceContext;
  /** The cursor as it will be after the batch being built; each yield hands out a copy. */
  state: AemoCursor;
}

export type Batch = SourceBatch<AemoRawValue, AemoCursor>;

export const snapshot = (run: Run): AemoCursor => structuredClone(run.state);

/** nemweb.com.au URLs (files.ts) moved onto the configured base (a local server in tests and the demo). */
export const rebase = (run: Run, url: string): string => (url.startsWith(NEMWEB) ? run.base + url.slice(NEMWEB.length) : url);

/** Errors that mean "could not fetch this now": skip it and try again later. Anything else is a bug and is thrown. */
export const isFetchFailure = (err: unknown): boolean => err instanceof HttpError || err instanceof NetworkError || err instanceof CircuitOpenError;

/** A whole file too large for a Kafka message is dead-lettered without its bytes (it can be fetched again). */
export const MAX_DEAD_BYTES = 512 * 1024;

export function deadLetter(bytes: Buffer, sourceRef: string, reason: string): DeadLetterInput {
  if (bytes.length <= MAX_DEAD_BYTES) return { reason, sourceRef, bytes };
  return { reason: `${reason} (${bytes.length} bytes, too large to attach: fetch ${sourceRef} again)`, sourceRef, bytes: Buffer.alloc(0) };
}

/** Raw records of some MMS rows, only for the wanted tables; headers carry the CSV's name and the row's line. */
export function recordsOf(rows: Iterable<MmsRow>, file: string, sourceRef: string, fallbackTime: number, wants: readonly AemoWant[]): RawRecord<AemoRawValue>[] {
  const topics = new Set(wants.map((w) => WANT_TOPIC[w]));
  const out: RawRecord<AemoRawValue>[] = [];
  for (const row of rows) {
    const r = toRawRecord(row, { file, sourceRef, fallbackTime });
    if (!r || !topics.has(r.topic)) continue;
    const record = r.record as RawRecord<AemoRawValue>;
    record.headers = { ...record.headers, file };
    out.push(record);
  }
  return out;
}

/**
 * Dead letters for the rows of a file that were left out (wrong field count, no I row, not UTF-8), one per row with
 * its exact bytes, file and line: the file's good rows are still published. Rows of tables this run does not read are
 * left out like the good rows of those tables; a row of unknown type cannot be placed, so it is dead-lettered.
 */
export function rowDeadLetters(rejected: readonly RejectedRow[], file: string, sourceRef: string, wants: readonly AemoWant[]): DeadLetterInput[] {
  const topics = new Set(wants.map((w) => WANT_TOPIC[w]));
  const out: DeadLetterInput[] = [];
  for (const r of rejected) {
    const topic = r.table && rawTopicOf(r.table);
    if (r.table && !(topic && topics.has(topic))) continue;
    out.push({ reason: `${file} line ${r.line}: ${r.reason}`, sourceRef, bytes: r.raw, headers: { file, row: String(r.line) } });
  }
  if (out.length) log.warn({ file: sourceRef, rows: out.length, first: rejected[0]?.reason }, 'AEMO rows dead-lettered; the rest of the file goes on');
  return out;
}

/** The CSV itself is broken (csv-parse failed), as opposed to a bug in our code. */
export const isUnreadableCsv = (err: unknown): boolean => err instanceof Error && err.message.startsWith('MMS CSV unreadable');

export type LiveRead =
  | { kind: 'ok'; records: RawRecord<AemoRawValue>[]; deadLetters: DeadLetterInput[] }
  | { kind: 'truncated'; reason: string }
  | { kind: 'unreadable'; reason: string };

/** Reads a live 5-/30-minute zip (one small CSV) whole. */
export async function readLiveZip(bytes: Buffer, zipName: string, fallbackTime: number, wants: readonly AemoWant[]): Promise<LiveRead> {
  const records: RawRecord<AemoRawValue>[] = [];
  const deadLetters: DeadLetterInput[] = [];
  let csvs = 0;
  try {
    for await (const entry of zipCsvs(bytes, { label: zipName })) {
      csvs += 1;
      // Bytes, not text: the parser checks the UTF-8 itself instead of letting bad bytes become U+FFFD.
      const { rows, summary, rejected } = parseMms(await entry.bytes());
      const cut = truncation(summary);
      if (cut) return { kind: 'truncated', reason: `truncated ${entry.name}: ${cut}` };
      records.push(...recordsOf(rows, entry.name, zipName, fallbackTime, wants));
      deadLetters.push(...rowDeadLetters(rejected, entry.name, zipName, wants));
    }
  } catch (err) {
    if (err instanceof CorruptZipError || isUnreadableCsv(err)) return { kind: 'unreadable', reason: (err as Error).message };
    throw err;
  }
  if (csvs === 0) return { kind: 'unreadable', reason: `no CSV inside ${zipName}` };
  return { kind: 'ok', records, deadLetters };
}
