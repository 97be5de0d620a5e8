// Supervised stages. Every stage of a process (a source, a processor, a sink or view) runs under `supervise`: when it
// fails because something outside it is away (an API, the broker, the database), it is restarted with capped
// exponential backoff and full jitter while the other stages go on. Only errors that no restart can cure end the
// process: configuration errors and programming errors (see `isFatal`). The board below is what the HTTP server,
// the metrics and `status` read to say how each stage is doing.
import { ConfigError } from './config.js';
import { log } from './log.js';

export type StageState = 'starting' | 'running' | 'backing-off' | 'failed' | 'done' | 'stopped';
export const STAGE_STATES: readonly StageState[] = ['starting', 'running', 'backing-off', 'failed', 'done', 'stopped'];

export interface StageReport {
  name: string;
  state: StageState;
  /** When the stage entered its state (ms since the epoch). */
  since: number;
  lastError: string | null;
  lastErrorAt: number | null;
  /** The last moment the stage was known to be doing its job: a batch committed, a poll completed, caught up. */
  lastSuccess: number | null;
  failures: number;
  restarts: number;
  /** While backing off: when the next attempt starts. */
  nextAttemptAt: number | null;
}

/** What a supervised stage body gets: a stop signal and two ways to say how it is doing between restarts. */
export interface StageContext {
  signal: AbortSignal;
  /** The stage did its job (committed a batch, caught up, completed a poll): it is healthy again if it was not. */
  succeeded: () => void;
  /** A failure the stage (or its client library) is retrying by itself: shown and counted, no restart here. */
  troubled: (err: unknown) => void;
}

/** An error no restart can cure (a stage knows it was misconfigured or broken): the process ends. */
export class FatalStageError extends Error {}

// Messages of TypeErrors that a program makes, not a network: undici's `fetch failed` is a TypeError too, so only
// these shapes count as bugs.
const PROGRAMMING = /is not a function|Cannot read properties of (undefined|null)|Cannot set properties of (undefined|null)|is not iterable|is not a constructor|Cannot destructure/;

/** Configuration and programming errors: restarting cannot help, so the process stops and says so. */
export function isFatal(err: unknown): boolean {
  if (err instanceof FatalStageError || err instanceof ConfigError || err instanceof ReferenceError) return true;
  return err instanceof TypeError && PROGRAMMING.test(err.message);
}

/** Capped exponential backoff with full jitter: a random delay in [0, min(max, base * 2^(n-1))], at least 10% of it. */
export function backoffDelay(consecutiveFailures: number, o: { minMs: number; maxMs: number }, random = Math.random): number {
  const ceiling = Math.min(o.maxMs, o.minMs * 2 ** Math.max(0, consecutiveFailures - 1));
  return Math.round(ceiling * (0.1 + 0.9 * random()));
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err)).slice(0, 500);

type Listener = (r: StageReport, previous: StageState | undefined) => void;

/** The stages of this process and their states. One per process (`stageBoard`); tests may make their own. */
export class StageBoard {
  private readonly reports = new Map<string, StageReport>();
  private readonly listeners = new Set<Listener>();

  snapshot(): StageReport[] {
    return [...this.reports.values()].map((r) => ({ ...r }));
  }

  get(name: string): StageReport | undefined {
    const r = this.reports.get(name);
    return r && { ...r };
  }

