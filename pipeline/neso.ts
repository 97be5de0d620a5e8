// The NESO Capacity Market Register flows: the CKAN crawl -> raw register and component topics -> normalisers ->
// clean topics -> neso_cmus / neso_components (generated search vectors) and Redis views; the geocoding stage (a
// source over the geocoder cache the components sink fills) -> clean.neso.locations -> neso_locations and the map
// clusters. `nesoFlow(id)` builds a copy with topics, tables, views and component names of its own (tests, benches).
import type { Flow } from '../runtime/components.js';
import type { ViewRedis } from '../runtime/redis-views.js';
import { nesoCmuProcessor, nesoComponentProcessor } from '../processors/neso/processor.js';
import { nesoSourceComponent, type NesoSourceConfig } from '../producers/neso/source.js';
import { nesoGeocoderComponent, type GeocoderConfig } from '../producers/neso/geocoder.js';
import { nesoSinks } from '../sinks/neso/index.js';
import { nesoViewNames, nesoViews } from '../sinks/neso/views.js';
import { nesoTables } from '../schemas/neso/tables.js';
import { nesoTopics } from '../schemas/neso/topics.js';

export interface NesoFlowOptions {
  source?: Omit<NesoSourceConfig, 'name' | 'topics' | 'tables'>;
  geocoder?: Omit<GeocoderConfig, 'name' | 'topics' | 'tables'>;
  /** Keep Redis views (default true). */
  views?: boolean;
  /** The Redis the views are written to (default REDIS_URL). */
  redis?: () => ViewRedis;
}

/** id 'neso' gives the pipeline map's names; any other id prefixes topics, tables, views and components. */
export function nesoFlow(id = 'neso', o: NesoFlowOptions = {}) {
  const own = id !== 'neso';
  const topics = nesoTopics(id);
  const tables = nesoTables(own ? id : undefined);
  const views = nesoViews(tables, nesoViewNames(id), o.redis ? { redis: o.redis } : {});
  const source = nesoSourceComponent({ ...o.source, name: own ? id : 'neso', topics, tables });
  const geocoder = nesoGeocoderComponent({ ...o.geocoder, name: own ? `${id}-geocoder` : 'neso-geocoder', topics, tables });
  const cmuProcessor = nesoCmuProcessor({ name: own ? `${id}-cmus` : 'neso-cmus', topics });
  const componentProcessor = nesoComponentProcessor({ name: own ? `${id}-components` : 'neso-components', topics });
  const sinks = nesoSinks({ ...(own ? { prefix: id } : {}), topics, tables, views: o.views === false ? false : views });
  const flows: Flow[] = [
    { source, processor: cmuProcessor, sinks: [sinks.cmus] },
    { processor: componentProcessor, sinks: [sinks.components] },
    { source: geocoder, sinks: [sinks.locations] },
  ];
  return { id, flows, topics, tables, views, source, geocoder, cmuProcessor, componentProcessor, sinks };
}

export type NesoFlow = ReturnType<typeof nesoFlow>;

/** The NESO flows of the pipeline map. */
export const nesoFlows = (): Flow[] => nesoFlow().flows;
