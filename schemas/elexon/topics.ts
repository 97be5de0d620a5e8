// The Elexon topics. `id` names a set of them ('elexon' in the pipeline map; tests pass their own so that each
// test file works on topics nobody else writes).
import { cleanTopic, rawTopic, type TopicSpec } from '../topics.js';

/** The header every stack record carries: when its response was fetched (ms), to tell fetches of a slot apart. */
export const FETCH_HEADER = 'elexon-fetched-at';

export interface ElexonTopics {
  stack: TopicSpec;
  bmunits: TopicSpec;
  curtailment: TopicSpec;
}

export function elexonTopics(id = 'elexon'): ElexonTopics {
  return {
    stack: rawTopic(`raw.${id}.stack`, {
      key: 'settlementDate|settlementPeriod|side|id|acceptanceId|bidOfferPairId|sequenceNumber (null parts: none)',
      schema: './elexon/raw.elexon.stack.avsc',
      description: 'Elexon settlement bid and offer stacks (Insights /balancing/settlement/stack/all), one element per record, as sent; event time = period start',
    }),
    // Reference data: only the latest description of a unit matters, so the topic is compacted on its id and a
    // processor reads it whole before its first record.
    bmunits: {
      ...rawTopic(`raw.${id}.bmunits`, {
        key: 'elexonBmUnit',
        schema: './elexon/raw.elexon.bmunits.avsc',
        partitions: 1,
        description: 'Elexon BMU reference data (Insights /reference/bmunits/all), latest per unit; event time = fetch time',
      }),
      retentionMs: -1,
      cleanupPolicy: 'compact',
    },
    curtailment: cleanTopic(`clean.${id}.curtailment`, {
      key: 'same natural key as the raw stack record',
      schema: './elexon/clean.elexon.curtailment.avsc',
      description: 'Wind curtailment: SO- or CADL-flagged stack rows with negative volume on WIND units, signs documented',
    }),
  };
}
