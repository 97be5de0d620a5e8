// The NESO Capacity Market Register topics. `id` names a set of them ('neso' in the pipeline map; tests pass their
// own so that each test file works on topics nobody else writes).
import { cleanTopic, rawTopic, type TopicSpec } from '../topics.js';

export interface NesoTopics {
  cmus: TopicSpec;
  components: TopicSpec;
  cleanCmus: TopicSpec;
  cleanComponents: TopicSpec;
  locations: TopicSpec;
}

export function nesoTopics(id = 'neso'): NesoTopics {
  return {
    cmus: rawTopic(`raw.${id}.cmus`, {
      key: 'Auction Name|CMU ID',
      schema: './neso/raw.neso.record.avsc',
      description: 'NESO Capacity Market Register (CKAN resource 25a5fa2e…), one datastore record per message as sent; published when new or changed (content hash)',
    }),
    components: rawTopic(`raw.${id}.components`, {
      key: 'Auction Name|CMU ID|Component ID',
      schema: './neso/raw.neso.record.avsc',
      description: 'NESO CM components (CKAN resource 790f5fa0…), fetched per CMU with filters and verified, as sent; published when new or changed',
    }),
    cleanCmus: cleanTopic(`clean.${id}.cmus`, {
      key: 'auction_name|cmu_id',
      schema: './neso/clean.neso.cmus.avsc',
      description: 'Capacity Market Units: normalised field names, capacities as numbers (original text kept), delivery year start + label, technology class',
    }),
    cleanComponents: cleanTopic(`clean.${id}.components`, {
      key: 'auction_name|cmu_id|component_id',
      schema: './neso/clean.neso.components.avsc',
      description: 'CMU components: normalised fields, postcode and outward code from the location, technology class',
    }),
    // Written by the geocoding stage, which asks each postcode or location string once ever (cache table).
    locations: cleanTopic(`clean.${id}.locations`, {
      key: 'kind|query',
      schema: './neso/clean.neso.locations.avsc',
      partitions: 1,
      description: 'Geocoder answers per postcode (postcodes.io bulk) or location string (Nominatim): found, latitude, longitude',
    }),
  };
}
