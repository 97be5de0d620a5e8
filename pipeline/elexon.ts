// The Elexon flow: source (stacks + BMU reference) -> raw topics -> curtailment processor -> clean topic ->
// curtailment_records (summaries, bitcoin) and whole Redis views. `elexonFlow(id)` builds a copy with topics,
// tables, views and component names of its own (tests; the pipeline map uses the default names).
import type { Flow } from '../runtime/components.js';
import { elexonCurtailmentProcessor } from '../processors/elexon/processor.js';
import { elexonCurtailmentSink, type ElexonSink } from '../sinks/elexon/index.js';
import { elexonTables, type ElexonTables } from '../sinks/elexon/tables.js';
import { elexonViews, type ElexonViews } from '../sinks/elexon/views.js';
import { elexonSourceComponent, type ElexonSourceConfig } from '../producers/elexon/source.js';
import { elexonTopics, type ElexonTopics } from '../schemas/elexon/topics.js';

export interface ElexonFlow {
  id: string;
  flow: Flow;
  topics: ElexonTopics;
  tables: ElexonTables;
  views: ElexonViews;
  source: ReturnType<typeof elexonSourceComponent>;
  processor: ReturnType<typeof elexonCurtailmentProcessor>;
  sink: ElexonSink;
  /** A source for one-off re-fetches (reingest): same topics, its own cursor and transactional id, so it neither
   *  fences a running `elexon` source nor moves its cursor. */
  reingestSource: ReturnType<typeof elexonSourceComponent>;
}

export interface ElexonFlowOptions {
  source?: Omit<ElexonSourceConfig, 'name' | 'topics'>;
  /** "Today" for the views. */
  now?: () => number;
  waitForReferenceMs?: number;
}

/** id 'elexon' gives the pipeline map's names; any other id prefixes topics, tables, views and components. */
export function elexonFlow(id = 'elexon', o: ElexonFlowOptions = {}): ElexonFlow {
  const own = id !== 'elexon';
  const name = (n: string) => (own ? `${id}-${n}` : n);
  const topics = elexonTopics(id);
  const tables = elexonTables(own ? id : undefined);
  const views = elexonViews(id);
  const source = elexonSourceComponent({ ...o.source, name: own ? id : 'elexon', topics });
  const reingestSource = elexonSourceComponent({ ...o.source, name: own ? `${id}-reingest` : 'elexon-reingest', topics });
  const processor = elexonCurtailmentProcessor({ name: name('elexon-curtailment'), topics, ...(o.waitForReferenceMs === undefined ? {} : { waitForReferenceMs: o.waitForReferenceMs }) });
  const sink = elexonCurtailmentSink({ name: name('elexon-curtailment-records'), topics, tables, views, ...(o.now ? { now: o.now } : {}) });
  return { id, flow: { source, processor, sinks: [sink] }, topics, tables, views, source, processor, sink, reingestSource };
}

/** The Elexon flows of the pipeline map. */
export const elexonFlows = (): Flow[] => [elexonFlow().flow];
