// The NESO Capacity Market Register source: a polite CKAN crawl of the register (paged by offset) and then of the
// components of every CMU it found (one `filters={"CMU ID": …}` call per CMU, each row verified to belong to it:
// `q` is full-text and returns other CMUs' rows). Only records whose content hash differs from what was published
// before go out (`{full: true}` publishes everything). Each page (register) or group of CMUs (components) is one
// batch: its records and the cursor commit in one Kafka transaction, so a crawl killed at any page resumes there with
// no duplicate and no gap.
import type { SourceComponent } from '../../runtime/components.js';
import { createHttpClient, HttpError, type HttpClient, type HttpClientOptions } from '../../runtime/http.js';
import { log } from '../../runtime/log.js';
import { metrics } from '../../runtime/metrics.js';
import { readSetting } from '../../runtime/settings.js';
import type { DeadLetterInput, RawRecord, SourceBatch, SourceContext } from '../../runtime/types.js';
import { CMU_RESOURCE, COMPONENT_RESOURCE, cmuKey, componentKey, fieldOf, parseDatastoreResponse, type CkanRecord, type DatastorePage } from '../../schemas/neso/raw.js';
import { nesoTables, type NesoTables } from '../../schemas/neso/tables.js';
import { nesoTopics, type NesoTopics } from '../../schemas/neso/topics.js';
import { datastoreSearchUrl, NESO_BASE_URL, rawRecord, contentHash } from './ckan.js';
import { addTodo, dropTodo, hashKey, loadHashes, logCrawl, saveHashes, todoAfter, type CrawlCounts, type HashResource } from './crawl-state.js';

export interface NesoCursor {
  /** A crawl under way: its id (start time, ms), its phase and where in it. */
  crawl?: { id: number; phase: 'register' | 'components'; offset: number; after?: string; full: boolean };
  /** The last finished crawl. */
  last?: { id: number; completedAt: number };
}

export interface NesoSourceOptions {
  /** Publish every record, changed or not (a rebuild). */
  full?: boolean;
}

export interface NesoSourceConfig {
  name?: string;
  topics?: NesoTopics;
  tables?: NesoTables;
  baseUrl?: string;
  /** Pause between requests, ms (default NESO_THROTTLE_MS, 1500). */
  throttleMs?: number;
  pageSize?: number;
  /** CMUs whose components make one batch (one Kafka transaction; a resumed crawl repeats at most this many calls). */
  cmusPerBatch?: number;
  http?: Partial<HttpClientOptions>;
  now?: () => number;
}

const text = (x: unknown): string => (typeof x === 'string' ? x.trim() : typeof x === 'number' && Number.isFinite(x) ? String(x) : '');

const deadLetter = (reason: string, sourceRef: string, bytes: Buffer | string): DeadLetterInput => ({ reason, sourceRef, bytes: Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes, 'utf8') });

interface Fetched {
  page?: DatastorePage;
  dead?: DeadLetterInput;
}

/** One datastore_search call. A 4xx or a `success:false` body becomes a dead letter; retryable failures throw. */
async function search(http: HttpClient, url: string): Promise<Fetched> {
  let body: Buffer;
  try {
    body = (await http.get(url, { headers: { accept: 'application/json' } })).body;
  } catch (err) {
    if (err instanceof HttpError && !err.retryable) return { dead: deadLetter(`HTTP ${err.status}`, url, err.bodyExcerpt) };
    throw err;
  }
  try {
    return { page: parseDatastoreResponse(JSON.parse(body.toString('utf8')) as unknown) };
  } catch (err) {
    return { dead: deadLetter(`unreadable CKAN response: ${(err as Error).message}`, url, body) };
  }
}

