// MMS rows -> raw records for the four raw AEMO topics. Values stay as written; only the Kafka key and event time are
// derived here, so a replay from the raw topic sees exactly what AEMO published.
import type { RawRecord } from '../../runtime/types.js';
import type { MmsRow, MmsTable } from './mms-csv.js';
import { parseNemTime } from '../../schemas/aemo/nem-time.js';
import type { RawDispatchPrice, RawInterconnectorRes, RawRooftopActual, RawUnitScada } from '../../schemas/aemo/raw.js';

export const RAW_TOPICS = {
  unitScada: 'raw.aemo.unit_scada',
  dispatchPrice: 'raw.aemo.dispatch_price',
  interconnector: 'raw.aemo.interconnector',
  rooftopActual: 'raw.aemo.rooftop_actual',
} as const;

export type AemoRawTopic = (typeof RAW_TOPICS)[keyof typeof RAW_TOPICS];

export type AemoRawRecord =
  | { topic: 'raw.aemo.unit_scada'; record: RawRecord<RawUnitScada> }
  | { topic: 'raw.aemo.dispatch_price'; record: RawRecord<RawDispatchPrice> }
  | { topic: 'raw.aemo.interconnector'; record: RawRecord<RawInterconnectorRes> }
  | { topic: 'raw.aemo.rooftop_actual'; record: RawRecord<RawRooftopActual> };

interface TopicSpec {
  report: string;
  subtype: string;
  /** Columns given their own field (UPPERCASE, as in the I row). */
  columns: readonly string[];
  /** Natural key, in key order; the time column is written as its NEM label so quoting/format never splits a key. */
  key: readonly string[];
  time: string;
}

const SPECS: Record<AemoRawTopic, TopicSpec> = {
  'raw.aemo.unit_scada': {
    report: 'DISPATCH',
    subtype: 'UNIT_SCADA',
    columns: ['SETTLEMENTDATE', 'DUID', 'SCADAVALUE', 'LASTCHANGED'],
    key: ['DUID', 'SETTLEMENTDATE'],
    time: 'SETTLEMENTDATE',
  },
  'raw.aemo.dispatch_price': {
    report: 'DISPATCH',
    subtype: 'PRICE',
    columns: [
      'SETTLEMENTDATE', 'RUNNO', 'REGIONID', 'DISPATCHINTERVAL', 'INTERVENTION', 'RRP', 'EEP', 'ROP', 'APCFLAG',
      'MARKETSUSPENDEDFLAG', 'LASTCHANGED', 'PRICE_STATUS',
    ],
    key: ['REGIONID', 'SETTLEMENTDATE', 'INTERVENTION'],
    time: 'SETTLEMENTDATE',
  },
  'raw.aemo.interconnector': {
    report: 'DISPATCH',
    subtype: 'INTERCONNECTORRES',
    columns: [
      'SETTLEMENTDATE', 'RUNNO', 'INTERCONNECTORID', 'DISPATCHINTERVAL', 'INTERVENTION', 'METEREDMWFLOW', 'MWFLOW',
      'MWLOSSES', 'MARGINALVALUE', 'VIOLATIONDEGREE', 'LASTCHANGED', 'EXPORTLIMIT', 'IMPORTLIMIT', 'MARGINALLOSS',
    ],
    key: ['INTERCONNECTORID', 'SETTLEMENTDATE', 'INTERVENTION'],
    time: 'SETTLEMENTDATE',
  },
  'raw.aemo.rooftop_actual': {
    report: 'ROOFTOP',
    subtype: 'ACTUAL',
    columns: ['INTERVAL_DATETIME', 'REGIONID', 'POWER', 'QI', 'TYPE', 'LASTCHANGED'],
    key: ['REGIONID', 'INTERVAL_DATETIME', 'TYPE'],
    time: 'INTERVAL_DATETIME',
  },
};

const TOPICS = Object.keys(SPECS) as AemoRawTopic[];

/** The raw topic for an MMS table (any version: columns are mapped by name), or null when we do not ingest it. */
export function rawTopicOf(table: MmsTable): AemoRawTopic | null {
  return TOPICS.find((t) => SPECS[t].report === table.report && SPECS[t].subtype === table.subtype) ?? null;
}

export interface RawContext {
  /** Source file name: goes to the value's `file` and, unless `sourceRef` is given, to the record's sourceRef. */
  file: string;
  sourceRef?: string;
  /** Event time to use when the row's timestamp cannot be parsed (the processor will reject the row). */
  fallbackTime: number;
}

/** Natural key `a|b|c` of a row; the time part as its NEM label (`2025-12-27T00:05:00`) when it parses. */
function keyOf(spec: TopicSpec, row: Record<string, string>): string {
  return spec.key
    .map((col) => {
      const v = row[col] ?? '';
      return col === spec.time ? (parseNemTime(v)?.nem ?? v) : v;
    })
    .join('|');
}

/** The raw record for one MMS row, or null when its table is not one of the four raw topics. */
export function toRawRecord(mms: MmsRow, ctx: RawContext): AemoRawRecord | null {
  const topic = rawTopicOf(mms.table);
  if (!topic) return null;
  const spec = SPECS[topic];
  const value: Record<string, unknown> = {};
  for (const col of spec.columns) value[col.toLowerCase()] = mms.row[col] ?? null;
  const extra: Record<string, string> = {};
  for (const [col, v] of Object.entries(mms.row)) if (!spec.columns.includes(col)) extra[col.toLowerCase()] = v;
  value.extra = extra;
  value.file = ctx.file;
  value.row = mms.line;
  const { report, subtype, version } = mms.table;
  const record: RawRecord<unknown> = {
    key: keyOf(spec, mms.row),
    value,
    eventTime: parseNemTime(mms.row[spec.time] ?? '')?.utc ?? ctx.fallbackTime,
    sourceRef: ctx.sourceRef ?? ctx.file,
    headers: { row: String(mms.line), table: `${report},${subtype},${version}` },
  };
  // The value was built from this topic's spec, whose columns are exactly the fields of its interface.
  return { topic, record } as AemoRawRecord;
}

/** All raw records of a batch of MMS rows (rows of other tables are skipped). */
export function toRawRecords(rows: Iterable<MmsRow>, ctx: RawContext): AemoRawRecord[] {
  const out: AemoRawRecord[] = [];
  for (const row of rows) {
    const r = toRawRecord(row, ctx);
    if (r) out.push(r);
  }
  return out;
}
