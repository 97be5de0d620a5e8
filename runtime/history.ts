// The last hour of each stage's throughput and lag, kept in memory for the status page (a ring of samples taken every
// ~10 s from the process's own metrics). Prometheus keeps the long history; this is for a glance without one.
import { metrics } from './metrics.js';

export interface History {
  /** Sample times, ms since the epoch, oldest first. */
  t: number[];
  /** Per stage: records per second over each interval (out for sources, in for consumers) and lag in records. */
  stages: Record<string, { rate: (number | null)[]; lag: (number | null)[] }>;
}

const sumBy = async (metric: { get: () => Promise<{ values: { labels: Record<string, string | number>; value: number }[] }> }) => {
  const out = new Map<string, number>();
  for (const v of (await metric.get()).values) {
    const stage = String(v.labels.stage ?? '');
    out.set(stage, (out.get(stage) ?? 0) + v.value);
  }
  return out;
};

export class HistoryRing {
  private readonly t: number[] = [];
  private readonly stages = new Map<string, { rate: (number | null)[]; lag: (number | null)[] }>();
  private last: { at: number; counts: Map<string, number> } | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly size = 360) {}

  start(everyMs: number, stageNames: () => string[]): void {
    this.stop();
    void this.sample(stageNames());
    this.timer = setInterval(() => void this.sample(stageNames()), everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  async sample(names: string[], at = Date.now()): Promise<void> {
    const [ins, outs, lags] = await Promise.all([sumBy(metrics.recordsIn), sumBy(metrics.recordsOut), sumBy(metrics.consumerLag)]);
    // Sources count what they publish; consumers what they read (views count only what they write).
    const counts = new Map(names.map((n) => [n, (n.startsWith('produce:') ? outs.get(n) : (ins.get(n) ?? outs.get(n))) ?? 0]));
    const dt = this.last ? (at - this.last.at) / 1000 : 0;
    this.t.push(at);
    for (const n of names) {
      const s = this.stages.get(n) ?? { rate: this.t.slice(1).map(() => null), lag: this.t.slice(1).map(() => null) };
      const before = this.last?.counts.get(n);
      s.rate.push(dt > 0 && before !== undefined ? Math.max(0, (counts.get(n)! - before) / dt) : null);
      s.lag.push(n.startsWith('produce:') ? null : (lags.get(n) ?? null));
      this.stages.set(n, s);
    }
    // Stages no longer named get a gap rather than a shifted line.
    for (const [n, s] of this.stages) {
      if (names.includes(n)) continue;
      s.rate.push(null);
      s.lag.push(null);
    }
    if (this.t.length > this.size) {
      this.t.shift();
      for (const s of this.stages.values()) {
        s.rate.shift();
        s.lag.shift();
      }
    }
    this.last = { at, counts };
  }

  snapshot(): History {
    return { t: [...this.t], stages: Object.fromEntries([...this.stages].map(([n, s]) => [n, { rate: [...s.rate], lag: [...s.lag] }])) };
  }
}
