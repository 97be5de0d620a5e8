// The synthetic readings' table and a keyed view of the latest reading per unit.
import type { KeyedViewComponent, PgSinkComponent } from '../../runtime/components.js';
import { viewKey } from '../../runtime/redis-views.js';
import type { TopicSpec } from '../../schemas/topics.js';
import type { CleanScada } from './processor.js';

export function syntheticTable(topic: TopicSpec, table = 'synthetic_scada', name = 'synthetic_scada'): PgSinkComponent<CleanScada> {
  return {
    kind: 'pg-sink',
    name,
    topic,
    table,
    key: ['duid', 'settlementdate'],
    columns: [
      { name: 'duid', type: 'text', value: (v) => v.duid },
      { name: 'settlementdate', type: 'timestamptz', value: (v) => new Date(v.settlementdate) },
      { name: 'scadavalue', type: 'float8', value: (v) => v.scadavalue },
    ],
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
