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
import type { Logger } from './log.js';

/** Keep in step with package.json; hard-coded because the package file is not shipped beside dist/. */
const VERSION = '0.1.0';
export const DEFAULT_USER_AGENT = `gridstream/${VERSION} (+https://github.com/gridstream; data pipeline)`;

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
}

/** A response the server gave but we do not accept. `retryable` marks 408, 429 and 5xx. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  readonly retryable: boolean;
  constructor(
    readonly status: number,
    readonly url: string,
    readonly bodyExcerpt: string,
    /** Retry-After of a 429/503, in ms, uncapped. */
    readonly retryAfterMs?: number,
  ) {
    super(`GET ${safeUrl(url)} -> ${status}${bodyExcerpt ? `: ${bodyExcerpt}` : ''}`);
    this.retryable = isRetryableStatus(status);
  }
}

/** No response: connection failure or the per-attempt timeout. */
export class NetworkError extends Error {
  override readonly name = 'NetworkError';
  constructor(
    readonly url: string,
    readonly timedOut: boolean,
    cause: unknown,
  ) {
    super(`GET ${safeUrl(url)} ${timedOut ? 'timed out' : `failed: ${describe(cause)}`}`, { cause });
  }
}

/** Thrown without a request while the source's circuit is open. */
export class CircuitOpenError extends Error {
  override readonly name = 'CircuitOpenError';
  constructor(
    readonly source: string,
    readonly retryInMs: number,
  ) {
    super(`circuit open for ${source}: failing fast for another ${Math.ceil(retryInMs)} ms`);
  }
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

function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  // undici hides the useful part (ECONNREFUSED, ECONNRESET...) in `cause`.
  return err.cause instanceof Error ? `${err.message} (${err.cause.message})` : err.message;
}

function excerpt(body: Buffer): string {
  return body.subarray(0, 1024).toString('utf8').replace(/\s+/g, ' ').trim().slice(0, 200);
}

/** Rejects with the signal's reason, as fetch does, so callers see the same error whichever wait was cut short. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function anySignal(...signals: (AbortSignal | undefined)[]): AbortSignal | undefined {
  const present = signals.filter((s): s is AbortSignal => s !== undefined);
  if (present.length <= 1) return present[0];
  return AbortSignal.any(present);
}

/** Counting semaphore; a released slot passes straight to the oldest waiter so nobody can jump the queue. */
class Semaphore {
  private active = 0;
  private readonly waiters: (() => void)[] = [];
  private readonly max: number;

  constructor(max: number) {
    this.max = max;
  }

  async acquire(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    if (this.active < this.max) {
      this.active++;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const grant = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = (): void => {
        const i = this.waiters.indexOf(grant);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(signal?.reason);
      };
      this.waiters.push(grant);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.active--;
  }
}

/**
 * Spaces request starts at least `intervalMs` apart (a token bucket of capacity 1). No burst on purpose: public
 * APIs see a steady trickle, and "N per second/minute" then holds over any window, not just on average.
 * Also holds every caller back after a Retry-After, since the server asked the client, not one request, to wait.
 */
class Pacer {
  private next = 0;
  private pausedUntil = 0;
  private readonly intervalMs: number;

  constructor(intervalMs: number) {
    this.intervalMs = intervalMs;
  }

  async wait(signal?: AbortSignal): Promise<void> {
    const now = performance.now();
    const at = Math.max(now, this.next, this.pausedUntil);
    // Reserve the slot before sleeping so concurrent callers queue behind it; an aborted wait wastes its slot,
    // which only ever makes us slower, never faster than the limit.
    this.next = at + this.intervalMs;
    await sleep(at - now, signal);
  }

  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, performance.now() + ms);
  }
}

/**
 * Counts consecutive failed requests (after retries). Open: fail fast. After resetMs one trial request goes
 * through (half-open); its success closes the circuit, its failure re-opens it for another resetMs.
 */
class CircuitBreaker {
  private failures = 0;
  private openedAt: number | undefined;
  private trialInFlight = false;
  private readonly threshold: number;
  private readonly resetMs: number;

  constructor(threshold: number, resetMs: number) {
    this.threshold = threshold;
    this.resetMs = resetMs;
  }

  /** Returns true when this call is the half-open trial; throws CircuitOpenError while open. */
  enter(source: string): boolean {
    if (this.openedAt === undefined) return false;
    const elapsed = performance.now() - this.openedAt;
    if (elapsed < this.resetMs || this.trialInFlight) {
      throw new CircuitOpenError(source, Math.max(0, this.resetMs - elapsed));
    }
    this.trialInFlight = true;
    return true;
  }

  success(trial: boolean): void {
    if (trial) this.trialInFlight = false;
    this.failures = 0;
    this.openedAt = undefined;
  }

  failure(trial: boolean): void {
    if (trial) this.trialInFlight = false;
    this.failures++;
    if (trial || this.failures >= this.threshold) this.openedAt = performance.now();
  }

  /** The caller aborted: says nothing about the server, but frees the trial slot. */
  neutral(trial: boolean): void {
    if (trial) this.trialInFlight = false;
  }
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
  async function attemptOnce(url: string, headers: Record<string, string>, signal?: AbortSignal): Promise<HttpResponse> {
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
        res = await fetchImpl(url, { headers, signal: anySignal(signal, timeout) });
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
            return await attemptOnce(url, headers, signal);
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

  return { get, getJson, getText };
}
