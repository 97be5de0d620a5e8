// The curtailment processor component: raw stack -> clean curtailment with the pure transform, the BMU reference
// loaded in prepare(). Rows that would count but whose unit the reference does not know are counted and logged:
// they silently lower totals when the reference is stale, so they must be visible.
import client from 'prom-client';
import type { ProcessorComponent } from '../../runtime/components.js';
import { log } from '../../runtime/log.js';
import { registry } from '../../runtime/metrics.js';
import { Serde } from '../../runtime/serde.js';
import type { RawStackValue } from '../../schemas/elexon/raw.js';
import { elexonTopics, type ElexonTopics } from '../../schemas/elexon/topics.js';
import { makeCurtailmentTransform } from './curtailment.js';
import { loadBmuReference } from './reference.js';
import type { BmuLookup, CurtailmentValue } from '../../schemas/elexon/clean.js';

export const unknownBmuRows = new client.Counter({
  name: 'gridstream_elexon_unknown_bmu_rows_total',
  help: 'Stack rows that would be curtailment but whose BMU is not in the reference data (not counted in totals)',
  labelNames: ['processor'],
  registers: [registry],
});

export interface CurtailmentProcessorConfig {
  name?: string;
  topics?: ElexonTopics;
  serde?: Serde;
  /** How long prepare() waits for an empty reference topic to fill (the source may be starting too). */
  waitForReferenceMs?: number;
}

export function elexonCurtailmentProcessor(cfg: CurtailmentProcessorConfig = {}): ProcessorComponent<RawStackValue, CurtailmentValue> {
  const name = cfg.name ?? 'elexon-curtailment';
  const topics = cfg.topics ?? elexonTopics();
  let lookup: BmuLookup = () => undefined;
  let unknownSeen = new Set<string>();
  const transform = makeCurtailmentTransform((id) => lookup(id), {
    onUnknownBmu: (bmuId, row) => {
      unknownBmuRows.inc({ processor: name });
      if (unknownSeen.has(bmuId)) return;
      unknownSeen.add(bmuId);
      log.warn({ processor: name, bmuId, date: row.settlementDate, period: row.settlementPeriod }, 'curtailment-like row on a BMU missing from the reference data (skipped; logged once per unit)');
    },
  });
  return {
    kind: 'processor',
    name,
    input: topics.stack,
    output: topics.curtailment,
    joins: [topics.bmunits],
    transform,
    async prepare() {
      const ref = await loadBmuReference(topics.bmunits.name, cfg.serde ?? Serde.fromConfig(), { waitMs: cfg.waitForReferenceMs ?? 120_000 });
      lookup = ref.lookup;
      unknownSeen = new Set();
    },
  };
}
