// A synthetic flow with names of its own, so each test file works on its own topics, table, view and groups.
import { randomBytes } from 'node:crypto';
import type { Flow, KeyedViewComponent, PgSinkComponent, ProcessorComponent, SourceComponent } from '../../runtime/components.js';
import { pool } from '../../runtime/db.js';
import { Serde } from '../../runtime/serde.js';
import { applyTopics } from '../../runtime/topics-apply.js';
import { catalogue } from '../../schemas/catalogue.js';
import { syntheticRawTopic, syntheticSource, type RawScada, type SyntheticCursor, type SyntheticOptions } from '../../devkit/synthetic/source.js';
import { syntheticCleanTopic, syntheticProcessor, type CleanScada } from '../../devkit/synthetic/processor.js';
import { createSyntheticTable, syntheticLatestView, syntheticTable } from '../../devkit/synthetic/sinks.js';

export interface TestFlow {
  id: string;
  flow: Flow;
  source: SourceComponent<RawScada, SyntheticCursor, SyntheticOptions>;
  processor: ProcessorComponent<RawScada, CleanScada>;
  table: PgSinkComponent<CleanScada>;
  view: KeyedViewComponent<CleanScada>;
  serde: Serde;
}

/** The components of test flow `id`, without touching any service (worker processes rebuild them from the id). */
export function buildFlow(id: string): TestFlow {
  const raw = syntheticRawTopic(id);
  const clean = syntheticCleanTopic(id);
  const source = syntheticSource(id, raw);
  const processor = syntheticProcessor(raw, clean, id);
  const table = syntheticTable(clean, `${id}_scada`, `${id}_scada`);
  const view = syntheticLatestView(clean, `${id}_latest`);
  const flow: Flow = { source, processor, sinks: [table, view] };
  return { id, flow, source, processor, table, view, serde: Serde.fromConfig() };
}

/** A new flow with its own topics (created, schemas registered) and table. */
export async function testFlow(prefix: string): Promise<TestFlow> {
  const f = buildFlow(`t_${prefix}_${randomBytes(3).toString('hex')}`);
  await createSyntheticTable(pool(), f.table.table);
  await applyTopics(catalogue([f.flow]), f.serde);
  return f;
}
