import type { Flow } from '../../runtime/components.js';
import { aemoPipelineFlows } from '../../sinks/aemo/index.js';
import { aemoRawTopics, aemoSource } from './source.js';

/** The AEMO NEMWEB flows of the pipeline map: one source, four raw topics, five clean topics and their tables. */
export const aemoFlows = (): Flow[] => aemoPipelineFlows(aemoRawTopics, { source: aemoSource() }).flows;
