// The pipeline map: every source -> raw topic -> processor -> clean topic -> sinks and views, one line per flow.
// The CLI (`run`, `produce`, `process`, `sink`, `status`, `topics apply`), the catalogue and the README's diagram
// all come from this list.
import type { Flow } from './runtime/components.js';
import { syntheticRawTopic, syntheticSource } from './producers/synthetic/index.js';
import { syntheticCleanTopic, syntheticProcessor } from './processors/synthetic/index.js';
import { syntheticLatestView, syntheticTable } from './sinks/synthetic/index.js';
import { aemoFlows } from './producers/aemo/flows.js';
import { elexonFlows } from './producers/elexon/flows.js';

const synthetic = { raw: syntheticRawTopic(), clean: syntheticCleanTopic() };

export const pipeline: Flow[] = [
  { source: syntheticSource('synthetic', synthetic.raw), processor: syntheticProcessor(synthetic.raw, synthetic.clean), sinks: [syntheticTable(synthetic.clean), syntheticLatestView(synthetic.clean)] },
  ...aemoFlows(),
  ...elexonFlows(),
];
