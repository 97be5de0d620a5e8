// Runs the pipeline map's stages, each under a supervisor (runtime/supervisor.ts). Continuous mode runs every
// selected stage concurrently, forever (producers on their schedules); a stage that fails is restarted with backoff
// while the others go on, and only a fatal error (configuration, a bug) stops them all. `--once` runs them in flow
// order and drains each: sources fetch what is new and stop, processors then consume until caught up, then sinks and
// views do the same. A stage that fails (after its attempts) does not stop the rest: a processor whose source failed
// still drains what its raw topic already holds. The outcome of every stage is returned for the caller to print.
import type { AnyProcessor, AnySink, AnySource, Flow } from './components.js';
import { config } from './config.js';
import type { StageHealth } from './consumer.js';
import { log } from './log.js';
import { runPgSink } from './pg-sink-runner.js';
import { runProcessor } from './processor-runner.js';
import { runSource } from './producer-runner.js';
import { runKeyedView } from './redis-views.js';
import type { Serde } from './serde.js';
import { onShutdown } from './shutdown.js';
import { supervise, type StageContext, type StageOutcome } from './supervisor.js';

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

/** The supervisor's name of a stage, the same label its metrics carry. */
export const stageName = (c: AnySource | AnyProcessor | AnySink) =>
  c.kind === 'source' ? `produce:${c.name}` : c.kind === 'pg-sink' ? `sink:${c.name}` : c.kind === 'keyed-view' ? `view:${c.name}` : `process:${c.name}`;

/** Services a set of stages talks to (what the HTTP server's /readyz checks). */
export type Dependency = 'kafka' | 'registry' | 'postgres' | 'redis';

export function dependenciesOf(components: (AnySource | AnyProcessor | AnySink)[]): Dependency[] {
  const deps = new Set<Dependency>();
  for (const c of components) {
    deps.add('kafka').add('registry');
    if (c.kind === 'source') deps.add('postgres'); // etl_run_log
    if (c.kind === 'pg-sink') deps.add('postgres');
    if (c.kind === 'pg-sink' && c.afterCommit) deps.add('redis'); // whole views rebuilt after each commit
    if (c.kind === 'keyed-view') deps.add('redis');
  }
  return [...deps].sort();
}

type Run = { signal: AbortSignal; health: StageHealth };
const run = (ctx: StageContext): Run => ({ signal: ctx.signal, health: { succeeded: ctx.succeeded, troubled: ctx.troubled } });

export const runSourceStage = (s: AnySource, serde: Serde, sel: StageSelection, r?: Run) =>
  runSource(s, { serde, once: sel.once, options: sel.sourceOptions?.[s.name] ?? {}, ...r });

export function runProcessorStage(p: AnyProcessor, serde: Serde, mode: 'forever' | 'drain', r?: Run): Promise<void> {
  // Loaded here so this dispatch is the only change to this module.
  if (p.kind === 'stateful-processor') return import('./stateful-processor-runner.js').then((m) => m.runStatefulProcessor(p, { serde, mode, ...r }));
  return runProcessor(p, { serde, mode, ...r });
}

export function runSinkStage(s: AnySink, serde: Serde, mode: 'forever' | 'drain', r?: Run): Promise<void> {
  return s.kind === 'pg-sink' ? runPgSink(s, { serde, mode, ...r }) : runKeyedView(s, { serde, mode, ...r });
}

/** The components a selection runs, in flow order. */
export function selectedComponents(flows: Flow[], sel: Pick<StageSelection, 'kinds' | 'only'>) {
  const want = (k: StageKind) => sel.kinds.includes(k);
  return {
    sources: want('produce') ? picked(sourcesOf(flows), sel.only) : [],
    processors: want('process') ? picked(processorsOf(flows), sel.only) : [],
    sinks: want('sink') ? picked(sinksOf(flows), sel.only) : [],
  };
}

/** Some stages of a `--once` run failed (each after its attempts); the others ran. */
export class StagesFailed extends Error {
  constructor(readonly outcomes: StageOutcome[]) {
    const failed = outcomes.filter((o) => o.state === 'failed');
    super(`${failed.length} stage(s) failed: ${failed.map((o) => `${o.name} (${o.error})`).join('; ')}`, { cause: failed[0]?.error });
  }
}

/** Like superviseStages, for callers that want any failed stage to be an error (thrown after every stage ran). */
export async function runStages(flows: Flow[], serde: Serde, sel: StageSelection): Promise<StageOutcome[]> {
  const outcomes = await superviseStages(flows, serde, sel);
  if (outcomes.some((o) => o.state === 'failed')) throw new StagesFailed(outcomes);
  return outcomes;
}

/**
 * Runs the selected stages under supervision and returns each one's outcome. Rejects only with a fatal error, after
 * stopping the other stages.
 */
export async function superviseStages(flows: Flow[], serde: Serde, sel: StageSelection): Promise<StageOutcome[]> {
  const { sources, processors, sinks } = selectedComponents(flows, sel);
  log.info({ sources: sources.map((s) => s.name), processors: processors.map((p) => p.name), sinks: sinks.map((s) => s.name), once: sel.once }, 'running stages');
  const stop = new AbortController();
  // SIGTERM also ends stages waiting out a backoff (running ones stop through their own shutdown hooks).
  onShutdown('supervisor', async () => stop.abort());
  const cfg = config();
  const supervised = (name: string, body: (r: Run) => Promise<unknown>) =>
    supervise(name, (ctx) => body(run(ctx)), { mode: sel.once ? 'once' : 'forever', attempts: cfg.onceAttempts, backoff: cfg.stageBackoff, signal: stop.signal }).catch((err: unknown) => {
      // Fatal: stop every other stage, then let the caller end the process with this error.
      stop.abort();
      throw err;
    });

  if (!sel.once) {
    const all = [
      ...sources.map((s) => supervised(stageName(s), (r) => runSourceStage(s, serde, sel, r))),
      ...processors.map((p) => supervised(stageName(p), (r) => runProcessorStage(p, serde, 'forever', r))),
      ...sinks.map((s) => supervised(stageName(s), (r) => runSinkStage(s, serde, 'forever', r))),
    ];
    return settle(await Promise.allSettled(all));
  }

  const outcomes: StageOutcome[] = [];
  const wave = async (list: Promise<StageOutcome>[]) => outcomes.push(...settle(await Promise.allSettled(list)));
  // Sources are independent of each other: one that cannot reach its API does not hold up the others.
  await wave(sources.map((s) => supervised(stageName(s), (r) => runSourceStage(s, serde, sel, r))));
  // Processors that read another processor's output (e.g. the 5-minute rooftop interpolation) drain after it.
  let pending = processors;
  while (pending.length) {
    let next = pending.filter((p) => pending.every((q) => q === p || q.output.name !== p.input.name));
    if (next.length === 0) next = pending; // a cycle: run them together rather than never
    await wave(next.map((p) => supervised(stageName(p), (r) => runProcessorStage(p, serde, 'drain', r))));
    pending = pending.filter((p) => !next.includes(p));
  }
  await wave(sinks.map((s) => supervised(stageName(s), (r) => runSinkStage(s, serde, 'drain', r))));
  return outcomes;
}

/** Outcomes of settled stages; the first fatal error (a rejection) is rethrown once all have settled. */
function settle(results: PromiseSettledResult<StageOutcome>[]): StageOutcome[] {
  const fatal = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (fatal) throw fatal.reason;
  return results.map((r) => (r as PromiseFulfilledResult<StageOutcome>).value);
}
