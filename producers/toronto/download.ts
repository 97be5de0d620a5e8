// A yearly ZIP (50-200 MB) streamed to a temporary file while its SHA-1 is computed: the runtime's HTTP client
// reads bodies whole, which a bulk download must not. Retries with full-jitter backoff (runtime/http.ts's policy)
// on network errors, 429 and 5xx; Retry-After honoured.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DEFAULT_USER_AGENT, fullJitterDelay, HttpError, NetworkError, parseRetryAfter } from '../../runtime/http.js';

export interface Downloaded {
  path: string;
  sha1: string;
  bytes: number;
  lastModified: string | null;
  remove(): Promise<void>;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), reject(signal.reason as Error)), { once: true });
  });

export async function downloadToFile(url: string, o: { signal?: AbortSignal; retries?: number; minDelayMs?: number; maxDelayMs?: number; timeoutMs?: number } = {}): Promise<Downloaded> {
  const dir = await mkdtemp(join(tmpdir(), 'gridstream-toronto-'));
  const path = join(dir, 'resource.zip');
  const remove = () => rm(dir, { recursive: true, force: true });
  const retries = o.retries ?? 5;
  try {
    for (let attempt = 0; ; attempt++) {
      let retryAfter: number | undefined;
      try {
        const timeout = AbortSignal.timeout(o.timeoutMs ?? 600_000);
        const res = await fetch(url, { headers: { 'user-agent': DEFAULT_USER_AGENT }, signal: o.signal ? AbortSignal.any([o.signal, timeout]) : timeout }).catch((err: unknown) => {
          if (o.signal?.aborted) throw o.signal.reason as Error;
          throw new NetworkError(url, timeout.aborted, err);
        });
        if (!res.ok || !res.body) {
          const body = Buffer.from(await res.arrayBuffer());
          retryAfter = parseRetryAfter(res.headers.get('retry-after'));
          throw new HttpError(res.status, url, body.subarray(0, 200).toString('utf8'), retryAfter);
        }
        const sha = createHash('sha1');
        let bytes = 0;
        const tap = new Transform({
          transform(chunk: Buffer, _e, done) {
            sha.update(chunk);
            bytes += chunk.length;
            done(null, chunk);
          },
        });
        await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), tap, createWriteStream(path));
        return { path, sha1: sha.digest('hex'), bytes, lastModified: res.headers.get('last-modified'), remove };
      } catch (err) {
        if (o.signal?.aborted) throw err;
        const retryable = err instanceof NetworkError || (err instanceof HttpError && err.retryable) || !(err instanceof HttpError);
        if (!retryable || attempt >= retries) throw err;
        await sleep(retryAfter ?? fullJitterDelay(attempt, o.minDelayMs ?? 1000, o.maxDelayMs ?? 30_000), o.signal);
      }
    }
  } catch (err) {
    await remove();
    throw err;
  }
}
