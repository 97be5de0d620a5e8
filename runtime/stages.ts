// Runs the pipeline map's stages. Continuous mode runs every selected stage concurrently, forever (producers on
// their schedules). `--once` runs them in flow order and drains each: sources fetch what is new and stop,
// processors then consume until caught up, then sinks and views do the same.
import type { AnyProcessor, AnySink, AnySource, Flow } from './components.js';
import { log } from './log.js';
import { runPgSink } from './pg-sink-runner.js';
import { runProcessor } from './processor-runner.js';
import { runSource } from './producer-runner.js';
import { runKeyedView } from './redis-views.js';
import type { Serde } from './serde.js';

export type StageKind = 'produce' | 'process' | 'sink';

export interface StageSelection {
  kinds: StageKind[];
  /** Component names to run; all when empty. */
  only?: string[];
  once: boolean;
  sourceOptions?: Record<string, Record<string, unknown>>;
}

export const sourcesOf = (flows: Flow[]) => flows.flatMap((f) => (f.source ? [f.source] : []));
export const processorsOf = (flows: Flow[]) => flows.flatMap((f) => (f.processor ? [f.processor] : []));
export const sinksOf = (flows: Flow[]) => flows.flatMap((f) => f.sinks);

const picked = <T extends { name: string }>(items: T[], only?: string[]) => (only?.length ? items.filter((i) => only.includes(i.name)) : items);

export function unknownNames(flows: Flow[], only: string[]): string[] {
  const names = new Set([...sourcesOf(flows), ...processorsOf(flows), ...sinksOf(flows)].map((c) => c.name));
  return only.filter((n) => !names.has(n));
}

export const runSourceStage = (s: AnySource, serde: Serde, sel: StageSelection) =>
  runSource(s, { serde, once: sel.once, options: sel.sourceOptions?.[s.name] ?? {} });

export function runProcessorStage(p: AnyProcessor, serde: Serde, mode: 'forever' | 'drain'): Promise<void> {
  // Loaded here so this dispatch is the only change to this module.
  if (p.kind === 'stateful-processor') return import('./stateful-processor-runner.js').then((m) => m.runStatefulProcessor(p, { serde, mode }));
  return runProcessor(p, { serde, mode });
}

export function runSinkStage(s: AnySink, serde: Serde, mode: 'forever' | 'drain'): Promise<void> {
  return s.kind === 'pg-sink' ? runPgSink(s, { serde, mode }) : runKeyedView(s, { serde, mode });
}

export async function runStages(flows: Flow[], serde: Serde, sel: StageSelection): Promise<void> {
  const want = (k: StageKind) => sel.kinds.includes(k);
  const sources = want('produce') ? picked(sourcesOf(flows), sel.only) : [];
  const processors = want('process') ? picked(processorsOf(flows), sel.only) : [];
  const sinks = want('sink') ? picked(sinksOf(flows), sel.only) : [];
  log.info({ sources: sources.map((s) => s.name), processors: processors.map((p) => p.name), sinks: sinks.map((s) => s.name), once: sel.once }, 'running stages');
  if (!sel.once) {
    await Promise.all([
      ...sources.map((s) => runSourceStage(s, serde, sel)),
      ...processors.map((p) => runProcessorStage(p, serde, 'forever')),
      ...sinks.map((s) => runSinkStage(s, serde, 'forever')),
    ]);
    return;
  }
  for (const s of sources) await runSourceStage(s, serde, sel);
  // Processors that read another processor's output (e.g. the 5-minute rooftop interpolation) drain after it.
  let pending = processors;
  while (pending.length) {
    let wave = pending.filter((p) => pending.every((q) => q === p || q.output.name !== p.input.name));
    if (wave.length === 0) wave = pending; // a cycle: run them together rather than never
    await Promise.all(wave.map((p) => runProcessorStage(p, serde, 'drain')));
    pending = pending.filter((p) => !wave.includes(p));
  }
  await Promise.all(sinks.map((s) => runSinkStage(s, serde, 'drain')));
}
