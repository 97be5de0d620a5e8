// The Elexon source: settlement bid and offer stacks per (date, period) -> raw.<id>.stack, and the BMU reference
// list -> the compacted raw.<id>.bmunits (one source writing both, so one run refreshes the reference data the
// processor joins against before the stacks it needs it for).
//
// Modes (options):
//   {date} or {from, to}  backfill: every period of the range (46/48/50 from the calendar), one batch per period,
//                         progress reported, ends when done; an interrupted backfill of the same range resumes.
//   {}                    continuous: follow the latest settled period, and every `revisionEveryMs` re-poll the last
//                         `windowDays` days, publishing only the responses that changed (body hash, or 304 on ETag).
// Every batch is one period's two responses plus the cursor, committed in one Kafka transaction by the runner.
import { createHash } from 'node:crypto';
import type { SourceComponent } from '../../runtime/components.js';
import { createHttpClient, HttpError, type HttpClient, type HttpClientOptions } from '../../runtime/http.js';
import { log } from '../../runtime/log.js';
import { metrics } from '../../runtime/metrics.js';
import type { DeadLetterInput, RawRecord, SourceBatch, SourceContext } from '../../runtime/types.js';
import { ELEXON_BASE_URL, bmUnitToRawRecord, bmUnitsUrl, stackUrl, toRawRecord } from './api.js';
import { STACK_SIDES, parseBmUnit, parseStackResponse, type BmUnit, type RawStackValue, type StackSide } from '../../schemas/elexon/raw.js';
import { periodOf, periodsBetween, settlementPeriods, type SettlementPeriodRef } from '../../schemas/elexon/calendar.js';
import {
  comparePeriods,
  latestSettled,
  nextPeriod,
  pruneSeen,
  rangeOf,
  slotKey,
  windowStart,
  type ElexonCursor,
  type SlotSeen,
} from './cursor.js';
import { elexonTopics, FETCH_HEADER, type ElexonTopics } from '../../schemas/elexon/topics.js';
import { readSetting } from '../../runtime/settings.js';

export type ElexonRawValue = RawStackValue | BmUnit;

export interface ElexonSourceOptions {
  date?: string;
  from?: string;
  to?: string;
}

export interface ElexonSourceConfig {
  /** Component name (also the cursor's key and the transactional id). */
  name?: string;
  topics?: ElexonTopics;
  baseUrl?: string;
  requestsPerMinute?: number;
  /** Periods fetched ahead of the one being published (each is two requests). */
  prefetch?: number;
  /** Days re-polled for revisions in continuous mode (the old system's reconciliation looked back 7). */
  windowDays?: number;
  revisionEveryMs?: number;
  /** How long after a period ends before its stacks are fetched. */
  settleLagMs?: number;
  /** How often the BMU reference list is refreshed. */
  bmunitsEveryMs?: number;
  http?: Partial<HttpClientOptions>;
  now?: () => number;
}


const isStack = (v: ElexonRawValue): v is RawStackValue => 'side' in v;

interface Fetched {
  records: RawRecord<ElexonRawValue>[];
  deadLetters: DeadLetterInput[];
  /** Fingerprints per slot key; absent for a slot the server said was unchanged (304). */
  seen: Record<string, SlotSeen>;
  /** Slots whose response differs from the fingerprint passed in. */
  changed: string[];
}

const fingerprint = (body: Buffer): string => createHash('sha1').update(body).digest('base64url').slice(0, 12);

const deadLetter = (reason: string, sourceRef: string, bytes: Buffer | string, headers?: Record<string, string>): DeadLetterInput => ({
  reason,
  sourceRef,
  bytes: Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes, 'utf8'),
  ...(headers ? { headers } : {}),
});

/** One response: parsed rows become records, elements that cannot be typed become dead letters with the reason. */
async function fetchSide(http: HttpClient, baseUrl: string, side: StackSide, ref: SettlementPeriodRef, before: SlotSeen | undefined): Promise<Fetched> {
  const url = stackUrl(baseUrl, side, ref.date, ref.period);
  const key = slotKey(side, ref.date, ref.period);
  const out: Fetched = { records: [], deadLetters: [], seen: {}, changed: [] };
  let res;
  try {
    res = await http.get(url, { headers: { accept: 'application/json' }, ...(before?.e ? { etag: before.e } : {}) });
  } catch (err) {
    // A 4xx after the client's retries means this request can never succeed as asked: record it and go on.
    // Retryable failures (429/5xx/network) that outlast the retries end the run; the cursor keeps the position.
    if (err instanceof HttpError && !err.retryable) {
      out.deadLetters.push(deadLetter(`HTTP ${err.status}`, url, err.bodyExcerpt));
      return out;
    }
    throw err;
  }
  if (res.notModified) return out;
  const h = fingerprint(res.body);
  out.seen[key] = { h, ...(res.etag ? { e: res.etag } : {}) };
  if (before?.h === h) return out;
  out.changed.push(key);
  let parsed;
  try {
    parsed = parseStackResponse(JSON.parse(res.body.toString('utf8')) as unknown);
  } catch (err) {
    out.deadLetters.push(deadLetter(`unreadable stack response: ${(err as Error).message}`, url, res.body));
    return out;
  }
  const fetchedAt = String(Date.now());
  for (const row of parsed.rows) {
    try {
      const r = toRawRecord(row, side, url);
      out.records.push({ ...r, headers: { [FETCH_HEADER]: fetchedAt } });
    } catch (err) {
      out.deadLetters.push(deadLetter((err as Error).message, url, JSON.stringify(row)));
    }
  }
  // The element's index in `data` is its position in the response, as a CSV row's line is in its file.
  for (const b of parsed.bad) out.deadLetters.push(deadLetter(`data[${b.index}]: ${b.error}`, url, JSON.stringify(b.element) ?? 'undefined', { element: String(b.index) }));
  return out;
}

