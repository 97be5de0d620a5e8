// The synthetic readings' table and a keyed view of the latest reading per unit.
import type pg from 'pg';
import type { KeyedViewComponent, PgSinkComponent } from '../../runtime/components.js';
import { fieldColumns } from '../../runtime/pg-columns.js';
import { viewKey } from '../../runtime/redis-views.js';
import { ident } from '../../runtime/sql.js';
import type { TopicSpec } from '../../schemas/topics.js';
import type { CleanScada } from './processor.js';

/** Creates a synthetic readings table (tests and benchmarks make one each; the pipeline's migrations know none). */
export async function createSyntheticTable(db: pg.Pool, table: string): Promise<void> {
  await db.query(`create table if not exists ${ident(table)} (duid text not null, settlementdate timestamptz not null, scadavalue double precision, primary key (duid, settlementdate))`);
}

export function syntheticTable(topic: TopicSpec, table = 'synthetic_scada', name = 'synthetic_scada'): PgSinkComponent<CleanScada> {
  return {
    kind: 'pg-sink',
    name,
    topic,
    table,
    key: ['duid', 'settlementdate'],
    // The table keeps no NEM label: the other fields one to one.
    columns: fieldColumns(topic, { omit: ['settlementdate_nem'] }),
  };
}

/** `gs:view:<name>:by_duid` field <duid> = {"settlementdate": ISO, "scadavalue": n}, newest interval wins. */
export function syntheticLatestView(topic: TopicSpec, name = 'synthetic_latest'): KeyedViewComponent<CleanScada> {
  return {
    kind: 'keyed-view',
    name,
    topic,
    priority: 'normal',
    entries: (v) => [
      { hash: viewKey(name, 'by_duid'), field: v.duid, version: v.settlementdate, value: JSON.stringify({ settlementdate: new Date(v.settlementdate).toISOString(), scadavalue: v.scadavalue }) },
    ],
  };
}
