// Camera locations and charges -> camera_locations, camera_charges, and what depends on them, recomputed in the
// batch's transaction for the locations it touched: red_light_yearly_locations (revenue estimated at $325 a
// ticket), ase_yearly_locations ($50), and the dataset's GeoJSON FeatureCollection (camera_geojson; shaped like the
// old map layers: shared/specs/civic.md §6).
import type pg from 'pg';
import type { PgSinkComponent } from '../../runtime/components.js';
import { fieldColumns } from '../../runtime/pg-columns.js';
import type { CameraDataset, CleanCameraCharges, CleanCameraLocation } from '../../schemas/toronto/records.gen.js';
import type { TorontoTopics } from '../../schemas/toronto/topics.js';
import { ident, type TorontoTables } from './tables.js';
import { pool } from '../../runtime/db.js';
import { log } from '../../runtime/log.js';
import { sharedRedis, ViewRefused } from '../../runtime/redis-views.js';
import { publishCameraLayers } from './map-payloads.js';

/** After a commit: the camera layers in Redis (a refusal by the memory guard keeps the old payload and is logged). */
const publishLayers = (tables: TorontoTables, mapView: string | undefined) =>
  mapView
    ? {
        afterCommit: async () => {
          try {
            await publishCameraLayers(pool(), sharedRedis(), tables, mapView);
          } catch (err) {
            if (!(err instanceof ViewRefused)) throw err;
            log.warn({ view: mapView, err: err.message }, 'camera layers not published');
          }
        },
      }
    : {};

export const FINE: Record<CameraDataset, number> = { red_light: 325, ase: 50 };

type Touched = { dataset: CameraDataset; location_code: string }[];

export async function recomputeCameras(client: pg.PoolClient, t: TorontoTables, touched: Touched): Promise<void> {
  const T = Object.fromEntries(Object.entries(t).map(([k, v]) => [k, ident(v)])) as Record<keyof TorontoTables, string>;
  for (const dataset of ['red_light', 'ase'] as const) {
    const codes = [...new Set(touched.filter((x) => x.dataset === dataset).map((x) => x.location_code))];
    if (!codes.length) continue;
    const yearly = dataset === 'red_light' ? T.redLightYearly : T.aseYearly;
    const extra = dataset === 'red_light' ? 'police_division' : 'status';
    await client.query(`delete from ${yearly} where location_code = any($1)`, [codes]);
    await client.query(
      `insert into ${yearly} (location_code, year, ticket_count, total_revenue, location_name, ward, ${extra}, latitude, longitude)
       select c.location_code, left(p->>'period', 4)::int, sum((p->>'tickets')::bigint), sum((p->>'tickets')::bigint) * $3::numeric,
              coalesce(min(l.name), min(c.name)), coalesce(min(l.ward), min(c.ward)), min(l.${extra}), min(l.latitude), min(l.longitude)
       from ${T.cameraCharges} c cross join lateral jsonb_array_elements(c.periods) p
       left join ${T.cameraLocations} l on l.dataset = c.dataset and l.location_code = c.location_code
       where c.dataset = $1 and c.location_code = any($2)
       group by c.location_code, left(p->>'period', 4)::int`,
      [dataset, codes, FINE[dataset]],
    );
    await rebuildGeojson(client, t, dataset);
  }
}

/** The dataset's layer: one Point feature per located camera, with its charges by year (whole dataset: < 1,000 features). */
export async function rebuildGeojson(client: pg.PoolClient, t: TorontoTables, dataset: CameraDataset): Promise<void> {
  const T = Object.fromEntries(Object.entries(t).map(([k, v]) => [k, ident(v)])) as Record<keyof TorontoTables, string>;
  const yearly = dataset === 'red_light' ? T.redLightYearly : T.aseYearly;
  const props =
    dataset === 'red_light'
      ? `'intersectionId', l.intersection_id, 'locationCode', l.location_code, 'name', l.name, 'streetA', l.street_a, 'streetB', l.street_b, 'ward', l.ward,
         'policeDivision', l.police_division, 'activationDate', l.activation_date, 'months', '[]'::jsonb,`
      : `'locationCode', l.location_code, 'name', l.name, 'ward', l.ward, 'status', l.status,`;
  await client.query(
    `with agg as (select location_code, sum(ticket_count) as n, sum(total_revenue) as revenue, jsonb_object_agg(year::text, ticket_count order by year) as counts, jsonb_agg(year order by year) as years
                  from ${yearly} group by location_code)
     insert into ${T.cameraGeojson} (dataset, feature_collection, updated_at)
     select $1, jsonb_build_object('type', 'FeatureCollection', 'features', coalesce(jsonb_agg(jsonb_build_object(
              'type', 'Feature',
              'geometry', jsonb_build_object('type', 'Point', 'coordinates', jsonb_build_array(l.longitude, l.latitude)),
              'properties', jsonb_build_object(${props} 'ticketCount', coalesce(a.n, 0), 'totalRevenue', coalesce(a.revenue, 0),
                                               'years', coalesce(a.years, '[]'::jsonb), 'yearlyCounts', coalesce(a.counts, '{}'::jsonb))
            ) order by l.location_code), '[]'::jsonb)), now()
     from ${T.cameraLocations} l left join agg a on a.location_code = l.location_code
     where l.dataset = $1 and l.latitude is not null and l.longitude is not null
     on conflict (dataset) do update set feature_collection = excluded.feature_collection, updated_at = excluded.updated_at`,
    [dataset],
  );
}

export function torontoCameraLocationSink(o: { name: string; topics: TorontoTopics; tables: TorontoTables; mapView?: string }): PgSinkComponent<CleanCameraLocation> {
  return {
    kind: 'pg-sink',
    name: o.name,
    topic: o.topics.cameraLocationClean,
    table: o.tables.cameraLocations,
    key: ['dataset', 'location_code'],
    rowKey: (r) => `${String(r.dataset)}|${String(r.location_code)}`,
    columns: fieldColumns<CleanCameraLocation>(o.topics.cameraLocationClean),
    touched: (client, values) => recomputeCameras(client, o.tables, values),
    ...publishLayers(o.tables, o.mapView),
  };
}

export function torontoCameraChargesSink(o: { name: string; topics: TorontoTopics; tables: TorontoTables; mapView?: string }): PgSinkComponent<CleanCameraCharges> {
  return {
    kind: 'pg-sink',
    name: o.name,
    topic: o.topics.cameraChargesClean,
    table: o.tables.cameraCharges,
    key: ['dataset', 'location_code'],
    rowKey: (r) => `${String(r.dataset)}|${String(r.location_code)}`,
    columns: [
      { name: 'dataset', value: (v) => v.dataset, from: 'dataset' },
      { name: 'location_code', value: (v) => v.location_code, from: 'location_code' },
      { name: 'name', value: (v) => v.name, from: 'name' },
      { name: 'ward', value: (v) => v.ward, from: 'ward' },
      { name: 'periods', value: (v) => JSON.stringify(v.periods), from: 'periods' },
    ],
    touched: (client, values) => recomputeCameras(client, o.tables, values),
    ...publishLayers(o.tables, o.mapView),
  };
}
