// The NESO processor components: raw register and component records -> clean topics, with the pure normalisers.
import type { ProcessorComponent } from '../../runtime/components.js';
import type { CkanRecord } from '../../schemas/neso/raw.js';
import type { NesoCmu, NesoComponent } from '../../schemas/neso/records.gen.js';
import { nesoTopics, type NesoTopics } from '../../schemas/neso/topics.js';
import { normaliseCmu, normaliseComponent } from './normalise.js';

export function nesoCmuProcessor(o: { name?: string; topics?: NesoTopics } = {}): ProcessorComponent<CkanRecord, NesoCmu> {
  const topics = o.topics ?? nesoTopics();
  return { kind: 'processor', name: o.name ?? 'neso-cmus', input: topics.cmus, output: topics.cleanCmus, transform: normaliseCmu };
}

export function nesoComponentProcessor(o: { name?: string; topics?: NesoTopics } = {}): ProcessorComponent<CkanRecord, NesoComponent> {
  const topics = o.topics ?? nesoTopics();
  return { kind: 'processor', name: o.name ?? 'neso-components', input: topics.components, output: topics.cleanComponents, transform: normaliseComponent };
}
