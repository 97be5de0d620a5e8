// Continuous mode: list each dataset's Current dir and publish every file not yet handled, one batch per file (its
// rows and the cursor marking it done commit in one Kafka transaction); truncated files are retried, then dead-lettered.
import { log } from '../../runtime/log.js';
import { WANT_DATASET } from './backfill.js';
import type { AemoWant } from '../../schemas/aemo/topics.js';
import { AEMO_DATASETS, parseFileName } from './files.js';
import type { AemoDataset, AemoFileName } from './files.js';
import { readListing } from './listing.js';
import { emptyLive, isHandled, liveKey, markLive } from './cursor.js';
import { type Batch, type Run, deadLetter, isFetchFailure, readLiveZip, snapshot } from './run.js';

export interface Listed {
  url: string;
  name: string;
  meta: AemoFileName;
}

export const CURRENT_DIR: Record<AemoDataset, string> = {
  scada: '/Reports/Current/Dispatch_SCADA/',
  dispatchis: '/Reports/Current/DispatchIS_Reports/',
  rooftop: '/Reports/Current/ROOFTOP_PV/ACTUAL/',
};

/** The live files of a dataset in its Current dir, oldest first; null when the listing cannot be fetched now. */
export async function listCurrent(run: Run, dataset: AemoDataset): Promise<Listed[] | null> {
  const url = run.base + CURRENT_DIR[dataset];
  let html: string;
  try {
    html = await run.http.getText(url, { signal: run.ctx.signal });
  } catch (err) {
    if (!isFetchFailure(err)) throw err;
    log.warn({ dataset, err: (err as Error).message }, 'AEMO listing failed; trying again next poll');
    return null;
  }
  const { links, skipped } = readListing(html, url);
  // A bad line of a listing is not data (nothing to dead-letter); the rest of the page is still read.
  if (skipped.length) log.warn({ dataset, listing: url, skipped: skipped.length, first: skipped.slice(0, 5) }, 'AEMO listing links skipped');
  const out: Listed[] = [];
  for (const { url: u, name } of links) {
    const meta = parseFileName(name);
    // Rooftop: MEASUREMENT and SATELLITE both go to the raw topic (TYPE tells them apart); processors choose.
    if (meta?.dataset === dataset && meta.kind === 'interval') out.push({ url: u, name, meta });
  }
  return out.sort((a, b) => a.meta.stamp.utc - b.meta.stamp.utc || (a.name < b.name ? -1 : 1));
}

/**
 * Fetches and publishes one live file: its records and the cursor marking it done, or its bytes as a dead letter
 * (unreadable; or truncated on `truncatedRetries` polls), or only the raised retry count. Returns false when the
 * file could not be fetched (it stays pending).
 */
export async function* liveFile(run: Run, key: string, wants: readonly AemoWant[], f: Listed): AsyncGenerator<Batch, 'published' | 'dead' | 'pending'> {
  let bytes: Buffer;
  try {
    bytes = (await run.http.get(f.url, { signal: run.ctx.signal })).body;
  } catch (err) {
    if (!isFetchFailure(err)) throw err;
    log.warn({ file: f.name, err: (err as Error).message }, 'AEMO file could not be fetched; trying again next poll');
    return 'pending';
  }
  const live = run.state.live[key] ?? emptyLive();
  const read = await readLiveZip(bytes, f.name, f.meta.interval?.utc ?? run.now, wants);
  if (read.kind === 'ok') {
    run.state.live[key] = markLive(live, f.name, 'done', run.keepMs);
    yield { records: read.records, ...(read.deadLetters.length ? { deadLetters: read.deadLetters } : {}), cursor: snapshot(run) };
    return 'published';
  }
  if (read.kind === 'unreadable') {
    run.state.live[key] = markLive(live, f.name, 'dead', run.keepMs);
    yield { records: [], deadLetters: [deadLetter(bytes, f.name, read.reason)], cursor: snapshot(run) };
    return 'dead';
  }
  // Truncated: AEMO may still be writing or may replace it; give it a few polls before giving up.
  const tries = (live.retries[f.name] ?? 0) + 1;
  if (tries >= run.truncatedRetries) {
    run.state.live[key] = markLive(live, f.name, 'dead', run.keepMs);
    yield { records: [], deadLetters: [deadLetter(bytes, f.name, `${read.reason} (still so after ${tries} polls)`)], cursor: snapshot(run) };
    return 'dead';
  }
  log.info({ file: f.name, tries, reason: read.reason }, 'AEMO file truncated; retrying on a later poll');
  run.state.live[key] = markLive(live, f.name, { retries: tries }, run.keepMs);
  yield { records: [], cursor: snapshot(run) };
  return 'pending';
}

export const datasetsOf = (wants: readonly AemoWant[]): AemoDataset[] => AEMO_DATASETS.filter((d) => wants.some((w) => WANT_DATASET[w] === d));

/** One poll: every Current-dir file not yet handled, one batch each. */
export async function* poll(run: Run): AsyncGenerator<Batch> {
  for (const dataset of datasetsOf(run.wants)) {
    const listed = await listCurrent(run, dataset);
    if (!listed) continue;
    const key = liveKey(dataset, run.wants);
    const live = run.state.live[key] ?? emptyLive();
    const through = live.through;
    const fresh = listed.filter((f) => !isHandled(live, f.name) && (through === null || f.meta.stamp.nem > through));
    for (const f of fresh) {
      if (run.ctx.signal.aborted) return;
      yield* liveFile(run, key, run.wants, f);
    }
  }
}
