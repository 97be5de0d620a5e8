// What NEMWEB file names mean and where each dataset lives: pure string work, no I/O.
import { formatNem, nemDay, nemToUtc } from '../../schemas/aemo/nem-time.js';
import type { NemTime } from '../../schemas/aemo/nem-time.js';

export const NEMWEB = 'https://nemweb.com.au';

/** scada = Dispatch_SCADA (UNIT_SCADA); dispatchis = DispatchIS (PRICE + INTERCONNECTORRES); rooftop = ROOFTOP_PV/ACTUAL. */
export type AemoDataset = 'scada' | 'dispatchis' | 'rooftop';
export const AEMO_DATASETS: readonly AemoDataset[] = ['scada', 'dispatchis', 'rooftop'];

export type RooftopType = 'MEASUREMENT' | 'SATELLITE';

export interface AemoFileName {
  dataset: AemoDataset;
  /** interval: a live 5-min / 30-min file; daily / weekly: a Reports/Archive zip of those; mmsdm: a monthly table. */
  kind: 'interval' | 'daily' | 'weekly' | 'mmsdm';
  /**
   * The time the name carries. interval: the interval END for DISPATCHSCADA/DISPATCHIS; the PUBLISH time for live
   * rooftop (see `interval`). daily/weekly: 00:00 of the (first) day. mmsdm: 00:00 on the 1st of the month.
   */
  stamp: NemTime;
  /** The interval a live file holds (end label): the stamp, except rooftop, whose publish stamp is 30 min later. */
  interval: NemTime | null;
  rooftopType?: RooftopType;
  /** MMSDM table name, e.g. DISPATCH_UNIT_SCADA. */
  table?: string;
  /** MMSDM part number (FILE01 = 1); 1 for the older PUBLIC_DVD_ names. */
  part?: number;
}

const DIRS: Record<AemoDataset, string> = {
  scada: 'Dispatch_SCADA',
  dispatchis: 'DispatchIS_Reports',
  rooftop: 'ROOFTOP_PV/ACTUAL',
};

const PREFIX: Record<AemoDataset, string> = {
  scada: 'PUBLIC_DISPATCHSCADA',
  dispatchis: 'PUBLIC_DISPATCHIS',
  // The reference keeps MEASUREMENT only; SATELLITE files are a separate, lower-quality estimate.
  rooftop: 'PUBLIC_ROOFTOP_PV_ACTUAL_MEASUREMENT',
};

const MMSDM_TABLES: Record<AemoDataset, readonly string[]> = {
  scada: ['DISPATCH_UNIT_SCADA'],
  dispatchis: ['DISPATCHPRICE', 'DISPATCHINTERCONNECTORRES'],
  rooftop: ['ROOFTOP_PV_ACTUAL'],
};

const datasetOfTable = (table: string): AemoDataset | null => {
  for (const ds of AEMO_DATASETS) if (MMSDM_TABLES[ds].includes(table)) return ds;
  return null;
};

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** Digits `YYYYMMDD[HHMM[SS]]` in NEM time -> instant; null for impossible dates. */
function stampOf(digits: string): NemTime | null {
  const n = (from: number, to: number): number => (digits.length >= to ? Number(digits.slice(from, to)) : 0);
  const [y, mo, d, h, mi, s] = [n(0, 4), n(4, 6), n(6, 8), n(8, 10), n(10, 12), n(12, 14)];
  const utc = nemToUtc(y, mo, d, h, mi, s);
  const expect = `${digits.slice(0, 4)}-${digits.slice(4, 6)}-${digits.slice(6, 8)}T${digits.slice(8, 10) || '00'}:${
    digits.slice(10, 12) || '00'}:${digits.slice(12, 14) || '00'}`;
  const nem = formatNem(utc);
  return nem === expect ? { utc, nem } : null;
}

const shift = (t: NemTime, ms: number): NemTime => ({ utc: t.utc + ms, nem: formatNem(t.utc + ms) });

