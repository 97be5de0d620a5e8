import type { Flow } from '../../runtime/components.js';

/** The Elexon flows of the pipeline map. */
export const elexonFlows = (): Flow[] => [];
