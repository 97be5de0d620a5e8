// The HTTP helper every source uses to fetch public APIs (Node 20 global fetch).
// It is deliberately polite: requests are paced and bounded, failures are retried with full-jitter backoff,
// Retry-After is obeyed, and a circuit breaker stops a source hammering an API that is down.
//
// Retry choice: p-retry keeps the bookkeeping (attempt/retry counting, AbortError = "stop now", signal checks),
// but its own delay is switched off (minTimeout/maxTimeout 0) because its `randomize` multiplies by 1..2, which is
// not full jitter and cannot honour Retry-After. We sleep ourselves in `onFailedAttempt`, which p-retry awaits
// before the next attempt; non-retryable failures are thrown as AbortError so that hook never sees them.

import pRetry, { AbortError } from 'p-retry';
import { log, safeUrl } from './log.js';
import { packageVersion } from './paths.js';
import { CircuitOpenError, HttpError, NetworkError } from './http-errors.js';
import { anySignal, CircuitBreaker, Pacer, Semaphore, sleep } from './http-limits.js';

export { CircuitOpenError, HttpError, NetworkError };
import type { Logger } from './log.js';

export const DEFAULT_USER_AGENT = `gridstream/${packageVersion} (+https://github.com/gridstream; data pipeline)`;

export interface RequestInfo {
  source: string;
  url: string;
  /** HTTP status of this attempt, or 'error' when no response arrived (network failure, timeout). */
  status: number | 'error';
  ms: number;
}

export interface HttpClientOptions {
  /** Names the source in metrics and logs. */
  source: string;
  userAgent?: string;
  /** Requests are spaced evenly; with both limits the stricter one wins. */
  requestsPerSecond?: number;
  requestsPerMinute?: number;
  /** Most requests in flight at once (default unbounded). */
  concurrency?: number;
  /** Per attempt, including reading the body (default 30 000). */
  timeoutMs?: number;
  /** Retries after the first attempt (default 5). */
  retries?: number;
  /** Full-jitter backoff bounds (defaults 1 000 and 30 000). */
  minDelayMs?: number;
  maxDelayMs?: number;
  /** Ceiling on a server's Retry-After (default 120 000). */
  maxRetryAfterMs?: number;
  circuitBreaker?: { failureThreshold: number; resetMs: number };
  /** Called once per attempt; the runtime counts http_requests_total{source,status} through it. */
  onRequest?: (info: RequestInfo) => void;
  fetchImpl?: typeof fetch;
  /** Aborts every call of this client, including rate-limit waits and backoff sleeps. */
  signal?: AbortSignal;
  logger?: Pick<Logger, 'warn'>;
}

