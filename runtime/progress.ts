// Progress of long work: a bar on a terminal (rows, rows/s, ETA), periodic structured pino lines elsewhere.
import cliProgress from 'cli-progress';
import { log } from './log.js';

export interface Progress {
  update: (done: number, total: number | undefined) => void;
  done: () => void;
}

export function progressReporter(task: string, o: { everyMs?: number } = {}): Progress {
  const started = Date.now();
  const tty = process.stderr.isTTY && !process.env.CI;
  let bar: cliProgress.SingleBar | undefined;
  let lastLog = 0;
  let last = { done: 0, total: undefined as number | undefined };
  return {
    update(done, total) {
      last = { done, total };
      if (tty) {
        if (!bar) {
          bar = new cliProgress.SingleBar(
            { format: `${task} [{bar}] {value}/{total} | {rate}/s | ETA {eta_formatted}`, stream: process.stderr, hideCursor: true },
            cliProgress.Presets.shades_classic,
          );
          bar.start(total ?? done, done, { rate: 0 });
        }
        if (total !== undefined) bar.setTotal(total);
        bar.update(done, { rate: Math.round(done / Math.max(0.001, (Date.now() - started) / 1000)) });
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
      bar?.stop();
      if (!tty && last.done > 0) log.info({ task, done: last.done, total: last.total, seconds: (Date.now() - started) / 1000 }, 'progress done');
    },
  };
}
