// The geocoding stage: a source over the geocoder cache (neso_geocode_cache, filled by the components sink). Each run
// asks the due postcodes of a postcodes.io-compatible API in bulk (POST /postcodes, 100 per call) and the due
// location strings of a Nominatim-compatible one (1 request/s), publishes every answer (found or not) to
// clean.neso.locations, then records it in the cache: a found place is never asked again, a miss or a failure waits
// (backing off) and is retried later, so nothing holds up the crawl or the other queries. With neither URL set the
// stage is skipped and says so.
import type { SourceComponent } from '../../runtime/components.js';
import { pool } from '../../runtime/db.js';
import { createHttpClient, type HttpClient, type HttpClientOptions } from '../../runtime/http.js';
import { log } from '../../runtime/log.js';
import { metrics } from '../../runtime/metrics.js';
import { readSetting } from '../../runtime/settings.js';
import { ident } from '../../runtime/sql.js';
import type { RawRecord, SourceBatch, SourceContext } from '../../runtime/types.js';
import type { NesoLocation } from '../../schemas/neso/records.gen.js';
import { nesoTables, type NesoTables } from '../../schemas/neso/tables.js';
import { nesoTopics, type NesoTopics } from '../../schemas/neso/topics.js';
import { nominatimAnswer, postcodeAnswers, type Answer } from './geocode-answers.js';

export interface GeocoderConfig {
  name?: string;
  topics?: NesoTopics;
  tables?: NesoTables;
  postcodesUrl?: string;
  geocoderUrl?: string;
  /** Free-text requests per second (default GEOCODER_REQUESTS_PER_SECOND, 1). */
  textPerSecond?: number;
  /** Most queries of each kind asked per run. */
  maxPostcodes?: number;
  maxTexts?: number;
  http?: Partial<HttpClientOptions>;
  now?: () => number;
}

export type GeocoderCursor = Record<string, never>;

const HOUR = 3600_000;
/** A miss is asked again after a week (the place may be added), at most three times; a failure after minutes. */
const retryDelay = (status: 'missing' | 'failed', attempts: number): number => (status === 'missing' ? 7 * 24 * HOUR : Math.min(24 * HOUR, 10 * 60_000 * 2 ** Math.max(0, attempts - 1)));
const MAX_MISS_ATTEMPTS = 3;

interface Due {
  kind: 'postcode' | 'text';
  query: string;
  attempts: number;
}

