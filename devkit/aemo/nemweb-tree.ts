// A NEMWEB look-alike for the demo, the tests and the benchmark: a zip writer, an MMS CSV writer, a generator of a
// day of format-true files (5-minute SCADA and DISPATCHIS, 30-minute rooftop) and a node:http server that serves any
// such tree with IIS-style directory listings. It needs nothing from /work/shared, so the demo runs anywhere.
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { crc32, deflateRawSync } from 'node:zlib';
import { formatNem, nemToUtc } from '../../schemas/aemo/nem-time.js';

const MINUTE = 60_000;

// ---- zip writer (no zip-writing package is installed; zip64 is never needed at these sizes) ----

export interface ZipInput {
  name: string;
  data: Buffer | string;
}

/** A zip of the entries, deflated (or stored, which nested archives usually are since zips do not shrink). */
export function writeZip(entries: ZipInput[], o: { store?: boolean } = {}): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  const method = o.store ? 0 : 8;
  for (const e of entries) {
    const data = Buffer.isBuffer(e.data) ? e.data : Buffer.from(e.data);
    const packed = o.store ? data : deflateRawSync(data);
    const name = Buffer.from(e.name);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, packed);
    centrals.push(central, name);
    offset += local.length + name.length + packed.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

// ---- MMS CSV writer ----

export interface MmsBlock {
  report: string;
  subtype: string;
  version: number;
  columns: readonly string[];
  /** Fields already formatted as they appear in the file (timestamps quoted, see `mmsTime`). */
  rows: readonly (readonly string[])[];
}

/** A timestamp as live files write it: quoted `"YYYY/MM/DD HH:MM:SS"` in NEM time. */
export function mmsTime(utc: number): string {
  const t = formatNem(utc);
  return `"${t.slice(0, 10).replaceAll('-', '/')} ${t.slice(11)}"`;
}

/**
 * A whole MMS CSV: the `C` header line, an I row and D rows per block, and `C,"END OF REPORT",n` with n counting
 * every line including itself; CRLF line ends as in live files.
 */
export function mmsCsv(header: readonly string[], blocks: readonly MmsBlock[]): string {
  const lines = [['C', ...header].join(',')];
  for (const b of blocks) {
    const head = ['I', b.report, b.subtype, String(b.version)];
    lines.push([...head, ...b.columns].join(','));
    for (const r of b.rows) lines.push(['D', ...head.slice(1), ...r].join(','));
  }
  lines.push(`C,"END OF REPORT",${lines.length + 1}`);
  return `${lines.join('\r\n')}\r\n`;
}

/** The `C` header line fields of a live file (`C,NEMP.WORLD,DISPATCHSCADA,AEMO,PUBLIC,2025/12/27,00:00:23,<id>,…`). */
function liveHeader(fileType: string, publishedUtc: number, id: string): string[] {
  const t = formatNem(publishedUtc);
  return ['NEMP.WORLD', fileType, 'AEMO', 'PUBLIC', t.slice(0, 10).replaceAll('-', '/'), t.slice(11), id, fileType, `${id.slice(0, -2)}00`];
}

// ---- a generated day ----

/** Units of the generated SCADA, with a fuel shaping their output and a capacity (MW). Real DUIDs, made-up values. */
export const DEMO_UNITS: readonly { duid: string; fuel: 'coal' | 'gas' | 'wind' | 'solar' | 'hydro' | 'battery' | 'aggregate'; mw: number }[] = [
  { duid: 'BW01', fuel: 'coal', mw: 660 }, { duid: 'BW02', fuel: 'coal', mw: 660 }, { duid: 'ER01', fuel: 'coal', mw: 720 },
  { duid: 'ER02', fuel: 'coal', mw: 720 }, { duid: 'LYA1', fuel: 'coal', mw: 560 }, { duid: 'YWPS4', fuel: 'coal', mw: 380 },
  { duid: 'CALL_B_1', fuel: 'coal', mw: 420 }, { duid: 'GSTONE1', fuel: 'coal', mw: 280 }, { duid: 'TORRB1', fuel: 'gas', mw: 200 },
  { duid: 'AGLHAL', fuel: 'gas', mw: 228 }, { duid: 'HDWF2', fuel: 'wind', mw: 102 }, { duid: 'ARWF1', fuel: 'wind', mw: 240 },
  { duid: 'MACARTH1', fuel: 'wind', mw: 420 }, { duid: 'CAPTL_WF', fuel: 'wind', mw: 140 }, { duid: 'BARCSF1', fuel: 'solar', mw: 20 },
  { duid: 'LIMOSF11', fuel: 'solar', mw: 220 }, { duid: 'TUMUT3', fuel: 'hydro', mw: 1800 }, { duid: 'HPRG1', fuel: 'battery', mw: 150 },
  { duid: 'VBB1', fuel: 'battery', mw: 300 }, { duid: 'DG_NSW1', fuel: 'aggregate', mw: 60 },
];

