// The NESO table sinks: clean CMUs, components and geocoder answers upserted on their natural keys (a replay or a
// second delivery writes nothing: unchanged rows are skipped by the upsert, so their xmin stays). The components
// sink also enqueues every new postcode or location string for the geocoding stage, in the same transaction; after
// each commit the Redis views of exactly the keys the batch touched are refreshed.
import type { PgSinkComponent } from '../../runtime/components.js';
import { fieldColumns } from '../../runtime/pg-columns.js';
import { ident } from '../../runtime/sql.js';
import type { NesoCmu, NesoComponent, NesoLocation } from '../../schemas/neso/records.gen.js';
import { nesoTables, type NesoTables } from '../../schemas/neso/tables.js';
import { nesoTopics, type NesoTopics } from '../../schemas/neso/topics.js';
import { geocodeQueryOf, locationKeyOf } from './geocode-queue.js';
import type { NesoViews } from './views.js';

export interface NesoSinkConfig {
  prefix?: string;
  topics?: NesoTopics;
  tables?: NesoTables;
  /** Views refreshed after each commit, or false for none. */
  views?: NesoViews | false;
}


export function nesoSinks(cfg: NesoSinkConfig = {}) {
  const topics = cfg.topics ?? nesoTopics();
  const tables = cfg.tables ?? nesoTables();
  const views = cfg.views ?? false;
  const name = (n: string) => (cfg.prefix ? `${cfg.prefix}-${n}` : n);
  const cmus: PgSinkComponent<NesoCmu> = {
    kind: 'pg-sink',
    name: name('neso-cmus-table'),
    topic: topics.cleanCmus,
    table: tables.cmus,
    key: ['auction_name', 'cmu_id'],
    // fields_json is JSON text in the record and jsonb in the table (queried by field): an explicit conversion column.
    columns: [...fieldColumns<NesoCmu>(topics.cleanCmus, { omit: ['fields_json'] }), { name: 'fields_json', value: (v) => v.fields_json }],
    afterCommit: async (values) => {
      if (views) await views.refresh({ cmuIds: values.map((v) => v.cmu_id) });
    },
  };
  const components: PgSinkComponent<NesoComponent> = {
    kind: 'pg-sink',
    name: name('neso-components-table'),
    topic: topics.cleanComponents,
    table: tables.components,
    key: ['auction_name', 'cmu_id', 'component_id'],
    columns: [...fieldColumns<NesoComponent>(topics.cleanComponents, { omit: ['fields_json'] }), { name: 'fields_json', value: (v) => v.fields_json }],
    touched: async (client, values) => {
      const queries = values.map(geocodeQueryOf).filter((q) => q !== null);
      if (!queries.length) return;
      await client.query(
        `insert into ${ident(tables.geocodeCache)} (kind, query, status) select k, q, 'pending' from unnest($1::text[], $2::text[]) as t(k, q) on conflict do nothing`,
        [queries.map((q) => q.kind), queries.map((q) => q.query)],
      );
    },
    afterCommit: async (values) => {
      if (views) await views.refresh({ cmuIds: values.map((v) => v.cmu_id), locationKeys: values.map(locationKeyOf).filter((k) => k !== null) });
    },
  };
  const locations: PgSinkComponent<NesoLocation> = {
    kind: 'pg-sink',
    name: name('neso-locations-table'),
    topic: topics.locations,
    table: tables.locations,
    key: ['kind', 'query'],
    columns: fieldColumns<NesoLocation>(topics.locations),
    afterCommit: async (values) => {
      if (views) await views.refresh({ geocoded: values.filter((v) => v.found).map((v) => v.query) });
    },
  };
  return { cmus, components, locations, tables };
}

export type NesoSinks = ReturnType<typeof nesoSinks>;
