// The errors of the HTTP helper (runtime/http.ts): a response we do not accept, no response at all, and the
// circuit breaker failing fast. Sources tell retryable outages from bad requests by these types.
import { safeUrl } from './log.js';

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


function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  // undici hides the useful part (ECONNREFUSED, ECONNRESET...) in `cause`.
  return err.cause instanceof Error ? `${err.message} (${err.cause.message})` : err.message;
}
