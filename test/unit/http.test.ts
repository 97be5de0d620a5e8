// runtime/http.ts against a real node:http server on 127.0.0.1: each test installs its own handler and reads what
// the server saw (arrival times, headers, concurrency), so the behaviour is checked on the wire, not through mocks.

import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { log } from '../../runtime/log.js';
import {
  CircuitOpenError,
  DEFAULT_USER_AGENT,
  HttpError,
  NetworkError,
  createHttpClient,
  fullJitterDelay,
  parseRetryAfter,
} from '../../runtime/http.js';
import type { HttpClientOptions, RequestInfo } from '../../runtime/http.js';

type Handler = (req: IncomingMessage, res: ServerResponse, n: number) => void;

interface Seen {
  at: number;
  url: string;
  headers: IncomingMessage['headers'];
}

let server: Server;
let base: string;
let handler: Handler;
let seen: Seen[];
let inFlight: number;
let maxInFlight: number;

const quiet = log.child({}, { level: 'silent' });

/** Small delays by default so retry tests stay fast; each test overrides what it is about. */
function client(extra: Partial<HttpClientOptions> = {}) {
  return createHttpClient({ source: 'test', minDelayMs: 10, maxDelayMs: 50, timeoutMs: 2_000, logger: quiet, ...extra });
}

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ at: performance.now(), url: req.url ?? '', headers: req.headers });
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    res.on('close', () => inFlight--);
    handler(req, res, seen.length);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  seen = [];
  inFlight = 0;
  maxInFlight = 0;
  handler = (_req, res) => res.end('ok');
});

function reply(res: ServerResponse, status: number, body = '', headers: Record<string, string> = {}): void {
  res.writeHead(status, headers).end(body);
}

