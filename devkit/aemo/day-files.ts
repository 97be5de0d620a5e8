// A generated NEM day of format-true files: 5-minute SCADA and DISPATCHIS, 30-minute rooftop PV. Deterministic.
import { formatNem, nemToUtc } from '../../schemas/aemo/nem-time.js';
import { liveHeader, mmsCsv, mmsTime } from './mms-writer.js';
import { writeZip } from './zip-writer.js';

const MINUTE = 60_000;


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