// `#` in MMSDM names appears as `#` (inside the zip), `%23` (as stored on the server) or `%2523` (in a URL).
const HASH = '(?:#|%23|%2523)';
const PATTERNS: { re: RegExp; build: (m: RegExpExecArray) => AemoFileName | null }[] = [
  {
    re: /^PUBLIC_(DISPATCHSCADA|DISPATCHIS)_(\d{12})_\d{16}\.(?:zip|csv)$/i,
    build: (m) => {
      const stamp = stampOf(m[2] ?? '');
      const dataset: AemoDataset = m[1]?.toUpperCase() === 'DISPATCHSCADA' ? 'scada' : 'dispatchis';
      return stamp && { dataset, kind: 'interval', stamp, interval: stamp };
    },
  },
  {
    re: /^PUBLIC_(DISPATCHSCADA|DISPATCHIS)_(\d{8})\.zip$/i,
    build: (m) => {
      const stamp = stampOf(m[2] ?? '');
      const dataset: AemoDataset = m[1]?.toUpperCase() === 'DISPATCHSCADA' ? 'scada' : 'dispatchis';
      return stamp && { dataset, kind: 'daily', stamp, interval: null };
    },
  },
  {
    re: /^PUBLIC_ROOFTOP_PV_ACTUAL_(MEASUREMENT|SATELLITE)_(\d{14})_\d{16}\.(?:zip|csv)$/i,
    build: (m) => {
      const stamp = stampOf(m[2] ?? '');
      const rooftopType = (m[1] ?? '').toUpperCase() as RooftopType;
      // Observed: the file stamped 20240303200000 holds INTERVAL_DATETIME 19:30.
      return stamp && { dataset: 'rooftop', kind: 'interval', stamp, interval: shift(stamp, -30 * MINUTE), rooftopType };
    },
  },
  {
    re: /^PUBLIC_ROOFTOP_PV_ACTUAL_(MEASUREMENT|SATELLITE)_(\d{8})\.zip$/i,
    build: (m) => {
      const stamp = stampOf(m[2] ?? '');
      const rooftopType = (m[1] ?? '').toUpperCase() as RooftopType;
      return stamp && { dataset: 'rooftop', kind: 'weekly', stamp, interval: null, rooftopType };
    },
  },
  {
    re: new RegExp(`^PUBLIC_ARCHIVE${HASH}([A-Z0-9_]+)${HASH}FILE(\\d{2})${HASH}(\\d{12})\\.(?:zip|csv)$`, 'i'),
    build: (m) => mmsdm(m[1] ?? '', Number(m[2]), m[3] ?? ''),
  },
  {
    re: /^PUBLIC_DVD_([A-Z0-9_]+)_(\d{12})\.(?:zip|csv)$/i,
    build: (m) => mmsdm(m[1] ?? '', 1, m[2] ?? ''),
  },
];

function mmsdm(tableName: string, part: number, digits: string): AemoFileName | null {
  const table = tableName.toUpperCase();
  const dataset = datasetOfTable(table);
  const stamp = stampOf(digits);
  return dataset && stamp && { dataset, kind: 'mmsdm', stamp, interval: null, table, part };
}

/** What a NEMWEB file name (zip or inner CSV, no directory) says; null when it is none of our datasets. */
export function parseFileName(name: string): AemoFileName | null {
  for (const { re, build } of PATTERNS) {
    const m = re.exec(name);
    if (m) return build(m);
  }
  return null;
}

export const datasetOf = (name: string): AemoDataset | null => parseFileName(name)?.dataset ?? null;

/** The interval (end label) a live file holds, from its name; null for archives and unknown names. */
export const intervalOf = (name: string): NemTime | null => parseFileName(name)?.interval ?? null;

// ---- URLs ----

const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MONTH_RE = /^(\d{4})-(\d{2})$/;

/** Validates a NEM calendar day `YYYY-MM-DD`; returns 00:00 NEM of it as UTC ms. */
function dayStart(day: string): number {
  const m = DAY_RE.exec(day);
  const t = m && stampOf(`${m[1]}${m[2]}${m[3]}`);
  if (!t) throw new Error(`not a day (YYYY-MM-DD): ${JSON.stringify(day)}`);
  return t.utc;
}

const compact = (day: string): string => day.replaceAll('-', '');

export const currentDirUrl = (dataset: AemoDataset): string => `${NEMWEB}/Reports/Current/${DIRS[dataset]}/`;
export const archiveDirUrl = (dataset: AemoDataset): string => `${NEMWEB}/Reports/Archive/${DIRS[dataset]}/`;

/** The Thursday starting the rooftop archive week that holds `day` (the reference's assumption). */
export function rooftopWeekStart(day: string): string {
  const start = dayStart(day);
  const weekday = new Date(start + 10 * 60 * MINUTE).getUTCDay(); // of the NEM date
  return nemDay(start - ((weekday - 4 + 7) % 7) * DAY);
}