export const REGIONS = ['NSW1', 'QLD1', 'SA1', 'TAS1', 'VIC1'] as const;
export const INTERCONNECTORS = ['N-Q-MNSP1', 'NSW1-QLD1', 'T-V-MNSP1', 'V-S-MNSP1', 'V-SA', 'VIC1-NSW1'] as const;
/** QLD1 and TAS1 are the sums of their sub-regions, as in AEMO's files (which is why they must never be summed). */
export const ROOFTOP_REGIONS = ['NSW1', 'QLD1', 'QLDC', 'QLDN', 'QLDS', 'SA1', 'TAS1', 'TASN', 'TASS', 'VIC1'] as const;

const PRICE_COLUMNS = [
  'SETTLEMENTDATE', 'RUNNO', 'REGIONID', 'DISPATCHINTERVAL', 'INTERVENTION', 'RRP', 'EEP', 'ROP', 'APCFLAG', 'MARKETSUSPENDEDFLAG',
  'LASTCHANGED', 'RAISE6SECRRP', 'RAISE6SECROP', 'RAISE6SECAPCFLAG', 'RAISE60SECRRP', 'RAISE60SECROP', 'RAISE60SECAPCFLAG',
  'RAISE5MINRRP', 'RAISE5MINROP', 'RAISE5MINAPCFLAG', 'RAISEREGRRP', 'RAISEREGROP', 'RAISEREGAPCFLAG', 'LOWER6SECRRP',
  'LOWER6SECROP', 'LOWER6SECAPCFLAG', 'LOWER60SECRRP', 'LOWER60SECROP', 'LOWER60SECAPCFLAG', 'LOWER5MINRRP', 'LOWER5MINROP',
  'LOWER5MINAPCFLAG', 'LOWERREGRRP', 'LOWERREGROP', 'LOWERREGAPCFLAG', 'PRICE_STATUS',
] as const;
const IC_COLUMNS = [
  'SETTLEMENTDATE', 'RUNNO', 'INTERCONNECTORID', 'DISPATCHINTERVAL', 'INTERVENTION', 'METEREDMWFLOW', 'MWFLOW', 'MWLOSSES',
  'MARGINALVALUE', 'VIOLATIONDEGREE', 'LASTCHANGED', 'EXPORTLIMIT', 'IMPORTLIMIT', 'MARGINALLOSS', 'EXPORTGENCONID',
  'IMPORTGENCONID', 'FCASEXPORTLIMIT', 'FCASIMPORTLIMIT', 'LOCAL_PRICE_ADJUSTMENT_EXPORT', 'LOCALLY_CONSTRAINED_EXPORT',
  'LOCAL_PRICE_ADJUSTMENT_IMPORT', 'LOCALLY_CONSTRAINED_IMPORT',
] as const;
const CASE_COLUMNS = ['SETTLEMENTDATE', 'RUNNO', 'INTERVENTION', 'CASESUBTYPE', 'SOLUTIONSTATUS', 'SPDVERSION', 'NONPHYSICALLOSSES', 'TOTALOBJECTIVE', 'LASTCHANGED'] as const;

/** Deterministic noise in [0, 1) from any number of integers (a hash, so files are reproducible). */
function noise(...xs: number[]): number {
  let h = 2166136261;
  for (const x of xs) h = Math.imul(h ^ (x | 0), 16777619) ^ Math.imul((x / 4294967296) | 0, 2246822519);
  h = Math.imul(h ^ (h >>> 15), 2246822507);
  h = Math.imul(h ^ (h >>> 13), 3266489909);
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}

