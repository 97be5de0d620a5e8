// Helpers the benchmarks share: output, rates, arguments, generated DUIDs, RSS sampling, and the plain COPY they compare with.
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline as streamPipeline } from 'node:stream/promises';
import copyStreams from 'pg-copy-streams';
import { DEMO_UNITS } from '../devkit/aemo/nemweb-tree.js';
import { pool } from '../runtime/db.js';

export const say = (s: string) => process.stdout.write(`${s}\n`);
export const rate = (n: number, ms: number) => Math.round(n / (ms / 1000));
export const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);

export function arg(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : fallback;
}

/** `n` units cycling through the demo's fuels, named apart (BW01, BW01_2, …). */
export function units(n: number): (typeof DEMO_UNITS)[number][] {
  return Array.from({ length: n }, (_, i) => {
    const u = DEMO_UNITS[i % DEMO_UNITS.length]!;
    const round = Math.floor(i / DEMO_UNITS.length);
    return round === 0 ? u : { ...u, duid: `${u.duid}_${round + 1}` };
  });
}

/** COPYs tab-separated lines into `table (cols)`; returns the milliseconds the COPY took. */
export async function copyLines(table: string, cols: string, lines: Iterable<string>): Promise<number> {
  function* chunks() {
    let chunk = '';
    for (const l of lines) {
      chunk += `${l}\n`;
      if (chunk.length > 65536) {
        yield chunk;
        chunk = '';
      }
    }
    if (chunk) yield chunk;
  }
  const client = await pool().connect();
  const t0 = Date.now();
  try {
    await streamPipeline(Readable.from(chunks()), client.query(copyStreams.from(`copy ${table} (${cols}) from stdin`)));
  } finally {
    client.release();
  }
  return Date.now() - t0;
}

/** Resident set size of another process, from /proc (0 once it is gone). */
function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * RSS sampled every 100 ms while a bench runs: this process's, and that of each pid `others` returns (stages the
 * bench runs in processes of their own). `stop` ends the sampling; `max` is the largest sample in bytes.
 */
export function sampleRss(others: () => (number | undefined)[] = () => []): {
  stop: () => void;
  count: () => number;
  max: () => number;
  /** The largest sample of this process, then of each of `others` by position. */
  maxEach: () => number[];
} {
  let count = 1;
  const each: number[] = [process.memoryUsage().rss];
  const sample = (i: number, bytes: number) => {
    count++;
    each[i] = Math.max(each[i] ?? 0, bytes);
  };
  const timer = setInterval(() => {
    sample(0, process.memoryUsage().rss);
    others().forEach((pid, i) => pid && sample(i + 1, rssOf(pid)));
  }, 100);
  return {
    stop: () => {
      clearInterval(timer);
      sample(0, process.memoryUsage().rss);
    },
    count: () => count,
    max: () => each.reduce((a, b) => Math.max(a, b ?? 0), 0),
    maxEach: () => [...each],
  };
}

/**
 * Resolves once `table` holds `n` rows. A count(*) of a million-row table costs Postgres ~50 ms of CPU (a parallel
 * scan), so polling it every 100 ms took a quarter of a core from the stages being measured; each poll here waits
 * for about half the time the rows counted so far say is left (between 50 ms and 2 s), so a run is checked a few
 * times instead of dozens, and the last check still lands within ~50 ms of the last row.
 */
export async function untilRows(table: string, n: number): Promise<void> {
  const count = async () => ({ rows: (await pool().query<{ n: number }>(`select count(*)::int as n from ${table}`)).rows[0]!.n, at: Date.now() });
  let prev: { rows: number; at: number } | undefined;
  let last = await count();
  while (last.rows < n) {
    // Rows per ms between the last two checks: the sink's rate now, not an average over its start.
    const perMs = prev && last.rows > prev.rows ? (last.rows - prev.rows) / Math.max(1, last.at - prev.at) : 0;
    const waitMs = perMs > 0 ? (n - last.rows) / perMs / 2 : 100;
    await new Promise((r) => setTimeout(r, Math.min(2000, Math.max(50, waitMs))));
    prev = last;
    last = await count();
  }
}