/**
 * The Reports/Archive zip holding `day` (NEM calendar day): the daily nested zip for scada and dispatchis, the weekly
 * MEASUREMENT zip (named after its Thursday) for rooftop.
 */
export function archiveUrl(dataset: AemoDataset, day: string): string {
  dayStart(day);
  const stamp = dataset === 'rooftop' ? rooftopWeekStart(day) : day;
  return `${archiveDirUrl(dataset)}${PREFIX[dataset]}_${compact(stamp)}.zip`;
}

/** The MMSDM tables that carry a dataset. */
export const mmsdmTables = (dataset: AemoDataset): readonly string[] => MMSDM_TABLES[dataset];

/** From this month on, MMSDM names are `PUBLIC_ARCHIVE#<TABLE>#FILEnn#YYYYMM010000.zip`. */
export const MMSDM_ARCHIVE_NAMING_FROM = '2024-08';

/** The logical MMSDM zip name (with a literal `#` in the post-2024-08 naming). */
export function mmsdmFileName(table: string, month: string, part = 1): string {
  const m = MONTH_RE.exec(month);
  if (!m) throw new Error(`not a month (YYYY-MM): ${JSON.stringify(month)}`);
  const stamp = `${m[1]}${m[2]}010000`;
  if (month >= MMSDM_ARCHIVE_NAMING_FROM) return `PUBLIC_ARCHIVE#${table}#FILE${String(part).padStart(2, '0')}#${stamp}.zip`;
  if (part !== 1) throw new Error(`PUBLIC_DVD_ names have no part number (asked for part ${part} of ${month})`);
  return `PUBLIC_DVD_${table}_${stamp}.zip`;
}

/**
 * URL of an MMSDM monthly table. The server stores `#` as the literal characters `%23`, so the URL must encode that
 * `%` again: `%2523`. A raw `#` would start a URL fragment (HTTP 400; NEMOSIS #74, NEMSEER #71).
 */
export function mmsdmUrl(table: string, month: string, part = 1): string {
  const name = mmsdmFileName(table, month, part).replaceAll('#', '%2523');
  const [y, mm] = month.split('-') as [string, string];
  return `${NEMWEB}/Data_Archive/Wholesale_Electricity/MMSDM/${y}/MMSDM_${y}_${mm}/MMSDM_Historical_Data_SQLLoader/DATA/${name}`;
}

export const mmsdmUrls = (dataset: AemoDataset, month: string): string[] =>
  MMSDM_TABLES[dataset].map((t) => mmsdmUrl(t, month));

// ---- Which store holds a day ----

/** Days back (NEM calendar) still read from the Current dir. It holds ~2-3 days; today and yesterday are safe there,
 * while yesterday's daily archive may not be published yet in the small hours. */
export const CURRENT_MAX_AGE_DAYS = 1;
/** Days back still read from Reports/Archive. Daily archives go back ~13 months; a month of margin is left at the old
 * end, and by then the MMSDM month (published ~1-2 weeks after month end) certainly exists. */
export const ARCHIVE_MAX_AGE_DAYS = 365;
/** A rooftop weekly archive (Thursday..Wednesday) is read only once the day after the week has passed. */
export const ROOFTOP_WEEK_PUBLISH_DAYS = 8;

export type ArchiveChoice = 'current' | 'archive' | 'mmsdm';

/** Where to fetch NEM calendar day `day` (`YYYY-MM-DD`) from, at instant `now` (UTC ms). */
export function chooseArchive(day: string, now: number, dataset: AemoDataset = 'scada'): ArchiveChoice {
  const age = Math.round((dayStart(nemDay(now)) - dayStart(day)) / DAY);
  if (age > ARCHIVE_MAX_AGE_DAYS) return 'mmsdm';
  if (dataset === 'rooftop') {
    const weekAge = Math.round((dayStart(nemDay(now)) - dayStart(rooftopWeekStart(day))) / DAY);
    return weekAge < ROOFTOP_WEEK_PUBLISH_DAYS ? 'current' : 'archive';
  }
  return age <= CURRENT_MAX_AGE_DAYS ? 'current' : 'archive';
}

/** The month (`YYYY-MM`) of a NEM day, for MMSDM. */
export const monthOf = (day: string): string => {
  dayStart(day);
  return day.slice(0, 7);
};
