// The ComparePower processor component: raw listings -> clean plans (and sync-complete markers passed on), with the
// pure normaliser; the runner does it exactly once in Kafka transactions.
import type { ProcessorComponent } from '../../runtime/components.js';
import { isRejection } from '../../runtime/types.js';
import { comparePowerTopics, type ComparePowerTopics } from '../../schemas/comparepower/topics.js';
import type { PlanValue, RawPlanListing } from '../../schemas/comparepower/records.js';
import { planKey, syncKey } from '../../schemas/comparepower/tdsp.js';
import { normaliseListing } from './normalise.js';

export function comparePowerProcessor(cfg: { name?: string; topics?: ComparePowerTopics } = {}): ProcessorComponent<RawPlanListing, PlanValue> {
  const topics = cfg.topics ?? comparePowerTopics();
  return {
    kind: 'processor',
    name: cfg.name ?? 'comparepower-plans',
    input: topics.raw,
    output: topics.clean,
    transform: (m) => {
      const v = normaliseListing(m.value);
      if (isRejection(v)) return v;
      const key = v.kind === 'sync_complete' ? syncKey(v.tdsp_duns) : planKey(v.tdsp_duns, v.external_id!);
      return [{ key, value: v, eventTime: v.fetched_at }];
    },
  };
}