export function nesoSourceComponent(cfg: NesoSourceConfig = {}): SourceComponent<CkanRecord, NesoCursor, NesoSourceOptions> {
  const name = cfg.name ?? 'neso';
  const topics = cfg.topics ?? nesoTopics();
  const tables = cfg.tables ?? nesoTables();
  const now = cfg.now ?? Date.now;
  const pageSize = cfg.pageSize ?? 100;
  const cmusPerBatch = cfg.cmusPerBatch ?? 50;

  async function* read(cursor: NesoCursor | undefined, options: NesoSourceOptions, ctx: SourceContext): AsyncGenerator<SourceBatch<CkanRecord, NesoCursor>> {
    const base = cfg.baseUrl ?? readSetting('NESO_BASE_URL') ?? NESO_BASE_URL;
    const throttleMs = cfg.throttleMs ?? readSetting('NESO_THROTTLE_MS') ?? 1500;
    const http = createHttpClient({
      source: name,
      ...(throttleMs > 0 ? { requestsPerSecond: 1000 / throttleMs } : {}),
      concurrency: 1,
      timeoutMs: 60_000,
      retries: 5,
      circuitBreaker: { failureThreshold: 5, resetMs: 60_000 },
      onRequest: (i) => metrics.httpRequests.inc({ source: i.source, status: String(i.status) }),
      signal: ctx.signal,
      ...cfg.http,
    });
    const resumed = cursor?.crawl;
    let crawl = resumed ?? { id: now(), phase: 'register' as const, offset: 0, full: options.full === true };
    if (resumed) log.info({ source: name, ...resumed }, 'resuming the NESO crawl');
    const known = crawl.full ? new Map<string, string>() : await loadHashes(tables.crawlHashes);
    const counts: CrawlCounts = { pages: 0, fetched: 0, published: 0, unchanged: 0, wrongCmu: 0, rejected: 0 };
    const fetchedAt = now();

    /** Records whose content changed since they were last published, and their hashes to remember once they are. */
    const changed = (resource: HashResource, resourceId: string, rows: { key: string; r: Record<string, unknown> }[], url: string) => {
      const records: RawRecord<CkanRecord>[] = [];
      const hashes: { key: string; hash: string }[] = [];
      for (const { key, r } of rows) {
        const hash = contentHash(r);
        if (known.get(hashKey(resource, key)) === hash) {
          counts.unchanged++;
          continue;
        }
        records.push(rawRecord(resourceId, key, r, url, fetchedAt));
        hashes.push({ key, hash });
      }
      counts.published += records.length;
      return { records, hashes };
    };

    if (crawl.phase === 'register') {
      // Unreadable pages are dead-lettered and skipped; several in a row mean the register itself is broken.
      let deadInARow = 0;
      for (;;) {
        const url = datastoreSearchUrl(base, { resourceId: CMU_RESOURCE, limit: pageSize, offset: crawl.offset });
        const f = await search(http, url);
        counts.pages++;
        const dead: DeadLetterInput[] = f.dead ? [f.dead] : [];
        const rows: { key: string; r: Record<string, unknown> }[] = [];
        for (const r of f.page?.records ?? []) {
          counts.fetched++;
          const key = cmuKey(r);
          if (key) rows.push({ key, r });
          else dead.push(deadLetter('register record without Auction Name or CMU ID', url, JSON.stringify(r)));
        }
        counts.rejected += dead.length;
        const n = f.page?.records.length ?? 0;
        const next = crawl.offset + (f.page ? n : pageSize);
        const total = f.page?.total;
        // CKAN's total may be an estimate: the end is a short page, or the offset past an exact total.
        const done = f.page ? n < pageSize || (total !== undefined && !f.page.totalWasEstimated && next >= total) : false;
        // The to-do list first: publishing the page moves the cursor past these CMUs.
        await addTodo(tables.crawlTodo, crawl.id, rows.map((x) => text(fieldOf(x.r, 'CMU ID'))));
        const out = changed('cmus', CMU_RESOURCE, rows, url);
        crawl = done ? { ...crawl, phase: 'components', offset: 0 } : { ...crawl, offset: next };
        ctx.progress?.(next, total);
        yield { records: out.records, deadLetters: dead, cursor: { ...cursor, crawl } };
        // Here the batch is committed: remember what it published.
        await saveHashes(tables.crawlHashes, 'cmus', out.hashes);
        if (done) break;
        deadInARow = f.dead ? deadInARow + 1 : 0;
        if (deadInARow >= 3) throw new Error(`NESO register unreadable three pages running: ${f.dead!.reason}`);
      }
    }

    const todo = await todoAfter(tables.crawlTodo, crawl.id, crawl.after);
    for (let i = 0; i < todo.length; i += cmusPerBatch) {
      const group = todo.slice(i, i + cmusPerBatch);
      const records: RawRecord<CkanRecord>[] = [];
      const hashes: { key: string; hash: string }[] = [];
      const dead: DeadLetterInput[] = [];
      for (const cmuId of group) {
        for (let offset = 0; ; ) {
          const url = datastoreSearchUrl(base, { resourceId: COMPONENT_RESOURCE, limit: 1000, offset, filters: { 'CMU ID': cmuId } });
          const f = await search(http, url);
          counts.pages++;
          if (f.dead) dead.push(f.dead);
          const rows: { key: string; r: Record<string, unknown> }[] = [];
          for (const r of f.page?.records ?? []) {
            counts.fetched++;
            // `filters` is exact, but a row filed under the wrong CMU is the old crawler's bug: verify, never trust.
            if (text(fieldOf(r, 'CMU ID')) !== cmuId) {
              counts.wrongCmu++;
              continue;
            }
            const key = componentKey(r);
            if (key) rows.push({ key, r });
            else dead.push(deadLetter('component record without Auction Name, CMU ID or Component ID', url, JSON.stringify(r)));
          }
          const out = changed('components', COMPONENT_RESOURCE, rows, url);
          records.push(...out.records);
          hashes.push(...out.hashes);
          const n = f.page?.records.length ?? 0;
          if (!f.page || n < 1000) break;
          offset += n;
        }
      }
      counts.rejected += dead.length;
      if (counts.wrongCmu) log.debug({ source: name, wrongCmu: counts.wrongCmu }, 'component rows of other CMUs ignored');
      crawl = { ...crawl, phase: 'components', after: group[group.length - 1] };
      ctx.progress?.(Math.min(i + cmusPerBatch, todo.length), todo.length);
      yield { records, deadLetters: dead, cursor: { ...cursor, crawl } };
      await saveHashes(tables.crawlHashes, 'components', hashes);
    }

    const last = { id: crawl.id, completedAt: now() };
    yield { records: [], cursor: { last } };
    await dropTodo(tables.crawlTodo, crawl.id);
    await logCrawl(`crawl:${name}`, crawl.id, counts, crawl.full);
    log.info({ source: name, ...counts, resumed: Boolean(resumed) }, 'NESO crawl finished');
  }

  return {
    kind: 'source',
    name,
    topics: [topics.cmus, topics.components],
    topicOf: (v) => (v.resource_id === CMU_RESOURCE ? topics.cmus.name : topics.components.name),
    source: { name, read },
    // The register changes with auctions and agreement events, not by the minute: one crawl a day.
    pollEveryMs: 24 * 3600_000,
  };
}
