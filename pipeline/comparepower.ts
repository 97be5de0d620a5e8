// The ComparePower flow: source (one call per TDSP) -> raw.comparepower.plans -> normaliser -> clean.comparepower.plans
// -> electricity_plans (+ price history, sync completion) and the plans/cities Redis views. `comparePowerFlow(id)`
// builds a copy with topics, tables, views and names of its own (tests, benches).
import type { Flow } from '../runtime/components.js';
import { comparePowerProcessor } from '../processors/comparepower/processor.js';
import { comparePowerSourceComponent, type ComparePowerSourceConfig } from '../producers/comparepower/source.js';
import { comparePowerSink, type ComparePowerSink } from '../sinks/comparepower/index.js';
import { comparePowerTables, type ComparePowerTables } from '../sinks/comparepower/tables.js';
import { comparePowerViews, type ComparePowerViews } from '../sinks/comparepower/views.js';
import { comparePowerTopics, type ComparePowerTopics } from '../schemas/comparepower/topics.js';

export interface ComparePowerFlow {
  id: string;
  flow: Flow;
  topics: ComparePowerTopics;
  tables: ComparePowerTables;
  views: ComparePowerViews;
  source: ReturnType<typeof comparePowerSourceComponent>;
  processor: ReturnType<typeof comparePowerProcessor>;
  sink: ComparePowerSink;
}

export function comparePowerFlow(id = 'comparepower', o: { source?: Omit<ComparePowerSourceConfig, 'name' | 'topics' | 'queueId'> } = {}): ComparePowerFlow {
  const own = id !== 'comparepower';
  const name = (n: string) => (own ? `${id}-${n}` : n);
  const topics = comparePowerTopics(id);
  const tables = comparePowerTables(own ? id : undefined);
  const views = comparePowerViews(id);
  const source = comparePowerSourceComponent({ ...o.source, name: own ? id : 'comparepower', topics, queueId: id });
  const processor = comparePowerProcessor({ name: name('comparepower-plans'), topics });
  const sink = comparePowerSink({ name: name('comparepower-plans'), topics, tables, views });
  return { id, flow: { source, processor, sinks: [sink] }, topics, tables, views, source, processor, sink };
}

/** The ComparePower flows of the pipeline map. */
export const comparePowerFlows = (): Flow[] => [comparePowerFlow().flow];
