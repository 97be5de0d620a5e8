// The Toronto tables' names. The pipeline map uses the migration's names; tests and benches pass a prefix and get
// copies of their own (same columns, keys and indexes).
import type pg from 'pg';
import { ident, identName } from '../../runtime/sql.js';

const BASE = {
  chunks: 'parking_ticket_chunks',
  tickets: 'parking_tickets',
  loads: 'parking_ticket_loads',
  geocodes: 'parking_location_geocodes',
  dirty: 'parking_metric_dirty',
  countedBatches: 'parking_metric_counted_batches',
  settles: 'parking_metric_settles',
  locationCodes: 'parking_ticket_yearly_location_codes',
  locations: 'parking_ticket_yearly_locations',
  streets: 'parking_ticket_yearly_streets',
  neighbourhoods: 'parking_ticket_yearly_neighbourhoods',
  cameraLocations: 'camera_locations',
  cameraCharges: 'camera_charges',
  redLightYearly: 'red_light_yearly_locations',
  aseYearly: 'ase_yearly_locations',
  cameraGeojson: 'camera_geojson',
};

export type TorontoTables = typeof BASE;

export function torontoTables(prefix?: string): TorontoTables {
  if (!prefix) return { ...BASE };
  return Object.fromEntries(Object.entries(BASE).map(([k, v]) => [k, identName(`${prefix}_${v}`)])) as TorontoTables;
}

/** Creates a prefixed set of tables shaped like the migration's (tests, benches). */
export async function createTorontoTables(db: pg.Pool | pg.PoolClient, tables: TorontoTables): Promise<void> {
  for (const [k, name] of Object.entries(tables) as [keyof TorontoTables, string][]) {
    if (name === BASE[k]) continue;
    await db.query(`create table if not exists ${ident(name)} (like ${ident(BASE[k])} including all)`);
  }
}

export { ident };
