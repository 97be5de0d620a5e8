// The ComparePower topics. `id` names a set of them ('comparepower' in the pipeline map; tests pass their own).
// ONE partition each, on purpose: a TDSP's sync-complete marker must be read after every plan of that sync (the
// sink deactivates the plans a sync did not see when it reads the marker), and only a single partition orders them.
// Volume is tiny (≈ 700 plans per full refresh), so one partition costs nothing.
import { cleanTopic, rawTopic, type TopicSpec } from '../topics.js';

export interface ComparePowerTopics {
  raw: TopicSpec;
  clean: TopicSpec;
}

export function comparePowerTopics(id = 'comparepower'): ComparePowerTopics {
  return {
    raw: rawTopic(`raw.${id}.plans`, {
      key: 'tdsp_duns|_id (plan) or tdsp_duns|sync (sync-complete marker)',
      schema: './comparepower/raw.comparepower.plans.avsc',
      partitions: 1,
      description: 'ComparePower /api/plans/current, one plan per record as sent (JSON text), plus a sync-complete marker per TDSP sync; event time = fetch time',
    }),
    clean: cleanTopic(`clean.${id}.plans`, {
      key: 'tdsp_duns|external_id, or tdsp_duns|sync for the marker',
      schema: './comparepower/clean.comparepower.plans.avsc',
      partitions: 1,
      description: 'Texas retail electricity plans per TDSP: exact $/kWh at 500/1000/2000 kWh, term, derived rate type, renewable %, ETF, documents; plus sync-complete markers',
    }),
  };
}

/**
 * Redis set of TDSP DUNS whose sync the plans API asked for (a request that found no data): the source takes them
 * at its next poll. Not a view: a queue between the API and the source, in the namespace's key prefix.
 */
export const syncRequestsKey = (id = 'comparepower'): string => `gs:queue:${id}:sync-requests`;
