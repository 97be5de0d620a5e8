// The pipeline map: every source -> raw topic -> processor -> clean topic -> sinks and views, one line per flow.
// The CLI (`run`, `produce`, `process`, `sink`, `status`, `topics apply`), the catalogue and the README's diagram
// all come from this list.
import type { Flow } from './runtime/components.js';
import { syntheticRawTopic, syntheticSource } from './devkit/synthetic/source.js';
import { syntheticCleanTopic, syntheticProcessor } from './devkit/synthetic/processor.js';
import { syntheticLatestView, syntheticTable } from './devkit/synthetic/sinks.js';
import { aemoFlows } from './producers/aemo/flows.js';
import { elexonFlows } from './pipeline/elexon.js';

const synthetic = { raw: syntheticRawTopic(), clean: syntheticCleanTopic() };

export const pipeline: Flow[] = [
  { source: syntheticSource('synthetic', synthetic.raw), processor: syntheticProcessor(synthetic.raw, synthetic.clean), sinks: [syntheticTable(synthetic.clean), syntheticLatestView(synthetic.clean)] },
  ...aemoFlows(),
  ...elexonFlows(),
];