const hash = (s: string): number => [...s].reduce((h, c) => Math.imul(h ^ c.charCodeAt(0), 16777619), 2166136261);

/** Hours since NEM midnight of an instant (0..24). */
const nemHour = (utc: number): number => {
  const t = formatNem(utc);
  return Number(t.slice(11, 13)) + Number(t.slice(14, 16)) / 60;
};

const sun = (utc: number): number => Math.max(0, Math.sin((Math.PI * (nemHour(utc) - 6)) / 13));

function unitOutput(u: (typeof DEMO_UNITS)[number], utc: number): string {
  const n = noise(hash(u.duid), utc / MINUTE);
  const h = nemHour(utc);
  switch (u.fuel) {
    case 'coal':
      return (u.mw * (0.72 + 0.15 * n)).toFixed(6);
    case 'gas':
      return h > 16 && h < 21 ? (u.mw * (0.5 + 0.3 * n)).toFixed(5) : '0';
    case 'wind':
      return (u.mw * Math.max(0, 0.45 + 0.3 * Math.sin(utc / (5 * 3600_000) + hash(u.duid)) + 0.1 * (n - 0.5))).toFixed(2);
    case 'solar':
      return (u.mw * sun(utc) * (0.9 + 0.1 * n)).toFixed(2);
    case 'hydro':
      return (u.mw * (0.1 + 0.25 * n)).toFixed(3);
    case 'battery':
      // Charges around midday (negative), discharges in the evening peak.
      return (h > 10 && h < 15 ? -u.mw * 0.6 * (0.5 + n / 2) : h > 17 && h < 21 ? u.mw * 0.8 * (0.5 + n / 2) : u.mw * 0.02 * (n - 0.5)).toFixed(6);
    case 'aggregate':
      return (u.mw * (0.3 + 0.2 * n)).toFixed(4);
  }
}

/** DISPATCHINTERVAL of an interval end: the trading day (starting 04:00) and its 5-minute interval number. */
export function dispatchInterval(utc: number): string {
  const shifted = utc - 4 * 3600_000;
  const day = formatNem(shifted - 1).slice(0, 10);
  const dayStart = nemToUtc(Number(day.slice(0, 4)), Number(day.slice(5, 7)), Number(day.slice(8, 10)));
  return `${day.replaceAll('-', '')}${String(Math.round((shifted - dayStart) / (5 * MINUTE))).padStart(3, '0')}`;
}

const BASE_PRICE: Record<(typeof REGIONS)[number], number> = { NSW1: 95, QLD1: 88, SA1: 110, TAS1: 70, VIC1: 75 };

export interface GeneratedFile {
  name: string;
  zip: Buffer;
}

/** A 16-digit file id that grows with time, as AEMO's do. */
const fileId = (utc: number, salt: number): string => String(400_000_000 + Math.floor(utc / MINUTE) * 4 + salt).padStart(16, '0');

const compactStamp = (utc: number, seconds: boolean): string => formatNem(utc).replace(/[-T:]/g, '').slice(0, seconds ? 14 : 12);

/** The live DISPATCHSCADA file of the interval ending `utc`. */
export function scadaFile(utc: number, units: readonly (typeof DEMO_UNITS)[number][] = DEMO_UNITS): GeneratedFile {
  const id = fileId(utc, 0);
  const changed = mmsTime(utc - 5 * MINUTE + 22_000);
  const csv = mmsCsv(liveHeader('DISPATCHSCADA', utc - 5 * MINUTE + 23_000, id), [
    { report: 'DISPATCH', subtype: 'UNIT_SCADA', version: 1, columns: ['SETTLEMENTDATE', 'DUID', 'SCADAVALUE', 'LASTCHANGED'], rows: units.map((u) => [mmsTime(utc), u.duid, unitOutput(u, utc), changed]) },
  ]);
  const base = `PUBLIC_DISPATCHSCADA_${compactStamp(utc, false)}_${id}`;
  return { name: `${base}.zip`, zip: writeZip([{ name: `${base}.CSV`, data: csv }]) };
}

