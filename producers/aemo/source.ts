// The AEMO NEMWEB source. Continuous mode lists the Current dirs and publishes each new 5-/30-minute file as one
// batch, so a file's rows and the cursor that marks it done commit in one Kafka transaction. Backfill mode
// ({from, to}) reads the Current dir, the daily/weekly nested archives or the MMSDM monthly tables, whichever holds
// each day (backfill.ts plans it). All HTTP goes through createHttpClient (pacing, retries, circuit breaker).
import type { SourceComponent } from '../../runtime/components.js';
import { CircuitOpenError, HttpError, NetworkError, createHttpClient } from '../../runtime/http.js';
import type { HttpClient, HttpClientOptions } from '../../runtime/http.js';
import { log } from '../../runtime/log.js';
import { metrics } from '../../runtime/metrics.js';
import type { DeadLetterInput, RawRecord, SourceBatch, SourceContext } from '../../runtime/types.js';
import { AEMO_WANTS, WANT_DATASET, WANT_TOPIC, dayOfInterval, markDone, parseWants, planBackfill, progressOf } from './backfill.js';
import type { BackfillUnit, DoneDays } from './backfill.js';
import { aemoRawTopicSpecs, type AemoWant } from '../../schemas/aemo/topics.js';
import { AEMO_DATASETS, NEMWEB, mmsdmUrl, parseFileName } from './files.js';
import type { AemoDataset, AemoFileName } from './files.js';
import { fileNameOf, readListing } from './listing.js';
import { parseMms, readMms, truncation } from './mms-csv.js';
import type { MmsRow, RejectedRow } from './mms-csv.js';
import { formatNem } from '../../schemas/aemo/nem-time.js';
import { rawTopicOf, toRawRecord } from './records.js';
import type { RawDispatchPrice, RawInterconnectorRes, RawRooftopActual, RawUnitScada } from '../../schemas/aemo/raw.js';
import { CorruptZipError, zipCsvs } from './zip.js';

export type AemoRawValue = RawUnitScada | RawDispatchPrice | RawInterconnectorRes | RawRooftopActual;

/** The source's options (CLI flags). Without `from`/`to` it polls the Current dirs. */
export interface AemoOptions {
  /** Backfill: first and last NEM calendar day, `YYYY-MM-DD`. */
  from?: string;
  to?: string;
  /** Subset of scada, price, interconnector, rooftop (array or comma list); default all. Applies to both modes. */
  datasets?: string | AemoWant[];
  /** Pretend it is this instant (ms or ISO) when choosing Current / Archive / MMSDM: for tests and reruns. */
  now?: number | string;
  /** Backfill a range again even if an earlier run of the same range finished (gap repair). */
  refetch?: boolean;
  /** Polls a truncated live file is retried on before it is dead-lettered (default 3). */
  truncatedRetries?: number;
  /** Rows per batch when reading an MMSDM monthly table (default 10 000). */
  rowsPerBatch?: number;
}

/** Progress through the live Current dir of one dataset. */
export interface LiveCursor {
  /** NEM label of a file stamp: files stamped at or before it are done (their names were pruned from `done`). */
  through: string | null;
  /** Files after `through` that are published. */
  done: string[];
  /** Files after `through` that were dead-lettered (unreadable, or still truncated after the retries). */
  dead: string[];
  /** Truncated files seen so far: name -> polls. */
  retries: Record<string, number>;
}

export interface BackfillCursor {
  /** The request it belongs to (`from..to:datasets`); another request starts afresh. */
  range: string;
  /** Days finished per want. */
  done: DoneDays;
  /** Position inside the unit being read: inner files done (nested archives) or part and line (MMSDM). */
  at?: { unit: string; files?: number; part?: number; line?: number };
}

/** JSON, bounded: live names only from the last `keepHours`, backfill days as ranges. */
export interface AemoCursor {
  v: 1;
  /** By dataset (`scada`, `dispatchis`, `rooftop`); a run limited to some tables of a dataset keeps its own
   * (`dispatchis:price`), since marking a file done for it says nothing about the other tables. */
  live: Record<string, LiveCursor>;
  backfill?: BackfillCursor;
}

export interface AemoSourceConfig {
  /** Source name (cursor key, transactional id); default `aemo`. */
  name?: string;
  /** Raw topic prefix; default `raw.aemo` (topics `<prefix>.unit_scada`, …). Tests use their own. */
  topicPrefix?: string;
  /** Default: AEMO_BASE_URL, read when a run starts, else https://nemweb.com.au. */
  baseUrl?: string;
  pollEveryMs?: number;
  /** How long names of live files stay in the cursor (default 48 h: the Current dir holds about 2-3 days). */
  keepHours?: number;
  /** HTTP client overrides (tests shorten the backoff). */
  http?: Partial<Omit<HttpClientOptions, 'source'>>;
}