  onChange(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  /** A stage of this process, in state `starting` (registered before it runs so every stage is listed at once). */
  register(name: string): void {
    if (this.reports.has(name)) return;
    this.reports.set(name, { name, state: 'starting', since: Date.now(), lastError: null, lastErrorAt: null, lastSuccess: null, failures: 0, restarts: 0, nextAttemptAt: null });
    this.emit(this.reports.get(name)!, undefined);
  }

  update(name: string, change: Partial<Omit<StageReport, 'name'>>): void {
    this.register(name);
    const r = this.reports.get(name)!;
    const previous = r.state;
    Object.assign(r, change);
    if (change.state !== undefined && change.state !== previous) r.since = Date.now();
    this.emit(r, previous);
  }

  clear(): void {
    this.reports.clear();
  }

  private emit(r: StageReport, previous: StageState | undefined): void {
    for (const l of this.listeners) l({ ...r }, previous);
  }
}

export const stageBoard = new StageBoard();

export interface SuperviseOptions {
  /** `forever`: restart on every curable failure. `once`: at most `attempts` attempts, then report it failed. */
  mode: 'forever' | 'once';
  attempts?: number;
  backoff: { minMs: number; maxMs: number };
  /** Stops the stage (and any backoff wait); the stage then ends as `stopped`. */
  signal?: AbortSignal;
  board?: StageBoard;
  random?: () => number;
}

export interface StageOutcome {
  name: string;
  state: 'done' | 'failed' | 'stopped';
  error: string | null;
  attempts: number;
  ms: number;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

/**
 * Runs one stage under supervision and resolves with its outcome; rejects only with a fatal error (isFatal), after
 * marking the stage failed. State changes are logged once each: a stage that keeps failing stays `backing-off`
 * (each further failure is counted and logged at debug) until it succeeds again.
 */
export async function supervise(name: string, body: (ctx: StageContext) => Promise<unknown>, o: SuperviseOptions): Promise<StageOutcome> {
  const board = o.board ?? stageBoard;
  const stop = o.signal ?? new AbortController().signal;
  const t0 = Date.now();
  const maxAttempts = o.mode === 'once' ? Math.max(1, o.attempts ?? 1) : Number.POSITIVE_INFINITY;
  let consecutive = 0;
  let attempts = 0;
  board.register(name);
  const state = () => board.get(name)!.state;
  const fail = (err: unknown) => {
    consecutive++;
    const r = board.get(name)!;
    board.update(name, { failures: r.failures + 1, lastError: message(err), lastErrorAt: Date.now() });
  };
  const ctx: StageContext = {
    signal: stop,
    succeeded: () => {
      consecutive = 0;
      const was = state();
      board.update(name, { lastSuccess: Date.now(), nextAttemptAt: null, ...(was === 'backing-off' || was === 'starting' ? { state: 'running' as const } : {}) });
      if (was === 'backing-off') log.info({ stage: name }, 'stage recovered');
    },
    troubled: (err) => {
      fail(err);
      if (state() !== 'backing-off') {
        log.warn({ stage: name, err: message(err) }, 'stage failing: retrying');
        board.update(name, { state: 'backing-off' });
      } else log.debug({ stage: name, err: message(err) }, 'stage still failing');
    },
  };

  while (true) {
    attempts++;
    if (state() === 'starting') board.update(name, { state: 'running' });
    try {
      await body(ctx);
      const end = stop.aborted ? 'stopped' : 'done';
      board.update(name, { state: end, nextAttemptAt: null, ...(end === 'done' ? { lastSuccess: Date.now() } : {}) });
      return { name, state: end, error: null, attempts, ms: Date.now() - t0 };
    } catch (err) {
      if (stop.aborted && !isFatal(err)) {
        board.update(name, { state: 'stopped', nextAttemptAt: null });
        return { name, state: 'stopped', error: null, attempts, ms: Date.now() - t0 };
      }
      fail(err);
      if (isFatal(err)) {
        board.update(name, { state: 'failed', nextAttemptAt: null });
        log.error({ stage: name, err }, 'stage failed with an error no restart can cure: stopping');
        throw err;
      }
      if (attempts >= maxAttempts) {
        board.update(name, { state: 'failed', nextAttemptAt: null });
        log.error({ stage: name, err: message(err), attempts }, 'stage failed');
        return { name, state: 'failed', error: message(err), attempts, ms: Date.now() - t0 };
      }
      const delay = backoffDelay(consecutive, o.backoff, o.random);
      if (state() !== 'backing-off') log.warn({ stage: name, err: message(err), retryInMs: delay }, 'stage failed: restarting with backoff');
      else log.debug({ stage: name, err: message(err), retryInMs: delay, consecutive }, 'stage failed again');
      board.update(name, { state: 'backing-off', nextAttemptAt: Date.now() + delay });
      await sleep(delay, stop);
      if (stop.aborted) {
        board.update(name, { state: 'stopped', nextAttemptAt: null });
        return { name, state: 'stopped', error: null, attempts, ms: Date.now() - t0 };
      }
      board.update(name, { restarts: board.get(name)!.restarts + 1, nextAttemptAt: null });
    }
  }
}