/** The live DISPATCHIS file of the interval ending `utc`: CASE_SOLUTION, PRICE for the 5 regions, INTERCONNECTORRES for the 6 interconnectors. */
export function dispatchisFile(utc: number): GeneratedFile {
  const id = fileId(utc, 1);
  const at = mmsTime(utc);
  const changed = mmsTime(utc - 5 * MINUTE + 15_000);
  const di = dispatchInterval(utc);
  const h = nemHour(utc);
  const prices = REGIONS.map((r, i) => {
    const shape = h > 17 && h < 21 ? 1.8 : h > 10 && h < 15 ? 0.2 : 1;
    const rrp = BASE_PRICE[r] * shape + 40 * (noise(i, utc / MINUTE) - 0.5) - (r === 'VIC1' && h > 11 && h < 14 ? 60 : 0);
    const fcas = PRICE_COLUMNS.slice(11, -1).map((c) => (c.endsWith('APCFLAG') ? '0' : (noise(i, hash(c), utc / MINUTE) * 2).toFixed(2)));
    return [at, '1', r, di, '0', rrp.toFixed(5), '0', rrp.toFixed(5), '0', '0', changed, ...fcas, 'FIRM'];
  });
  const flows = INTERCONNECTORS.map((ic, i) => {
    const metered = 600 * Math.sin(utc / (7 * 3600_000) + i) + 50 * (noise(i, utc / MINUTE) - 0.5);
    const flow = metered + 10 * (noise(i + 7, utc / MINUTE) - 0.5);
    return [at, '1', ic, di, '0', metered.toFixed(5), flow.toFixed(5), (Math.abs(flow) * 0.02).toFixed(5), '0', '0', changed,
      (700 + 100 * i).toFixed(5), (-500 - 50 * i).toFixed(5), (1 + 0.01 * i).toFixed(5), `EXP_${i}`, `IMP_${i}`, '700', '-500', '0', '0', '0', '0'];
  });
  const csv = mmsCsv(liveHeader('DISPATCHIS', utc - 5 * MINUTE + 21_000, id), [
    { report: 'DISPATCH', subtype: 'CASE_SOLUTION', version: 2, columns: CASE_COLUMNS, rows: [[at, '1', '0', '', '0', 'OCD', '0', '12345678.9', changed]] },
    { report: 'DISPATCH', subtype: 'PRICE', version: 5, columns: PRICE_COLUMNS, rows: prices },
    { report: 'DISPATCH', subtype: 'INTERCONNECTORRES', version: 3, columns: IC_COLUMNS, rows: flows },
  ]);
  const base = `PUBLIC_DISPATCHIS_${compactStamp(utc, false)}_${id}`;
  return { name: `${base}.zip`, zip: writeZip([{ name: `${base}.CSV`, data: csv }]) };
}

const ROOFTOP_MW: Record<(typeof ROOFTOP_REGIONS)[number], number> = {
  NSW1: 5200, QLD1: 0, QLDC: 900, QLDN: 700, QLDS: 3400, SA1: 1900, TAS1: 0, TASN: 120, TASS: 160, VIC1: 3900,
};

/**
 * The live rooftop ACTUAL file for the 30-minute interval ending `utc` (a MEASUREMENT or SATELLITE estimate). Its name
 * carries the publish time, 30 minutes after the interval end; its CSV is lower-case `.csv` like the real ones.
 */
export function rooftopFile(utc: number, type: 'MEASUREMENT' | 'SATELLITE' = 'MEASUREMENT'): GeneratedFile {
  const published = utc + 30 * MINUTE;
  const id = fileId(published, type === 'MEASUREMENT' ? 2 : 3);
  const qi = type === 'MEASUREMENT' ? '1' : '0.6';
  const power = (r: (typeof ROOFTOP_REGIONS)[number]): number =>
    r === 'QLD1' ? power('QLDC') + power('QLDN') + power('QLDS') : r === 'TAS1' ? power('TASN') + power('TASS') : ROOFTOP_MW[r] * sun(utc - 15 * MINUTE) * (0.85 + 0.1 * noise(hash(r), utc / MINUTE));
  const rows = ROOFTOP_REGIONS.map((r) => [mmsTime(utc), r, power(r).toFixed(3), qi, type, mmsTime(utc + 19 * MINUTE)]);
  const csv = mmsCsv(liveHeader('ROOFTOP_PV_ACTUAL', published, id), [
    { report: 'ROOFTOP', subtype: 'ACTUAL', version: 2, columns: ['INTERVAL_DATETIME', 'REGIONID', 'POWER', 'QI', 'TYPE', 'LASTCHANGED'], rows },
  ]);
  const base = `PUBLIC_ROOFTOP_PV_ACTUAL_${type}_${compactStamp(published, true)}_${id}`;
  return { name: `${base}.zip`, zip: writeZip([{ name: `${base}.csv`, data: csv }]) };
}