/** NEMWEB is reported to answer 406 to non-browser clients; the reference sends a browser User-Agent. */
export const BROWSER_USER_AGENT = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36';

/**
 * Which table a raw value is. The values carry no table field, but each schema has a column no other has, and
 * records.ts always sets every column (null when absent), so the key is always present.
 */
export function rawTableOf(v: AemoRawValue): AemoWant {
  if ('duid' in v) return 'scada';
  if ('interconnectorid' in v) return 'interconnector';
  if ('interval_datetime' in v) return 'rooftop';
  if ('rrp' in v) return 'price';
  throw new Error('not a raw AEMO value (no duid, interconnectorid, interval_datetime or rrp field)');
}

export function aemoSource(config: AemoSourceConfig = {}): SourceComponent<AemoRawValue, AemoCursor, AemoOptions> {
  const name = config.name ?? 'aemo';
  const specs = aemoRawTopicSpecs(config.topicPrefix);
  const clients = new Map<string, HttpClient>();
  // One client per base URL for the component's life, so pacing and the circuit breaker span polls.
  const clientFor = (base: string): HttpClient => {
    const existing = clients.get(base);
    if (existing) return existing;
    // Paced for nemweb.com.au; a local stand-in (demo, tests, benchmark) is not a public server to be polite to.
    const local = /^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:|\/|$)/.test(base);
    const client = createHttpClient({
      source: 'aemo',
      userAgent: BROWSER_USER_AGENT,
      ...(local ? {} : { requestsPerSecond: 10 }),
      concurrency: 2,
      retries: 4,
      circuitBreaker: { failureThreshold: 5, resetMs: 60_000 },
      onRequest: (i) => metrics.httpRequests.inc({ source: i.source, status: String(i.status) }),
      ...config.http,
    });
    clients.set(base, client);
    return client;
  };
  return {
    kind: 'source',
    name,
    // Unit SCADA first: the runner sends a batch's dead letters (whole unreadable files) to the dead-letter topic of
    // a source's first topic, `dlq.<prefix>.unit_scada`.
    topics: [specs.scada, specs.price, specs.interconnector, specs.rooftop],
    topicOf: (v) => specs[rawTableOf(v)].name,
    pollEveryMs: config.pollEveryMs ?? 30_000,
    source: {
      name,
      read(cursor, options, ctx) {
        const base = (config.baseUrl ?? process.env.AEMO_BASE_URL ?? NEMWEB).replace(/\/+$/, '');
        const run: Run = {
          http: clientFor(base),
          base,
          wants: parseWants(options.datasets),
          keepMs: (config.keepHours ?? 48) * 3600_000,
          truncatedRetries: options.truncatedRetries ?? 3,
          rowsPerBatch: options.rowsPerBatch ?? 10_000,
          now: options.now === undefined ? Date.now() : typeof options.now === 'number' ? options.now : Date.parse(options.now),
          ctx,
          state: cursor ? structuredClone(cursor) : { v: 1, live: {} },
        };
        if (Number.isNaN(run.now)) throw new Error(`now: not a time: ${JSON.stringify(options.now)}`);
        if (options.from !== undefined || options.to !== undefined) {
          const from = options.from ?? options.to!;
          return backfill(run, { from, to: options.to ?? from, wants: run.wants }, options.refetch === true);
        }
        return poll(run);
      },
    },
  };
}

// ---- one run ----

