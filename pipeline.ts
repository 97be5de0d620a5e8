// The pipeline map: every source -> raw topic -> processor (and any join input) -> clean topic -> tables and views.
// Each source's lines are wired in pipeline/<source>.ts; adding a source adds its folders and one line here. The
// CLI (`run`, `produce`, `process`, `sink`, `status`, `topics apply`), the topic catalogue and the README's diagram
// all come from this list.
import type { Flow } from './runtime/components.js';
import { aemoFlows } from './pipeline/aemo.js';
import { elexonFlows } from './pipeline/elexon.js';
import { comparePowerFlows } from './pipeline/comparepower.js';
import { nesoFlows } from './pipeline/neso.js';
import { torontoFlows } from './pipeline/toronto.js';

export const pipeline: Flow[] = [
  ...aemoFlows(), //   AEMO NEMWEB: SCADA, dispatch prices, interconnectors, rooftop PV (30 -> 5 min)
  ...elexonFlows(), // Elexon: settlement stacks (+ BMU reference join) -> wind curtailment, summaries, bitcoin
  ...comparePowerFlows(), // ComparePower: Texas electricity plans per TDSP -> electricity_plans, price history, plan views
  ...nesoFlows(), //   NESO Capacity Market Register: CKAN crawl -> CMUs, components (search), geocoded locations, Redis views
  ...torontoFlows(), // Toronto: parking-ticket yearly ZIPs (chunks) + camera data -> tickets, yearly metrics, GeoJSON, map payloads
];
