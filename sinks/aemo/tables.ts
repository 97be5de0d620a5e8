// The five AEMO Postgres tables as sink components. LASTCHANGED is the version column where AEMO has one, so a
// restatement with a later LASTCHANGED replaces the stored row and a replay of an older file does not.
import type { PgSinkComponent } from '../../runtime/components.js';
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

const ts = (ms: number | null) => (ms === null ? null : new Date(ms));

/** Component name of a table sink: the table name itself (tests point sinks at tables of their own). */
export function unitScadaTable(topic: TopicSpec, table = 'aemo_unit_scada'): PgSinkComponent<CleanUnitScada> {
  return {
    kind: 'pg-sink',
    name: table,
    topic,
    table,
    key: ['duid', 'settlementdate'],
    versionColumn: 'lastchanged',
    columns: [
      { name: 'settlementdate', type: 'timestamptz', value: (v) => new Date(v.settlementdate) },
      { name: 'duid', type: 'text', value: (v) => v.duid },
      { name: 'scadavalue', type: 'float8', value: (v) => v.scadavalue },
      { name: 'lastchanged', type: 'timestamptz', value: (v) => ts(v.lastchanged) },
      { name: 'settlementdate_nem', type: 'text', value: (v) => v.settlementdate_nem },
    ],
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
    columns: [
      { name: 'settlementdate', type: 'timestamptz', value: (v) => new Date(v.settlementdate) },
      { name: 'regionid', type: 'text', value: (v) => v.regionid },
      { name: 'intervention', type: 'int4', value: (v) => v.intervention },
      { name: 'rrp', type: 'float8', value: (v) => v.rrp },
      { name: 'eep', type: 'float8', value: (v) => v.eep },
      { name: 'rop', type: 'float8', value: (v) => v.rop },
      { name: 'apcflag', type: 'int4', value: (v) => v.apcflag },
      { name: 'marketsuspendedflag', type: 'int4', value: (v) => v.marketsuspendedflag },
      { name: 'lastchanged', type: 'timestamptz', value: (v) => ts(v.lastchanged) },
      { name: 'settlementdate_nem', type: 'text', value: (v) => v.settlementdate_nem },
    ],
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
    columns: [
      { name: 'settlementdate', type: 'timestamptz', value: (v) => new Date(v.settlementdate) },
      { name: 'interconnectorid', type: 'text', value: (v) => v.interconnectorid },
      { name: 'intervention', type: 'int4', value: (v) => v.intervention },
      { name: 'meteredmwflow', type: 'float8', value: (v) => v.meteredmwflow },
      { name: 'mwflow', type: 'float8', value: (v) => v.mwflow },
      { name: 'mwlosses', type: 'float8', value: (v) => v.mwlosses },
      { name: 'exportlimit', type: 'float8', value: (v) => v.exportlimit },
      { name: 'importlimit', type: 'float8', value: (v) => v.importlimit },
      { name: 'lastchanged', type: 'timestamptz', value: (v) => ts(v.lastchanged) },
      { name: 'settlementdate_nem', type: 'text', value: (v) => v.settlementdate_nem },
    ],
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
    columns: [
      { name: 'interval_datetime', type: 'timestamptz', value: (v) => new Date(v.interval_datetime) },
      { name: 'regionid', type: 'text', value: (v) => v.regionid },
      { name: 'type', type: 'text', value: (v) => v.type },
      { name: 'power', type: 'float8', value: (v) => v.power },
      { name: 'qi', type: 'float8', value: (v) => v.qi },
      { name: 'lastchanged', type: 'timestamptz', value: (v) => ts(v.lastchanged) },
      { name: 'interval_datetime_nem', type: 'text', value: (v) => v.interval_datetime_nem },
    ],
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
    columns: [
      { name: 'settlementdate', type: 'timestamptz', value: (v) => new Date(v.settlementdate) },
      { name: 'regionid', type: 'text', value: (v) => v.regionid },
      { name: 'power', type: 'float8', value: (v) => v.power },
      { name: 'provisional', type: 'bool', value: (v) => v.provisional },
      { name: 'settlementdate_nem', type: 'text', value: (v) => v.settlementdate_nem },
    ],
  };
}