describe('pure helpers', () => {
  it('fullJitterDelay is uniform below min(max, min * 2^attempt)', () => {
    expect(fullJitterDelay(0, 100, 10_000, () => 0.999)).toBe(99);
    expect(fullJitterDelay(3, 100, 10_000, () => 0.5)).toBe(400);
    expect(fullJitterDelay(20, 100, 10_000, () => 0.5)).toBe(5_000);
    expect(fullJitterDelay(5, 100, 10_000, () => 0)).toBe(0);
    expect(fullJitterDelay(5_000, 0, 10_000, () => 0.5)).toBe(0);
  });

  it('parseRetryAfter reads seconds and HTTP dates', () => {
    const now = Date.parse('2025-06-15T12:00:00Z');
    expect(parseRetryAfter('60', now)).toBe(60_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Sun, 15 Jun 2025 12:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Sun, 15 Jun 2025 11:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
  });
});

describe('createHttpClient', () => {
  it('retries 5xx: 500, 500, 200 succeeds on the third request', async () => {
    handler = (_req, res, n) => (n <= 2 ? reply(res, 500, 'boom') : reply(res, 200, 'fine'));
    const statuses: RequestInfo['status'][] = [];
    const http = client({ onRequest: (i) => statuses.push(i.status) });
    const res = await http.get(`${base}/x`);
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe('fine');
    expect(seen).toHaveLength(3);
    expect(statuses).toEqual([500, 500, 200]);
  });

  it('honours Retry-After on 429', async () => {
    handler = (_req, res, n) => (n === 1 ? reply(res, 429, 'slow down', { 'retry-after': '1' }) : reply(res, 200));
    await client().get(`${base}/x`);
    expect(seen).toHaveLength(2);
    expect(seen[1]!.at - seen[0]!.at).toBeGreaterThanOrEqual(900);
  });

  it('does not retry 404 and reports status, url and body excerpt', async () => {
    handler = (_req, res) => reply(res, 404, 'no such\n  settlement period');
    const err = await client()
      .get(`${base}/missing`)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    const httpErr = err as HttpError;
    expect(httpErr.status).toBe(404);
    expect(httpErr.url).toBe(`${base}/missing`);
    expect(httpErr.bodyExcerpt).toBe('no such settlement period');
    expect(seen).toHaveLength(1);
  });

  it('retries a timed-out attempt', async () => {
    handler = (_req, res, n) => {
      if (n === 1) setTimeout(() => reply(res, 200, 'late'), 1_000);
      else reply(res, 200, 'prompt');
    };
    const statuses: RequestInfo['status'][] = [];
    const text = await client({ timeoutMs: 150, onRequest: (i) => statuses.push(i.status) }).getText(`${base}/x`);
    expect(text).toBe('prompt');
    expect(seen).toHaveLength(2);
    expect(statuses).toEqual(['error', 200]);
  });

  it('gives up after the retries with a NetworkError when every attempt times out', async () => {
    // Generous against a loaded machine: a 50 ms timeout could expire before a request even reached the server.
    handler = (_req, res) => setTimeout(() => reply(res, 200), 3_000);
    const err = await client({ timeoutMs: 400, retries: 1 })
      .get(`${base}/timeout`)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as NetworkError).timedOut).toBe(true);
    expect(seen.filter((s) => s.url === '/timeout')).toHaveLength(2);
  });

  it('sends conditional headers and returns notModified on 304', async () => {
    handler = (req, res) => {
      if (req.headers['if-none-match'] === '"v1"') reply(res, 304);
      else reply(res, 200, '{"a":1}', { etag: '"v1"', 'last-modified': 'Sun, 15 Jun 2025 12:00:00 GMT' });
    };
    const http = client();
    const first = await http.get(`${base}/data`);
    expect(first).toMatchObject({ status: 200, notModified: false, etag: '"v1"' });
    expect(first.lastModified).toBe('Sun, 15 Jun 2025 12:00:00 GMT');

    const second = await http.get(`${base}/data`, { etag: first.etag, lastModified: first.lastModified });
    expect(second.status).toBe(304);
    expect(second.notModified).toBe(true);
    expect(second.body.length).toBe(0);
    // By path: a late request of an earlier test may still reach the server during this one.
    const data = seen.filter((s) => s.url === '/data');
    expect(data).toHaveLength(2);
    expect(data[1]!.headers['if-none-match']).toBe('"v1"');
    expect(data[1]!.headers['if-modified-since']).toBe('Sun, 15 Jun 2025 12:00:00 GMT');
  });

  it('spaces requests to requestsPerSecond', async () => {
    const http = client({ requestsPerSecond: 5 });
    await Promise.all(Array.from({ length: 10 }, (_, i) => http.get(`${base}/r${i}`)));
    expect(seen).toHaveLength(10);
    const first = seen[0]!.at;
    const last = seen[9]!.at;
    expect(last - first).toBeGreaterThanOrEqual(1_600);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.at - seen[i - 1]!.at).toBeGreaterThanOrEqual(150);
  });

  it('never has more than `concurrency` requests in flight', async () => {
    handler = (_req, res) => setTimeout(() => reply(res, 200), 80);
    const http = client({ concurrency: 2 });
    await Promise.all(Array.from({ length: 6 }, (_, i) => http.get(`${base}/c${i}`)));
    expect(seen).toHaveLength(6);
    expect(maxInFlight).toBe(2);
  });

  it('opens the circuit after the threshold, fails fast, then half-opens after resetMs', async () => {
    let healthy = false;
    handler = (_req, res) => (healthy ? reply(res, 200, 'up') : reply(res, 503, 'down'));
    const http = client({ retries: 1, circuitBreaker: { failureThreshold: 2, resetMs: 300 } });

    await expect(http.get(`${base}/x`)).rejects.toBeInstanceOf(HttpError);
    await expect(http.get(`${base}/x`)).rejects.toBeInstanceOf(HttpError);
    expect(seen).toHaveLength(4); // two requests, each retried once

    await expect(http.get(`${base}/x`)).rejects.toBeInstanceOf(CircuitOpenError);
    expect(seen).toHaveLength(4); // failed fast: nothing sent

    // Half-open: a failing trial is one request (no retries) and re-opens the circuit.
    await new Promise((r) => setTimeout(r, 320));
    await expect(http.get(`${base}/x`)).rejects.toBeInstanceOf(HttpError);
    expect(seen).toHaveLength(5);
    await expect(http.get(`${base}/x`)).rejects.toBeInstanceOf(CircuitOpenError);

    // Half-open again: only one trial goes through; a concurrent call still fails fast. Success closes it.
    healthy = true;
    await new Promise((r) => setTimeout(r, 320));
    const trial = http.getText(`${base}/x`);
    await expect(http.get(`${base}/x`)).rejects.toBeInstanceOf(CircuitOpenError);
    expect(await trial).toBe('up');
    expect(await http.getText(`${base}/x`)).toBe('up');
    expect(seen).toHaveLength(7);
  });

  it('sends the default User-Agent, or the one a source passes', async () => {
    await client().get(`${base}/x`);
    await client({ userAgent: 'Mozilla/5.0 (X11; Linux x86_64)' }).get(`${base}/x`);
    expect(DEFAULT_USER_AGENT).toMatch(/^gridstream\/\S+ \(\+https:\/\/github\.com\/gridstream; data pipeline\)$/);
    expect(seen[0]!.headers['user-agent']).toBe(DEFAULT_USER_AGENT);
    expect(seen[1]!.headers['user-agent']).toBe('Mozilla/5.0 (X11; Linux x86_64)');
  });

  it('reports every attempt to onRequest, and a throwing hook does not fail the fetch', async () => {
    handler = (_req, res, n) => (n === 1 ? reply(res, 503) : reply(res, 200, '[1,2]'));
    const infos: RequestInfo[] = [];
    const http = client({
      onRequest: (i) => {
        infos.push(i);
        throw new Error('hook bug');
      },
    });
    expect(await http.getJson<number[]>(`${base}/j`)).toEqual([1, 2]);
    expect(infos.map((i) => [i.source, i.status])).toEqual([
      ['test', 503],
      ['test', 200],
    ]);
    expect(infos.every((i) => i.url === `${base}/j` && i.ms >= 0)).toBe(true);
    expect(seen[1]!.headers.accept).toBe('application/json');
  });

  it('an abort signal stops a backoff wait', async () => {
    handler = (_req, res) => reply(res, 503, 'maintenance', { 'retry-after': '10' });
    const controller = new AbortController();
    const http = client({ signal: controller.signal });
    const started = performance.now();
    setTimeout(() => controller.abort(new Error('shutting down')), 200);
    await expect(http.get(`${base}/x`)).rejects.toThrow('shutting down');
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(seen).toHaveLength(1);
  });

  it('a per-call abort signal stops a rate-limit wait', async () => {
    const http = client({ requestsPerMinute: 1 });
    await http.get(`${base}/x`);
    const started = performance.now();
    await expect(http.get(`${base}/x`, { signal: AbortSignal.timeout(100) })).rejects.toThrow();
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(seen).toHaveLength(1);
  });
});
