// What keeps the HTTP helper polite: a pacer spacing request starts, a semaphore bounding requests in flight, a
// circuit breaker failing fast while an API is down, and abortable sleeps. No I/O of their own.
import { CircuitOpenError } from './http-errors.js';

/** Rejects with the signal's reason, as fetch does, so callers see the same error whichever wait was cut short. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
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

export function anySignal(...signals: (AbortSignal | undefined)[]): AbortSignal | undefined {
  const present = signals.filter((s): s is AbortSignal => s !== undefined);
  if (present.length <= 1) return present[0];
  return AbortSignal.any(present);
}

/** Counting semaphore; a released slot passes straight to the oldest waiter so nobody can jump the queue. */
export class Semaphore {
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
export class Pacer {
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
export class CircuitBreaker {
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
