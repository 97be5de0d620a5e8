// The reference updater's parquet outputs (davidleitch1/aemo-data-updater), the pure half: row shaping from the clean
// topics, the wide rooftop pivot, and merging new rows into a file's rows on the natural key (latest wins).
//
// Layout, exactly as the reference wrote it: settlementdate is a timestamp WITHOUT zone holding the NEM wall clock
// (UTC+10: 2025-12-27 00:05 for the interval ending then), ids are strings and values float64. We store it as the
// NEM wall-clock instant in a TIMESTAMP_MILLIS column (legacy converted type, which pandas/pyarrow read as naive).
import type { CleanInterconnectorFlow, CleanRegionPrice, CleanUnitScada, RooftopPv5Min } from '../../schemas/aemo/clean.js';

const NEM_OFFSET_MS = 10 * 3600_000;

/** The naive NEM wall-clock timestamp the reference files hold, as epoch ms of that wall clock read as UTC. */
export const nemWallClock = (utc: number): number => utc + NEM_OFFSET_MS;

export type ParquetColumnType = 'TIMESTAMP_MILLIS' | 'UTF8' | 'DOUBLE';

export interface ParquetColumn {
  name: string;
  type: ParquetColumnType;
  optional?: boolean;
}

/** A row as written: timestamps as wall-clock epoch ms, ids as strings, values as numbers (null = missing). */
export type Row = Record<string, number | string | null>;

export interface ParquetFileSpec {
  file: string;
  columns: ParquetColumn[];
  /** Natural key of a row (also the sort order of the file). */
  key: (r: Row) => string;
}

const pad = (ms: number) => String(ms).padStart(15, '0'); // keys sort by time as strings

export const GEN_OUTPUT: ParquetFileSpec = {
  file: 'gen_output.parquet',
  columns: [
    { name: 'settlementdate', type: 'TIMESTAMP_MILLIS' },
    { name: 'duid', type: 'UTF8' },
    { name: 'scadavalue', type: 'DOUBLE' },
  ],
  key: (r) => `${pad(r.settlementdate as number)}|${r.duid as string}`,
};

export const SPOT_HIST: ParquetFileSpec = {
  file: 'spot_hist.parquet',
  columns: [
    { name: 'SETTLEMENTDATE', type: 'TIMESTAMP_MILLIS' },
    { name: 'REGIONID', type: 'UTF8' },
    { name: 'RRP', type: 'DOUBLE' },
  ],
  key: (r) => `${pad(r.SETTLEMENTDATE as number)}|${r.REGIONID as string}`,
};

export const TRANSMISSION_FLOWS: ParquetFileSpec = {
  file: 'transmission_flows.parquet',
  columns: [
    { name: 'settlementdate', type: 'TIMESTAMP_MILLIS' },
    { name: 'interconnectorid', type: 'UTF8' },
    { name: 'meteredmwflow', type: 'DOUBLE', optional: true },
    { name: 'mwflow', type: 'DOUBLE', optional: true },
    { name: 'exportlimit', type: 'DOUBLE', optional: true },
    { name: 'importlimit', type: 'DOUBLE', optional: true },
    { name: 'mwlosses', type: 'DOUBLE', optional: true },
  ],
  key: (r) => `${pad(r.settlementdate as number)}|${r.interconnectorid as string}`,
};

/** The five regions, then the sub-regions (never summed into their state). */
export const ROOFTOP_COLUMNS = ['NSW1', 'QLD1', 'SA1', 'TAS1', 'VIC1', 'QLDC', 'QLDN', 'QLDS', 'TASN', 'TASS'] as const;

export const ROOFTOP_SOLAR: ParquetFileSpec = {
  file: 'rooftop_solar.parquet',
  // A region without a value at a time is null (NaN in pandas), not the reference's fillna(0): a missing feed is
  // not zero generation. A later value fills the cell.
  columns: [{ name: 'settlementdate', type: 'TIMESTAMP_MILLIS' }, ...ROOFTOP_COLUMNS.map((name) => ({ name, type: 'DOUBLE' as const, optional: true }))],
  key: (r) => pad(r.settlementdate as number),
};

/** gen_output row; rows without a value are dropped, as the reference drops non-numeric SCADA values. */
export function genRow(v: CleanUnitScada): Row | null {
  if (v.scadavalue === null) return null;
  return { settlementdate: nemWallClock(v.settlementdate), duid: v.duid, scadavalue: v.scadavalue };
}

/** spot_hist row: market prices only (INTERVENTION = 0). */
export function spotRow(v: CleanRegionPrice): Row | null {
  if (v.intervention !== 0) return null;
  return { SETTLEMENTDATE: nemWallClock(v.settlementdate), REGIONID: v.regionid, RRP: v.rrp };
}

/** transmission_flows row: market run only (INTERVENTION = 0); missing flows/limits stay null. */
export function flowRow(v: CleanInterconnectorFlow): Row | null {
  if (v.intervention !== 0) return null;
  return {
    settlementdate: nemWallClock(v.settlementdate),
    interconnectorid: v.interconnectorid,
    meteredmwflow: v.meteredmwflow,
    mwflow: v.mwflow,
    exportlimit: v.exportlimit,
    importlimit: v.importlimit,
    mwlosses: v.mwlosses,
  };
}

/** Merges rows into a keyed map in arrival order: a later row replaces an earlier one with the same key. */
export function mergeRows(into: Map<string, Row>, rows: Iterable<Row>, spec: ParquetFileSpec): Map<string, Row> {
  for (const r of rows) into.set(spec.key(r), r);
  return into;
}

/**
 * Pivots 5-min rooftop rows into the wide rows of rooftop_solar, cell by cell: a later value of a region at a time
 * replaces the earlier one (a provisional flat value is replaced by the interpolated one), other cells are kept.
 * Regions outside ROOFTOP_COLUMNS are ignored.
 */
export function mergeRooftop(into: Map<string, Row>, rows: Iterable<RooftopPv5Min>): Map<string, Row> {
  const known = new Set<string>(ROOFTOP_COLUMNS);
  for (const v of rows) {
    if (!known.has(v.regionid)) continue;
    const settlementdate = nemWallClock(v.settlementdate);
    const k = ROOFTOP_SOLAR.key({ settlementdate });
    let row = into.get(k);
    if (!row) {
      row = { settlementdate };
      for (const c of ROOFTOP_COLUMNS) row[c] = null;
      into.set(k, row);
    }
    row[v.regionid] = v.power;
  }
  return into;
}

/** A file's rows in key order (time, then id), as written. */
export const sortedRows = (rows: Map<string, Row>): Row[] => [...rows.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => r);
