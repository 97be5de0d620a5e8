// Backfill: the days asked for, from the Current dir, the daily/weekly nested archives or the MMSDM monthly tables,
// whichever holds each day (backfill.ts plans it); resumable inside a unit.
import { HttpError, NetworkError } from '../../runtime/http.js';
import { log } from '../../runtime/log.js';
import type { DeadLetterInput, RawRecord } from '../../runtime/types.js';
import { dayOfInterval, markDone, planBackfill, progressOf } from './backfill.js';
import type { BackfillUnit } from './backfill.js';
import type { AemoWant } from '../../schemas/aemo/topics.js';
import { mmsdmUrl, parseFileName } from './files.js';
import { fileNameOf } from './listing.js';
import { parseMms, readMms, truncation } from './mms-csv.js';
import { CorruptZipError, zipCsvs } from './zip.js';
import { type AemoRawValue } from './source.js';
import { emptyLive, isHandled, liveKey } from './cursor.js';
import { CURRENT_DIR, listCurrent, liveFile } from './live.js';
import { type Batch, type Run, deadLetter, isFetchFailure, isUnreadableCsv, rebase, recordsOf, rowDeadLetters, snapshot } from './run.js';

export const rangeKey = (req: { from: string; to: string; wants: readonly AemoWant[] }): string => `${req.from}..${req.to}:${req.wants.join(',')}`;

export async function* backfill(run: Run, req: { from: string; to: string; wants: AemoWant[] }, refetch: boolean): AsyncGenerator<Batch> {
  const range = rangeKey(req);
  if (refetch || run.state.backfill?.range !== range) run.state.backfill = { range, done: {} };
  const bf = run.state.backfill!;
  const units = planBackfill(req, run.now, bf.done);
  const report = (): void => {
    const p = progressOf(req, bf.done);
    run.ctx.progress?.(p.done, p.total);
  };
  report();
  const failed: string[] = [];
  for (const unit of units) {
    if (run.ctx.signal.aborted) return;
    let complete: boolean;
    try {
      if (unit.kind === 'current') complete = yield* currentUnit(run, unit);
      else if (unit.kind === 'archive') complete = yield* archiveUnit(run, unit);
      else complete = yield* mmsdmUnit(run, unit);
    } catch (err) {
      if (run.ctx.signal.aborted || !isFetchFailure(err)) throw err;
      failed.push(`${unit.key}: ${(err as Error).message}`);
      log.warn({ unit: unit.key, err: (err as Error).message }, 'AEMO backfill part failed; going on with the rest');
      continue;
    }
    if (!complete) continue;
    bf.done = markDone(bf.done, unit.wants, unit.days);
    delete bf.at;
    yield { records: [], cursor: snapshot(run) };
    report();
  }
  if (failed.length) throw new Error(`AEMO backfill ${range}: ${failed.length} of ${units.length} parts failed (run it again to retry them): ${failed.join('; ')}`);
}

/** Today's or yesterday's files from the Current dir, as live mode reads them (sharing its cursor). */
export async function* currentUnit(run: Run, unit: BackfillUnit): AsyncGenerator<Batch, boolean> {
  const listed = await listCurrent(run, unit.dataset);
  if (!listed) throw new NetworkError(run.base + CURRENT_DIR[unit.dataset], false, new Error('listing failed'));
  const days = new Set(unit.days);
  const key = liveKey(unit.dataset, unit.wants);
  let pending = 0;
  for (const f of listed) {
    if (!f.meta.interval || !days.has(dayOfInterval(f.meta.interval.utc))) continue;
    // Unlike a poll, `through` is not trusted here: files older than it may have been given up, not published.
    if (isHandled(run.state.live[key] ?? emptyLive(), f.name)) continue;
    if (run.ctx.signal.aborted) return false;
    if ((yield* liveFile(run, key, unit.wants, f)) === 'pending') pending += 1;
  }
  // A day still running (or whose files are still arriving) is not done; a later backfill fetches the rest.
  const lastDayEnd = Math.max(...unit.days.map((d) => Date.parse(`${d}T00:00:00+10:00`) + 24 * 3600_000));
  return pending === 0 && lastDayEnd + 30 * 60_000 <= run.now;
}