export interface RequestOptions {
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface GetOptions extends RequestOptions {
  /** ETag from an earlier response: sent as If-None-Match. */
  etag?: string;
  /** Last-Modified from an earlier response: sent as If-Modified-Since. */
  lastModified?: string;
  /** A request body: the request is then a POST (bulk lookups such as postcodes.io `POST /postcodes`). */
  body?: string;
}

export interface HttpResponse {
  status: number;
  /** Final URL, after redirects. */
  url: string;
  headers: Headers;
  /** Empty when notModified. */
  body: Buffer;
  notModified: boolean;
  etag?: string;
  lastModified?: string;
}

export interface HttpClient {
  get(url: string, opts?: GetOptions): Promise<HttpResponse>;
  getJson<T>(url: string, opts?: RequestOptions): Promise<T>;
  getText(url: string, opts?: RequestOptions): Promise<string>;
  /** POST `body` (JSON when no content-type is given), with the same pacing, retries and breaker as GET. */
  post(url: string, body: string, opts?: RequestOptions): Promise<HttpResponse>;
}

/**
 * Full-jitter backoff (AWS architecture blog): uniform in [0, min(max, min * 2^attempt)).
 * `attempt` counts retries already made, so the first retry waits up to `min`.
 */
export function fullJitterDelay(attempt: number, min: number, max: number, random: () => number = Math.random): number {
  // Capping the exponent keeps 2^attempt finite, so min = 0 never yields 0 * Infinity = NaN.
  const ceiling = Math.min(max, min * 2 ** Math.min(Math.max(attempt, 0), 52));
  return Math.floor(random() * ceiling);
}

/** Retry-After as ms from `now`: delay-seconds or an HTTP date (RFC 9110 §10.2.3). Undefined when absent or unreadable. */
export function parseRetryAfter(header: string | null | undefined, now: number = Date.now()): number | undefined {
  if (header == null) return undefined;
  const value = header.trim();
  if (value === '') return undefined;
  // RFC says whole seconds; decimals cost nothing to accept.
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  // V8's Date.parse reads odd strings like "-5" as years; an HTTP date always names a day or month.
  const at = /[a-z]/i.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}


function excerpt(body: Buffer): string {
  return body.subarray(0, 1024).toString('utf8').replace(/\s+/g, ' ').trim().slice(0, 200);
}

export function createHttpClient(opts: HttpClientOptions): HttpClient {
  const {
    source,
    userAgent = DEFAULT_USER_AGENT,
    timeoutMs = 30_000,
    retries = 5,
    minDelayMs = 1_000,
    maxDelayMs = 30_000,
    maxRetryAfterMs = 120_000,
    onRequest,
    fetchImpl = globalThis.fetch,
    signal: clientSignal,
  } = opts;
  const logger = opts.logger ?? log.child({ component: 'http', source });
  const intervalMs = Math.max(
    opts.requestsPerSecond ? 1000 / opts.requestsPerSecond : 0,
    opts.requestsPerMinute ? 60_000 / opts.requestsPerMinute : 0,
  );
  const pacer = new Pacer(intervalMs);
  const semaphore = new Semaphore(opts.concurrency ?? Number.POSITIVE_INFINITY);
  const breaker = opts.circuitBreaker
    ? new CircuitBreaker(opts.circuitBreaker.failureThreshold, opts.circuitBreaker.resetMs)
    : undefined;

  function report(url: string, status: number | 'error', ms: number): void {
    if (!onRequest) return;
    try {
      onRequest({ source, url, status, ms });
    } catch (err) {
      // A broken metrics hook must not fail a fetch.
      logger.warn({ err }, 'onRequest hook threw');
    }
  }

  /** One HTTP exchange. Resolves on 2xx/304, throws HttpError, NetworkError or the abort reason. */
  async function attemptOnce(url: string, headers: Record<string, string>, signal?: AbortSignal, requestBody?: string): Promise<HttpResponse> {
    // Slot first, then pace: pacing inside the slot means a request is sent the moment its slot is granted.
    await semaphore.acquire(signal);
    try {
      await pacer.wait(signal);
      const started = performance.now();
      const timeout = AbortSignal.timeout(timeoutMs);
      let res: Response;
      let body: Buffer;
      try {
        // The timeout signal also covers reading the body, so a stalled stream cannot hang us.
        res = await fetchImpl(url, { headers, signal: anySignal(signal, timeout), ...(requestBody !== undefined ? { method: 'POST', body: requestBody } : {}) });
        body = Buffer.from(await res.arrayBuffer());
      } catch (err) {
        // The caller giving up says nothing about the server, so it is not counted as an error.
        if (signal?.aborted) throw signal.reason;
        report(url, 'error', performance.now() - started);
        throw new NetworkError(url, timeout.aborted, err);
      }
      report(url, res.status, performance.now() - started);

      const etag = res.headers.get('etag') ?? undefined;
      const lastModified = res.headers.get('last-modified') ?? undefined;
      if (res.ok || res.status === 304) {
        const notModified = res.status === 304;
        return {
          status: res.status,
          url: res.url || url,
          headers: res.headers,
          body: notModified ? Buffer.alloc(0) : body,
          notModified,
          ...(etag !== undefined && { etag }),
          ...(lastModified !== undefined && { lastModified }),
        };
      }
      const retryAfterMs =
        res.status === 429 || res.status === 503 ? parseRetryAfter(res.headers.get('retry-after')) : undefined;
      if (retryAfterMs !== undefined) pacer.pause(Math.min(retryAfterMs, maxRetryAfterMs));
      throw new HttpError(res.status, res.url || url, excerpt(body), retryAfterMs);
    } finally {
      semaphore.release();
    }
  }

  async function get(url: string, getOpts: GetOptions = {}): Promise<HttpResponse> {
    const signal = anySignal(clientSignal, getOpts.signal);
    signal?.throwIfAborted();
    const headers: Record<string, string> = { 'user-agent': userAgent, ...getOpts.headers };
    if (getOpts.etag) headers['if-none-match'] = getOpts.etag;
    if (getOpts.lastModified) headers['if-modified-since'] = getOpts.lastModified;

    const trial = breaker?.enter(source) ?? false;
    try {
      const res = await pRetry(
        async () => {
          try {
            return await attemptOnce(url, headers, signal, getOpts.body);
          } catch (err) {
            if (err instanceof NetworkError || (err instanceof HttpError && err.retryable)) throw err;
            // Caller's abort, 4xx, or a bug: AbortError makes p-retry rethrow the original error untouched.
            throw new AbortError(err instanceof Error ? err : new Error(String(err)));
          }
        },
        {
          // A half-open trial is a single probe: retrying it would keep hammering a server we believe is down.
          retries: trial ? 0 : retries,
          minTimeout: 0,
          maxTimeout: 0,
          signal,
          onFailedAttempt: async ({ error, retriesLeft, retriesConsumed }) => {
            if (retriesLeft <= 0) return; // p-retry gives up next; no point sleeping first.
            const backoff = fullJitterDelay(retriesConsumed, minDelayMs, maxDelayMs);
            const retryAfter = error instanceof HttpError ? error.retryAfterMs : undefined;
            const waitMs = retryAfter === undefined ? backoff : Math.max(backoff, Math.min(retryAfter, maxRetryAfterMs));
            logger.warn(
              { url: safeUrl(url), attempt: retriesConsumed + 1, waitMs, err: error.message },
              'http attempt failed, retrying',
            );
            await sleep(waitMs, signal);
          },
        },
      );
      breaker?.success(trial);
      return res;
    } catch (err) {
      if (err instanceof NetworkError || (err instanceof HttpError && err.retryable)) breaker?.failure(trial);
      // A 404 or 400 proves the server answers, so it counts as health, not failure.
      else if (err instanceof HttpError) breaker?.success(trial);
      else breaker?.neutral(trial);
      throw err;
    }
  }

  async function getText(url: string, reqOpts: RequestOptions = {}): Promise<string> {
    const res = await get(url, reqOpts);
    return res.body.toString('utf8');
  }

  async function getJson<T>(url: string, reqOpts: RequestOptions = {}): Promise<T> {
    const res = await get(url, { ...reqOpts, headers: { accept: 'application/json', ...reqOpts.headers } });
    try {
      return JSON.parse(res.body.toString('utf8')) as T;
    } catch (err) {
      throw new Error(`GET ${safeUrl(res.url)}: invalid JSON: ${excerpt(res.body)}`, { cause: err });
    }
  }

  async function post(url: string, body: string, reqOpts: RequestOptions = {}): Promise<HttpResponse> {
    return get(url, { ...reqOpts, headers: { 'content-type': 'application/json', ...reqOpts.headers }, body });
  }

  return { get, getJson, getText, post };
}
