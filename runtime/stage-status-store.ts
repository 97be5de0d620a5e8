// The stage board of this process, written to Postgres (table stage_status) every few seconds and on every state
// change, so that `gridstream status` in another process or on another host sees every running stage. Best effort:
// a database that is away is said once in the log and the writes resume when it returns; the stages never wait on it.
import { hostname } from 'node:os';
import { pool } from './db.js';
import { log } from './log.js';
import { onShutdown } from './shutdown.js';
import { stageBoard, type StageReport } from './supervisor.js';

export const processId = `${hostname()}:${process.pid}:${Date.now().toString(36)}`;

export interface StoredStage {
  process_id: string;
  stage: string;
  host: string;
  pid: number;
  http_url: string | null;
  state: string;
  since: Date;
  last_error: string | null;
  last_error_at: Date | null;
  last_success: Date | null;
  failures: number;
  restarts: number;
  updated_at: Date;
}

const ts = (ms: number | null) => (ms === null ? null : new Date(ms));

async function write(reports: StageReport[], httpUrl: string | undefined): Promise<void> {
  if (reports.length === 0) return;
  const rows = reports.map((r) => [processId, r.name, hostname(), process.pid, httpUrl ?? null, r.state, ts(r.since), r.lastError, ts(r.lastErrorAt), ts(r.lastSuccess), r.failures, r.restarts]);
  const values = rows.map((_, i) => `(${Array.from({ length: 12 }, (_, j) => `$${i * 12 + j + 1}`).join(', ')}, now())`).join(', ');
  await pool().query(
    `insert into stage_status (process_id, stage, host, pid, http_url, state, since, last_error, last_error_at, last_success, failures, restarts, updated_at) values ${values}
     on conflict (process_id, stage) do update set state = excluded.state, since = excluded.since, last_error = excluded.last_error, last_error_at = excluded.last_error_at,
       last_success = excluded.last_success, failures = excluded.failures, restarts = excluded.restarts, http_url = excluded.http_url, updated_at = now()`,
    rows.flat(),
  );
}

/** Starts writing this process's stage board; the returned function writes a last time and stops. */
export function startStageStatusWriter(o: { everyMs?: number; httpUrl?: () => string | undefined } = {}): () => Promise<void> {
  let failing = false;
  let pending: NodeJS.Timeout | undefined;
  let chain = Promise.resolve();
  const flush = (final = false) => {
    chain = chain.then(async () => {
      try {
        // On SIGTERM the process exits as soon as its stages have stopped: say so now rather than leave them "running".
        const reports = stageBoard.snapshot().map((r) => (final && r.state !== 'done' && r.state !== 'failed' ? { ...r, state: 'stopped' as const, since: Date.now() } : r));
        await write(reports, o.httpUrl?.());
        if (failing) log.info('stage states are written to Postgres again');
        failing = false;
      } catch (err) {
        if (!failing) log.warn({ err: (err as Error).message }, 'cannot write stage states to Postgres (status will not show them): retrying');
        failing = true;
      }
    });
    return chain;
  };
  const timer = setInterval(() => void flush(), o.everyMs ?? 5000);
  timer.unref();
  // A state change is written soon, a burst of them once.
  const off = stageBoard.onChange(() => {
    if (pending) return;
    pending = setTimeout(() => {
      pending = undefined;
      void flush();
    }, 200);
    pending.unref();
  });
  onShutdown('stage-status', () => flush(true));
  return async () => {
    clearInterval(timer);
    clearTimeout(pending);
    off();
    await flush();
  };
}

/** Stage rows refreshed within `freshMs` (live processes), newest first; older rows of the last day as gone. */
export async function storedStages(freshMs = 30_000): Promise<(StoredStage & { live: boolean })[]> {
  const r = await pool().query<StoredStage>(`select * from stage_status where updated_at > now() - interval '1 day' order by updated_at desc, stage`);
  const now = Date.now();
  return r.rows.map((row) => ({ ...row, live: now - row.updated_at.getTime() <= freshMs && row.state !== 'stopped' && row.state !== 'done' }));
}