async function fetchPeriod(http: HttpClient, baseUrl: string, ref: SettlementPeriodRef, seen: Record<string, SlotSeen> | undefined): Promise<Fetched> {
  const sides = await Promise.all(STACK_SIDES.map((side) => fetchSide(http, baseUrl, side, ref, seen?.[slotKey(side, ref.date, ref.period)])));
  return {
    records: sides.flatMap((s) => s.records),
    deadLetters: sides.flatMap((s) => s.deadLetters),
    seen: Object.assign({}, ...sides.map((s) => s.seen)) as Record<string, SlotSeen>,
    changed: sides.flatMap((s) => s.changed),
  };
}

/** Runs `fn` over items with up to `width` in flight, yielding results in the items' order. */
async function* prefetched<T, R>(items: T[], width: number, fn: (item: T) => Promise<R>, signal: AbortSignal): AsyncGenerator<R> {
  const inFlight: Promise<R>[] = [];
  let next = 0;
  const fill = () => {
    while (inFlight.length < width && next < items.length && !signal.aborted) {
      const p = fn(items[next++]!);
      // Awaited in order below; this only keeps a failure of a later item from being reported as unhandled.
      p.catch(() => undefined);
      inFlight.push(p);
    }
  };
  fill();
  while (inFlight.length > 0) {
    const r = await inFlight.shift()!;
    if (signal.aborted) return;
    yield r;
    fill();
  }
}

async function fetchBmUnits(http: HttpClient, baseUrl: string, now: number): Promise<{ records: RawRecord<ElexonRawValue>[]; deadLetters: DeadLetterInput[] }> {
  const url = bmUnitsUrl(baseUrl);
  const res = await http.get(url, { headers: { accept: 'application/json' } });
  let body: unknown;
  try {
    body = JSON.parse(res.body.toString('utf8')) as unknown;
  } catch (err) {
    return { records: [], deadLetters: [deadLetter(`BMU reference is not JSON: ${(err as Error).message}`, url, res.body)] };
  }
  // The API answers with a bare array; accept the {data: [...]} envelope the other endpoints use as well.
  const list = Array.isArray(body) ? body : typeof body === 'object' && body !== null && Array.isArray((body as { data?: unknown }).data) ? ((body as { data: unknown[] }).data) : undefined;
  if (!list) return { records: [], deadLetters: [deadLetter('BMU reference is not a JSON array', url, res.body)] };
  const records: RawRecord<ElexonRawValue>[] = [];
  const deadLetters: DeadLetterInput[] = [];
  for (const element of list) {
    const r = parseBmUnit(element);
    if (r.ok) records.push(bmUnitToRawRecord(r.value, url, now));
    else deadLetters.push(deadLetter(r.error, url, JSON.stringify(element) ?? 'undefined'));
  }
  return { records, deadLetters };
}