/** 00:00 NEM of a `YYYY-MM-DD` day, UTC ms. */
export const nemDayStart = (day: string): number => nemToUtc(Number(day.slice(0, 4)), Number(day.slice(5, 7)), Number(day.slice(8, 10)));

/** Interval ends of a NEM day (00:05 … 24:00 for 5-minute data, 00:30 … 24:00 for 30-minute data). */
export function intervalEnds(day: string, minutes: number): number[] {
  const start = nemDayStart(day);
  return Array.from({ length: (24 * 60) / minutes }, (_, i) => start + (i + 1) * minutes * MINUTE);
}

// ---- the tree and its server ----

export interface TreeFile {
  /** Built on first request when a function, so a month of archives need not sit in memory. */
  body: Buffer | (() => Buffer);
  /** Answer HTTP 500 to the first n requests for this file. */
  failFirst?: number;
}

/** Server paths (as stored, i.e. decoded once: a literal `%23` stays `%23`) to files. */
export type NemwebTree = Map<string, TreeFile>;

export const DIR = {
  scada: '/Reports/Current/Dispatch_SCADA/',
  dispatchis: '/Reports/Current/DispatchIS_Reports/',
  rooftop: '/Reports/Current/ROOFTOP_PV/ACTUAL/',
  scadaArchive: '/Reports/Archive/Dispatch_SCADA/',
  dispatchisArchive: '/Reports/Archive/DispatchIS_Reports/',
  rooftopArchive: '/Reports/Archive/ROOFTOP_PV/ACTUAL/',
} as const;

export const mmsdmDir = (month: string): string =>
  `/Data_Archive/Wholesale_Electricity/MMSDM/${month.slice(0, 4)}/MMSDM_${month.slice(0, 4)}_${month.slice(5, 7)}/MMSDM_Historical_Data_SQLLoader/DATA/`;

export interface DayTreeOptions {
  /** NEM calendar day, default 2025-12-27. */
  day?: string;
  /** How many of DEMO_UNITS report (default all 20). */
  units?: number;
  /** Which interval ends to include (default the whole day); the rooftop SATELLITE file is the day's middle interval. */
  hours?: number;
}

/** A day of live files in the three Current dirs: 288 SCADA, 288 DISPATCHIS, 48 rooftop MEASUREMENT and one SATELLITE. */
export function generatedDayTree(o: DayTreeOptions = {}): NemwebTree {
  const day = o.day ?? '2025-12-27';
  const limit = nemDayStart(day) + (o.hours ?? 24) * 3600_000;
  const units = DEMO_UNITS.slice(0, o.units ?? DEMO_UNITS.length);
  const tree: NemwebTree = new Map();
  for (const t of intervalEnds(day, 5).filter((t) => t <= limit)) {
    const s = scadaFile(t, units);
    tree.set(DIR.scada + s.name, { body: s.zip });
    const d = dispatchisFile(t);
    tree.set(DIR.dispatchis + d.name, { body: d.zip });
  }
  const halfHours = intervalEnds(day, 30).filter((t) => t <= limit);
  for (const t of halfHours) {
    const r = rooftopFile(t);
    tree.set(DIR.rooftop + r.name, { body: r.zip });
  }
  const mid = halfHours[Math.floor(halfHours.length / 2)];
  if (mid !== undefined) {
    const sat = rooftopFile(mid, 'SATELLITE');
    tree.set(DIR.rooftop + sat.name, { body: sat.zip });
  }
  return tree;
}

/** The Reports/Archive daily zip of a day: its 5-minute zips, stored (zips inside zips do not compress). */
export function dailyArchive(dataset: 'scada' | 'dispatchis', day: string, units?: readonly (typeof DEMO_UNITS)[number][]): GeneratedFile {
  const files = intervalEnds(day, 5).map((t) => (dataset === 'scada' ? scadaFile(t, units) : dispatchisFile(t)));
  const prefix = dataset === 'scada' ? 'PUBLIC_DISPATCHSCADA' : 'PUBLIC_DISPATCHIS';
  return { name: `${prefix}_${day.replaceAll('-', '')}.zip`, zip: writeZip(files.map((f) => ({ name: f.name, data: f.zip })), { store: true }) };
}