interface Run {
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

type Batch = SourceBatch<AemoRawValue, AemoCursor>;

const snapshot = (run: Run): AemoCursor => structuredClone(run.state);

/** nemweb.com.au URLs (files.ts) moved onto the configured base (a local server in tests and the demo). */
const rebase = (run: Run, url: string): string => (url.startsWith(NEMWEB) ? run.base + url.slice(NEMWEB.length) : url);

/** Errors that mean "could not fetch this now": skip it and try again later. Anything else is a bug and is thrown. */
const isFetchFailure = (err: unknown): boolean => err instanceof HttpError || err instanceof NetworkError || err instanceof CircuitOpenError;

/** A whole file too large for a Kafka message is dead-lettered without its bytes (it can be fetched again). */
const MAX_DEAD_BYTES = 512 * 1024;

function deadLetter(bytes: Buffer, sourceRef: string, reason: string): DeadLetterInput {
  if (bytes.length <= MAX_DEAD_BYTES) return { reason, sourceRef, bytes };
  return { reason: `${reason} (${bytes.length} bytes, too large to attach: fetch ${sourceRef} again)`, sourceRef, bytes: Buffer.alloc(0) };
}

/** Raw records of some MMS rows, only for the wanted tables; headers carry the CSV's name and the row's line. */
function recordsOf(rows: Iterable<MmsRow>, file: string, sourceRef: string, fallbackTime: number, wants: readonly AemoWant[]): RawRecord<AemoRawValue>[] {
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
function rowDeadLetters(rejected: readonly RejectedRow[], file: string, sourceRef: string, wants: readonly AemoWant[]): DeadLetterInput[] {
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
const isUnreadableCsv = (err: unknown): boolean => err instanceof Error && err.message.startsWith('MMS CSV unreadable');

type LiveRead =
  | { kind: 'ok'; records: RawRecord<AemoRawValue>[]; deadLetters: DeadLetterInput[] }
  | { kind: 'truncated'; reason: string }
  | { kind: 'unreadable'; reason: string };

/** Reads a live 5-/30-minute zip (one small CSV) whole. */
async function readLiveZip(bytes: Buffer, zipName: string, fallbackTime: number, wants: readonly AemoWant[]): Promise<LiveRead> {
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

// ---- live cursor bookkeeping (pure) ----

const emptyLive = (): LiveCursor => ({ through: null, done: [], dead: [], retries: {} });

const stampOf = (name: string): string => parseFileName(name)?.stamp.nem ?? '';

const isHandled = (live: LiveCursor, name: string): boolean => live.done.includes(name) || live.dead.includes(name);

/** The live cursor entry for a dataset read for some wants. */
function liveKey(dataset: AemoDataset, wants: readonly AemoWant[]): string {
  const all = AEMO_WANTS.filter((w) => WANT_DATASET[w] === dataset);
  const some = all.filter((w) => wants.includes(w));
  return some.length === all.length ? dataset : `${dataset}:${some.join(',')}`;
}

/** Records a file's outcome and forgets names older than `keepMs` before the newest, raising `through` over them. */
export function markLive(live: LiveCursor, name: string, outcome: 'done' | 'dead' | { retries: number }, keepMs: number): LiveCursor {
  const next: LiveCursor = {
    through: live.through,
    done: live.done.filter((n) => n !== name),
    dead: live.dead.filter((n) => n !== name),
    retries: { ...live.retries },
  };
  delete next.retries[name];
  if (outcome === 'done') next.done.push(name);
  else if (outcome === 'dead') next.dead.push(name);
  else next.retries[name] = outcome.retries;
  const all = [...next.done, ...next.dead, ...Object.keys(next.retries)];
  const newest = all.map((n) => parseFileName(n)?.stamp.utc ?? 0).reduce((a, b) => Math.max(a, b), 0);
  const cutoff = formatNem(newest - keepMs);
  const old = (n: string): boolean => stampOf(n) < cutoff;
  for (const n of all.filter(old)) if (next.through === null || stampOf(n) > next.through) next.through = stampOf(n);
  next.done = next.done.filter((n) => !old(n));
  next.dead = next.dead.filter((n) => !old(n));
  for (const n of Object.keys(next.retries)) if (old(n)) delete next.retries[n];
  return next;
}

// ---- continuous mode ----

interface Listed {
  url: string;
  name: string;
  meta: AemoFileName;
}

const CURRENT_DIR: Record<AemoDataset, string> = {
  scada: '/Reports/Current/Dispatch_SCADA/',
  dispatchis: '/Reports/Current/DispatchIS_Reports/',
  rooftop: '/Reports/Current/ROOFTOP_PV/ACTUAL/',
};

/** The live files of a dataset in its Current dir, oldest first; null when the listing cannot be fetched now. */
async function listCurrent(run: Run, dataset: AemoDataset): Promise<Listed[] | null> {
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
async function* liveFile(run: Run, key: string, wants: readonly AemoWant[], f: Listed): AsyncGenerator<Batch, 'published' | 'dead' | 'pending'> {
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

const datasetsOf = (wants: readonly AemoWant[]): AemoDataset[] => AEMO_DATASETS.filter((d) => wants.some((w) => WANT_DATASET[w] === d));

/** One poll: every Current-dir file not yet handled, one batch each. */
async function* poll(run: Run): AsyncGenerator<Batch> {
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

// ---- backfill ----

const rangeKey = (req: { from: string; to: string; wants: readonly AemoWant[] }): string => `${req.from}..${req.to}:${req.wants.join(',')}`;

async function* backfill(run: Run, req: { from: string; to: string; wants: AemoWant[] }, refetch: boolean): AsyncGenerator<Batch> {
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
async function* currentUnit(run: Run, unit: BackfillUnit): AsyncGenerator<Batch, boolean> {
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
async function* archiveUnit(run: Run, unit: BackfillUnit): AsyncGenerator<Batch, boolean> {
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
const hasParts = (month: string): boolean => month >= '2024-08';

/** One MMSDM monthly table, streamed: rows of the requested days only, `rowsPerBatch` at a time. */
async function* mmsdmUnit(run: Run, unit: BackfillUnit): AsyncGenerator<Batch, boolean> {
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