export function nesoGeocoderComponent(cfg: GeocoderConfig = {}): SourceComponent<NesoLocation, GeocoderCursor> {
  const name = cfg.name ?? 'neso-geocoder';
  const topics = cfg.topics ?? nesoTopics();
  const tables = cfg.tables ?? nesoTables();
  const now = cfg.now ?? Date.now;

  async function due(kind: 'postcode' | 'text', limit: number): Promise<Due[]> {
    const r = await pool().query<Due>(
      `select kind, query, attempts from ${ident(tables.geocodeCache)}
        where kind = $1 and status <> 'found' and not (status = 'missing' and attempts >= $3) and next_try_at <= now()
        order by next_try_at, query limit $2`,
      [kind, limit, MAX_MISS_ATTEMPTS],
    );
    return r.rows;
  }

  async function record(answers: { q: Due; status: 'found' | 'missing' | 'failed' }[]): Promise<void> {
    if (!answers.length) return;
    const t = now();
    await pool().query(
      `update ${ident(tables.geocodeCache)} c set status = a.status, attempts = c.attempts + 1, asked_at = to_timestamp($4::double precision / 1000),
              next_try_at = to_timestamp(a.next::double precision / 1000)
         from unnest($1::text[], $2::text[], $3::text[], $5::bigint[]) as a(kind, query, status, next)
        where c.kind = a.kind and c.query = a.query`,
      [answers.map((a) => a.q.kind), answers.map((a) => a.q.query), answers.map((a) => a.status), t, answers.map((a) => (a.status === 'found' ? t : t + retryDelay(a.status, a.q.attempts + 1)))],
    );
  }

  const toRecord = (q: Due, a: Answer, url: string, at: number): RawRecord<NesoLocation> => ({
    key: `${q.kind}|${q.query}`,
    value: { kind: q.kind, query: q.query, found: a.found, latitude: a.latitude, longitude: a.longitude, provider: q.kind === 'postcode' ? 'postcodes' : 'nominatim', detail: a.detail, answered_at: at },
    eventTime: at,
    sourceRef: url,
  });

  async function* read(_cursor: GeocoderCursor | undefined, _o: Record<string, unknown>, ctx: SourceContext): AsyncGenerator<SourceBatch<NesoLocation, GeocoderCursor>> {
    const postcodesUrl = cfg.postcodesUrl ?? readSetting('POSTCODES_URL');
    const geocoderUrl = cfg.geocoderUrl ?? readSetting('GEOCODER_URL');
    if (!postcodesUrl && !geocoderUrl) {
      log.warn({ stage: name }, 'geocoding skipped: neither POSTCODES_URL nor GEOCODER_URL is set (components keep no coordinates; the map views stay empty)');
      return;
    }
    const common = { concurrency: 1, timeoutMs: 30_000, retries: 2, signal: ctx.signal, onRequest: (i: { source: string; status: number | 'error' }) => metrics.httpRequests.inc({ source: i.source, status: String(i.status) }), ...cfg.http };
    const ask = async <T>(run: () => Promise<T>): Promise<T | 'failed'> => {
      try {
        return await run();
      } catch (err) {
        if (ctx.signal.aborted) throw err;
        // A geocoder that fails is retried later; the stream goes on.
        log.warn({ stage: name, err: (err as Error).message }, 'geocoder request failed; retried later');
        return 'failed';
      }
    };

    if (postcodesUrl) {
      const http: HttpClient = createHttpClient({ source: `${name}-postcodes`, requestsPerSecond: 5, ...common });
      const url = `${postcodesUrl.replace(/\/+$/, '')}/postcodes`;
      const todo = await due('postcode', cfg.maxPostcodes ?? 5000);
      for (let i = 0; i < todo.length; i += 100) {
        const chunk = todo.slice(i, i + 100);
        const res = await ask(async () => postcodeAnswers(JSON.parse((await http.post(url, JSON.stringify({ postcodes: chunk.map((q) => q.query) }))).body.toString('utf8')) as unknown));
        const at = now();
        const answers = chunk.map((q) => ({ q, a: res === 'failed' ? undefined : (res.get(q.query) ?? { found: false, latitude: null, longitude: null, detail: null }) }));
        yield { records: answers.flatMap(({ q, a }) => (a ? [toRecord(q, a, url, at)] : [])), cursor: {} };
        await record(answers.map(({ q, a }) => ({ q, status: !a ? 'failed' : a.found ? 'found' : 'missing' })));
      }
    }
    if (geocoderUrl) {
      const http: HttpClient = createHttpClient({ source: `${name}-text`, requestsPerSecond: cfg.textPerSecond ?? readSetting('GEOCODER_REQUESTS_PER_SECOND') ?? 1, ...common });
      const todo = await due('text', cfg.maxTexts ?? 600);
      for (const q of todo) {
        const u = new URL(`${geocoderUrl.replace(/\/+$/, '')}/search`);
        u.searchParams.set('q', q.query);
        u.searchParams.set('format', 'jsonv2');
        u.searchParams.set('limit', '1');
        u.searchParams.set('countrycodes', 'gb');
        const a = await ask(async () => nominatimAnswer(JSON.parse((await http.get(u.toString(), { headers: { accept: 'application/json' } })).body.toString('utf8')) as unknown));
        yield { records: a === 'failed' ? [] : [toRecord(q, a, u.toString(), now())], cursor: {} };
        await record([{ q, status: a === 'failed' ? 'failed' : a.found ? 'found' : 'missing' }]);
      }
    }
  }

  return { kind: 'source', name, topics: [topics.locations], source: { name, read }, pollEveryMs: 60_000 };
}