export interface ServedRequest {
  /** The request path exactly as sent (still percent-encoded). */
  path: string;
  status: number;
  userAgent: string;
}

export interface NemwebServer {
  /** Base URL, e.g. http://127.0.0.1:40123 (what AEMO_BASE_URL is set to). */
  url: string;
  requests: ServedRequest[];
  close(): Promise<void>;
}

export interface ServeOptions {
  /** Refuse (406) requests whose User-Agent does not look like a browser, as NEMWEB is reported to do. */
  browserOnly?: boolean;
}

const escapeHtml = (s: string): string => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

/**
 * An IIS listing page like NEMWEB's: a parent link, then one `<br>` line per entry with date, size and a link.
 * Links alternate between absolute paths (as NEMWEB writes them) and relative names, so clients must handle both.
 */
export function listingPage(dir: string, entries: { name: string; size: number | null }[]): string {
  const parent = dir.replace(/[^/]+\/$/, '');
  const lines = entries.map((e, i) => {
    const href = i % 2 === 0 ? dir + encodeURI(e.name) : encodeURI(e.name);
    const size = e.size === null ? '&lt;dir&gt;' : String(e.size);
    return `<br>      Saturday, December 27, 2025 12:05 AM ${size.padStart(12)} <a HREF="${escapeHtml(href)}">${escapeHtml(e.name)}</a>`;
  });
  return `<html><head><title>nemweb.com.au - ${escapeHtml(dir)}</title></head><body><H1>nemweb.com.au - ${escapeHtml(dir)}</H1><hr>\r\n\r\n<pre><A HREF="${escapeHtml(parent)}">[To Parent Directory]</A>\r\n<br>\r\n${lines.join('\r\n')}\r\n<br></pre><hr></body></html>`;
}

/** Serves a tree on 127.0.0.1 (a free port): files, listings of every directory in it, 404 for the rest. */
export async function serveNemweb(tree: NemwebTree, o: ServeOptions = {}): Promise<NemwebServer> {
  // IIS paths are case-insensitive (the reference mixes cases).
  const files = new Map<string, { path: string; file: TreeFile; served: number }>();
  for (const [path, file] of tree) files.set(path.toLowerCase(), { path, file, served: 0 });
  const requests: ServedRequest[] = [];

  const listing = (dir: string): string | null => {
    const lower = dir.toLowerCase();
    const entries = new Map<string, number | null>();
    for (const { path, file } of files.values()) {
      if (!path.toLowerCase().startsWith(lower)) continue;
      const rest = path.slice(dir.length);
      const slash = rest.indexOf('/');
      if (slash >= 0) entries.set(rest.slice(0, slash + 1), null);
      else entries.set(rest, Buffer.isBuffer(file.body) ? file.body.length : 0);
    }
    if (entries.size === 0) return null;
    return listingPage(dir, [...entries].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, size]) => ({ name, size })));
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const raw = (req.url ?? '/').split('?')[0] ?? '/';
    const userAgent = req.headers['user-agent'] ?? '';
    const send = (status: number, body: Buffer | string, type: string): void => {
      requests.push({ path: raw, status, userAgent });
      res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    if (o.browserOnly && !/Mozilla\//.test(userAgent)) return send(406, 'Not Acceptable', 'text/plain');
    let path: string;
    try {
      path = decodeURIComponent(raw);
    } catch {
      return send(400, 'Bad Request', 'text/plain');
    }
    if (path.endsWith('/')) {
      const page = listing(path);
      return page === null ? send(404, 'Not Found', 'text/plain') : send(200, page, 'text/html; charset=utf-8');
    }
    const hit = files.get(path.toLowerCase());
    if (!hit) return send(404, 'Not Found', 'text/plain');
    hit.served += 1;
    if (hit.served <= (hit.file.failFirst ?? 0)) return send(500, 'Internal Server Error', 'text/plain');
    const body = typeof hit.file.body === 'function' ? hit.file.body() : hit.file.body;
    return send(200, body, 'application/x-zip-compressed');
  };

  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
