// The five AEMO Postgres tables as sink components. LASTCHANGED is the version column where AEMO has one, so a
// restatement with a later LASTCHANGED replaces the stored row and a replay of an older file does not. Each table
// stores its clean topic's fields one to one (instants as timestamptz), so the columns come from the topic's schema.
import type { PgSinkComponent } from '../../runtime/components.js';
import { fieldColumns } from '../../runtime/pg-columns.js';
import type { TopicSpec } from '../../schemas/topics.js';
import type { CleanInterconnectorFlow, CleanRegionPrice, CleanRooftopPv, CleanUnitScada, RooftopPv5Min } from '../../schemas/aemo/clean.js';

/** Table names; tests point the sinks at tables of their own created `like` these. */
export interface AemoTableNames {
  scada: string;
  price: string;
  interconnector: string;
  rooftop: string;
  rooftop5: string;
  registry: string;
}

export const AEMO_TABLES: AemoTableNames = {
  scada: 'aemo_unit_scada',
  price: 'aemo_region_price',
  interconnector: 'aemo_interconnector_flow',
  rooftop: 'aemo_rooftop_pv',
  rooftop5: 'aemo_rooftop_pv_5min',
  registry: 'aemo_duid_registry',
};

/** Component name of a table sink: the table name itself (tests point sinks at tables of their own). */
export function unitScadaTable(topic: TopicSpec, table = 'aemo_unit_scada'): PgSinkComponent<CleanUnitScada> {
  return {
    kind: 'pg-sink',
    name: table,
    topic,
    table,
    key: ['duid', 'settlementdate'],
    versionColumn: 'lastchanged',
    columns: fieldColumns(topic),
  };
}

export function regionPriceTable(topic: TopicSpec, table = 'aemo_region_price'): PgSinkComponent<CleanRegionPrice> {
  return {
    kind: 'pg-sink',
    name: table,
    topic,
    table,
    key: ['regionid', 'settlementdate', 'intervention'],
    versionColumn: 'lastchanged',
    columns: fieldColumns(topic),
  };
}

export function interconnectorFlowTable(topic: TopicSpec, table = 'aemo_interconnector_flow'): PgSinkComponent<CleanInterconnectorFlow> {
  return {
    kind: 'pg-sink',
    name: table,
    topic,
    table,
    key: ['interconnectorid', 'settlementdate', 'intervention'],
    versionColumn: 'lastchanged',
    columns: fieldColumns(topic),
  };
}

export function rooftopPvTable(topic: TopicSpec, table = 'aemo_rooftop_pv'): PgSinkComponent<CleanRooftopPv> {
  return {
    kind: 'pg-sink',
    name: table,
    topic,
    table,
    key: ['regionid', 'interval_datetime', 'type'],
    versionColumn: 'lastchanged',
    columns: fieldColumns(topic),
  };
}

/** No version column: the interpolator emits each slot's newest value last (same key -> same partition, in order). */
export function rooftopPv5MinTable(topic: TopicSpec, table = 'aemo_rooftop_pv_5min'): PgSinkComponent<RooftopPv5Min> {
  return {
    kind: 'pg-sink',
    name: table,
    topic,
    table,
    key: ['regionid', 'settlementdate'],
    columns: fieldColumns(topic),
  };
}