/** A day's nested archive (or rooftop's weekly one): one batch per inner 5-/30-minute file. */
export async function* archiveUnit(run: Run, unit: BackfillUnit): AsyncGenerator<Batch, boolean> {
  const url = rebase(run, unit.url);
  const label = fileNameOf(url);
  const bytes = (await run.http.get(url, { signal: run.ctx.signal })).body;
  const bf = run.state.backfill!;
  const skip = bf.at?.unit === unit.key ? (bf.at.files ?? 0) : 0;
  const days = new Set(unit.days);
  const live = run.state.live[liveKey(unit.dataset, unit.wants)] ?? emptyLive();
  let index = 0;
  try {
    for await (const entry of zipCsvs(bytes, { label })) {
      index += 1;
      if (index <= skip) continue;
      const holder = entry.via.length > 1 ? entry.via[entry.via.length - 1]! : entry.name;
      const meta = parseFileName(entry.name) ?? parseFileName(holder);
      if (unit.filterDays && meta?.interval && !days.has(dayOfInterval(meta.interval.utc))) continue;
      // Already published by live mode: the archive holds the very same 5-minute zips.
      if (isHandled(live, holder)) continue;
      if (run.ctx.signal.aborted) return false;
      const csv = await entry.bytes();
      const ref = [...entry.via, entry.name].join(' > ');
      bf.at = { unit: unit.key, files: index };
      let parsed: ReturnType<typeof parseMms>;
      try {
        parsed = parseMms(csv);
      } catch (err) {
        if (!isUnreadableCsv(err)) throw err;
        yield { records: [], deadLetters: [deadLetter(csv, ref, (err as Error).message)], cursor: snapshot(run) };
        continue;
      }
      // Archived files are final, so a truncated one will not heal: dead-letter it at once.
      const cut = truncation(parsed.summary);
      if (cut) {
        yield { records: [], deadLetters: [deadLetter(csv, ref, `truncated ${entry.name}: ${cut}`)], cursor: snapshot(run) };
        continue;
      }
      const dead = rowDeadLetters(parsed.rejected, entry.name, ref, unit.wants);
      yield { records: recordsOf(parsed.rows, entry.name, ref, meta?.interval?.utc ?? run.now, unit.wants), ...(dead.length ? { deadLetters: dead } : {}), cursor: snapshot(run) };
    }
  } catch (err) {
    if (!(err instanceof CorruptZipError)) throw err;
    yield { records: [], deadLetters: [deadLetter(bytes, label, err.message)], cursor: snapshot(run) };
  }
  return true;
}

/** Post-2024-08 MMSDM tables may come in parts (FILE01, FILE02, …); older PUBLIC_DVD_ names have one. */
export const hasParts = (month: string): boolean => month >= '2024-08';

/** One MMSDM monthly table, streamed: rows of the requested days only, `rowsPerBatch` at a time. */
export async function* mmsdmUnit(run: Run, unit: BackfillUnit): AsyncGenerator<Batch, boolean> {
  const table = unit.table!;
  const month = unit.month!;
  const bf = run.state.backfill!;
  const days = new Set(unit.days);
  const resume = bf.at?.unit === unit.key ? bf.at : undefined;
  for (let part = resume?.part ?? 1; ; part++) {
    const url = rebase(run, mmsdmUrl(table, month, part));
    let bytes: Buffer;
    try {
      bytes = (await run.http.get(url, { signal: run.ctx.signal })).body;
    } catch (err) {
      // The first missing part after FILE01 ends the table.
      if (part > 1 && err instanceof HttpError && err.status === 404) return true;
      throw err;
    }
    const label = fileNameOf(url);
    const after = resume?.part === part ? (resume.line ?? 0) : 0;
    try {
      for await (const entry of zipCsvs(bytes, { label })) {
        const ref = `${label} > ${entry.name}`;
        let records: RawRecord<AemoRawValue>[] = [];
        let dead: DeadLetterInput[] = [];
        let lastLine = after;
        let malformedSeen = 0;
        const rows = readMms(await entry.open(), { keepRejected: true });
        // Rows left out so far go out with the next batch (a resumed part skips those before its line, like the rows).
        const takeDead = (): void => {
          if (rows.summary.malformedCount === malformedSeen) return;
          malformedSeen = rows.summary.malformedCount;
          dead.push(...rowDeadLetters(rows.takeRejected().filter((x) => x.line > after), entry.name, ref, unit.wants));
        };
        const batch = (): Batch => {
          const b: Batch = { records, ...(dead.length ? { deadLetters: dead } : {}), cursor: snapshot(run) };
          records = [];
          dead = [];
          return b;
        };
        for await (const row of rows) {
          takeDead();
          if (row.line <= after) continue;
          lastLine = row.line;
          const [r] = recordsOf([row], entry.name, ref, Number.NaN, unit.wants);
          if (r && !Number.isNaN(r.eventTime) && days.has(dayOfInterval(r.eventTime))) records.push(r);
          if (records.length + dead.length >= run.rowsPerBatch) {
            bf.at = { unit: unit.key, part, line: lastLine };
            yield batch();
            if (run.ctx.signal.aborted) return false;
          }
        }
        takeDead();
        bf.at = { unit: unit.key, part, line: lastLine };
        if (records.length || dead.length) yield batch();
      }
    } catch (err) {
      if (!(err instanceof CorruptZipError) && !isUnreadableCsv(err)) throw err;
      yield { records: [], deadLetters: [deadLetter(bytes, label, (err as Error).message)], cursor: snapshot(run) };
    }
    if (!hasParts(month)) return true;
    bf.at = { unit: unit.key, part: part + 1, line: 0 };
  }
}
