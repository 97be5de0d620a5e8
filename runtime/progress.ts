// Progress of long work: a bar on a terminal (rows, rows/s, ETA) in the process's one set of bars, with log lines
// printed above it (terminal.ts); periodic structured pino lines elsewhere.
import type cliProgress from 'cli-progress';
import { log } from './log.js';
import { progressBars, releaseBars } from './terminal.js';

export interface Progress {
  update: (done: number, total: number | undefined) => void;
  done: () => void;
}

let activeBars = 0;

export function progressReporter(task: string, o: { everyMs?: number } = {}): Progress {
  const started = Date.now();
  let bar: cliProgress.SingleBar | undefined;
  let barsChecked = false;
  let lastLog = 0;
  let last = { done: 0, total: undefined as number | undefined };
  return {
    update(done, total) {
      last = { done, total };
      if (!barsChecked) {
        barsChecked = true;
        const bars = progressBars();
        if (bars) {
          bar = bars.create(total ?? done, done, { task, rate: 0 });
          activeBars++;
        }
      }
      if (bar) {
        if (total !== undefined) bar.setTotal(total);
        bar.update(done, { task, rate: Math.round(done / Math.max(0.001, (Date.now() - started) / 1000)) });
        return;
      }
      const now = Date.now();
      if (now - lastLog >= (o.everyMs ?? 10_000)) {
        lastLog = now;
        const secs = (now - started) / 1000;
        const rate = done / Math.max(0.001, secs);
        const eta = total !== undefined && rate > 0 ? Math.round((total - done) / rate) : undefined;
        log.info({ task, done, total, ratePerSec: Math.round(rate), etaSec: eta }, 'progress');
      }
    },
    done() {
      if (bar) {
        bar.stop();
        releaseBars(--activeBars);
      } else if (last.done > 0) log.info({ task, done: last.done, total: last.total, seconds: (Date.now() - started) / 1000 }, 'progress done');
    },
  };
}
