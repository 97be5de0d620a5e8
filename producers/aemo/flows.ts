import type { Flow } from '../../runtime/components.js';

/** The AEMO NEMWEB flows of the pipeline map. */
export const aemoFlows = (): Flow[] => [];