export function elexonSourceComponent(cfg: ElexonSourceConfig = {}): SourceComponent<ElexonRawValue, ElexonCursor, ElexonSourceOptions> {
  const name = cfg.name ?? 'elexon';
  const topics = cfg.topics ?? elexonTopics();
  const now = cfg.now ?? Date.now;
  const windowDays = cfg.windowDays ?? 7;
  const revisionEveryMs = cfg.revisionEveryMs ?? 30 * 60_000;
  const settleLagMs = cfg.settleLagMs ?? 30 * 60_000;
  const bmunitsEveryMs = cfg.bmunitsEveryMs ?? 24 * 3600_000;
  const prefetch = cfg.prefetch ?? 5;

  async function* read(cursor: ElexonCursor | undefined, options: ElexonSourceOptions, ctx: SourceContext): AsyncGenerator<SourceBatch<ElexonRawValue, ElexonCursor>> {
    // Read at run time, not at import: the CLI and the demo set ELEXON_BASE_URL before they run the source.
    const base = cfg.baseUrl ?? (readSetting('ELEXON_BASE_URL') ?? ELEXON_BASE_URL);
    const http = createHttpClient({
      source: name,
      requestsPerMinute: cfg.requestsPerMinute ?? readSetting('ELEXON_REQUESTS_PER_MINUTE') ?? 4000,
      concurrency: 2 * prefetch,
      timeoutMs: 30_000,
      retries: 5,
      // The old system waited 60 s after a 429; a Retry-After up to 2 minutes is obeyed as sent.
      maxRetryAfterMs: 120_000,
      circuitBreaker: { failureThreshold: 5, resetMs: 60_000 },
      onRequest: (i) => metrics.httpRequests.inc({ source: i.source, status: String(i.status) }),
      signal: ctx.signal,
      ...cfg.http,
    });
    let c: ElexonCursor = { ...(cursor ?? {}) };
    const t0 = now();
    const today = periodOf(t0).date;
    const recentFrom = windowStart(t0, windowDays);
    const remember = (seen: Record<string, SlotSeen>) => {
      const recent = Object.fromEntries(Object.entries(seen).filter(([k]) => (k.split('/')[1] ?? '') >= recentFrom));
      c.seen = { ...pruneSeen(c.seen, recentFrom), ...recent };
    };

    if (c.bmunitsAt === undefined || t0 - c.bmunitsAt >= bmunitsEveryMs) {
      const units = await fetchBmUnits(http, base, t0);
      c = { ...c, bmunitsAt: t0 };
      log.info({ source: name, units: units.records.length, rejected: units.deadLetters.length }, 'BMU reference list fetched');
      yield { records: units.records, deadLetters: units.deadLetters, cursor: c };
    }

    const range = rangeOf(options, today);
    if (range) {
      const periods = periodsBetween(range.from, range.to);
      if (periods.length === 0) throw new Error(`empty range: ${range.from} .. ${range.to}`);
      const resume = c.backfill && c.backfill.from === range.from && c.backfill.to === range.to && c.backfill.next < periods.length ? c.backfill.next : 0;
      if (resume > 0) log.info({ source: name, ...range, resumeAt: periods[resume] }, 'resuming backfill');
      let i = resume;
      // A backfill always publishes what it fetched (it is an explicit re-fetch), so no fingerprints are passed in.
      for await (const f of prefetched(periods.slice(resume), prefetch, (ref) => fetchPeriod(http, base, ref, undefined), ctx.signal)) {
        i++;
        remember(f.seen);
        c = { ...c, backfill: i < periods.length ? { from: range.from, to: range.to, next: i } : undefined };
        ctx.progress?.(i, periods.length);
        yield { records: f.records, deadLetters: f.deadLetters, cursor: c };
      }
      return;
    }

    // Follow: every period after the last one fetched, up to the latest settled one. A first run starts at the
    // window's first day, so it has just fetched everything a sweep would re-poll: the first sweep waits its turn.
    const fresh = !c.latest;
    const settled = latestSettled(t0, settleLagMs);
    const follow: SettlementPeriodRef[] = [];
    for (let ref = c.latest ? nextPeriod(c.latest) : { date: recentFrom, period: 1 }; comparePeriods(ref, settled) <= 0; ref = nextPeriod(ref)) follow.push(ref);
    let done = 0;
    for await (const f of prefetched(follow, prefetch, (ref) => fetchPeriod(http, base, ref, undefined), ctx.signal)) {
      remember(f.seen);
      done++;
      c = { ...c, latest: follow[done - 1], ...(fresh && done === follow.length ? { sweptAt: t0 } : {}) };
      ctx.progress?.(done, follow.length);
      yield { records: f.records, deadLetters: f.deadLetters, cursor: c };
    }

    // Revisions: settlement runs restate periods for days afterwards; re-poll the window and publish what changed.
    if (!c.latest || (!c.sweep && c.sweptAt !== undefined && t0 - c.sweptAt < revisionEveryMs)) return;
    const sweep = c.sweep ?? { startedAt: t0, next: { date: recentFrom, period: 1 } };
    const start = comparePeriods(sweep.next, { date: recentFrom, period: 1 }) < 0 ? { date: recentFrom, period: 1 } : sweep.next;
    const todo: SettlementPeriodRef[] = [];
    for (let ref = start; comparePeriods(ref, c.latest) <= 0; ref = nextPeriod(ref)) todo.push(ref);
    let revised = 0;
    let k = 0;
    for await (const f of prefetched(todo, prefetch, (ref) => fetchPeriod(http, base, ref, c.seen), ctx.signal)) {
      const ref = todo[k++]!;
      remember(f.seen);
      const last = k === todo.length;
      const endOfDay = ref.period === settlementPeriods(ref.date);
      c = last ? { ...c, sweep: undefined, sweptAt: sweep.startedAt } : { ...c, sweep: { startedAt: sweep.startedAt, next: nextPeriod(ref) } };
      if (f.changed.length) revised += f.changed.length;
      // Unchanged periods only move the cursor at the end of each day, so a quiet sweep writes a few cursors, not hundreds.
      if (f.records.length || f.deadLetters.length || endOfDay || last) yield { records: f.records, deadLetters: f.deadLetters, cursor: c };
    }
    log.info({ source: name, periods: todo.length, revisedResponses: revised }, 'revision sweep done');
  }

  return {
    kind: 'source',
    name,
    topics: [topics.stack, topics.bmunits],
    topicOf: (v) => (isStack(v) ? topics.stack.name : topics.bmunits.name),
    source: { name, read },
    pollEveryMs: 5 * 60_000,
  };
}
