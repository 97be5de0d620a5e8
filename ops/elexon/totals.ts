// Reconciliation of one settlement date, pure: curtailment totals recomputed from the raw stack records with the
// same definition the processor uses, compared with what Postgres holds and with expected figures a person
// supplies. The I/O (reading the topic and the tables) is in sinks/elexon/reconcile.ts.
import type { RawStackValue } from '../../schemas/elexon/raw.js';
import { settlementPeriods } from '../../schemas/elexon/calendar.js';
import { isRejection } from '../../runtime/types.js';
import { checkStackRow, classify } from '../../processors/elexon/curtailment.js';
import type { BmuLookup } from '../../schemas/elexon/clean.js';

export interface RawStackMessage {
  key: string | null;
  value: RawStackValue;
  /** When the response holding the record was fetched (the source's header), ms; 0 when absent. */
  fetchedAt: number;
  /** Read order, for "last one wins" between records of one fetch. */
  seq: number;
}

export interface Totals {
  records: number;
  energyMwh: number;
  paymentGbp: number;
  /** Periods with at least one curtailment record. */
  periods: number[];
}

export interface RawTotals extends Totals {
  /** Periods with any stack row (either side): what was fetched. */
  fetchedPeriods: number[];
  /** Rows that would be curtailment on a unit the reference data does not know. */
  unknownBmuRows: number;
  /** Rows that fail the processor's checks (they are in the dead-letter topic after processing). */
  invalidRows: number;
}

/**
 * The rows the API reports now: for each (period, side) only the latest fetch's records (a re-fetch that no longer
 * lists a row supersedes it), and within a fetch the last record per key.
 */
export function latestFetchRows(messages: RawStackMessage[], date: string): RawStackValue[] {
  const latest = new Map<string, number>();
  const mine = messages.filter((m) => m.value.settlementDate === date);
  for (const m of mine) {
    const slot = `${m.value.settlementPeriod}|${m.value.side}`;
    latest.set(slot, Math.max(latest.get(slot) ?? -Infinity, m.fetchedAt));
  }
  const byKey = new Map<string, RawStackMessage>();
  for (const m of mine) {
    if (m.fetchedAt !== latest.get(`${m.value.settlementPeriod}|${m.value.side}`)) continue;
    const k = m.key ?? `#${m.seq}`;
    const prev = byKey.get(k);
    if (!prev || prev.seq < m.seq) byKey.set(k, m);
  }
  return [...byKey.values()].sort((a, b) => a.seq - b.seq).map((m) => m.value);
}

export function rawTotals(rows: RawStackValue[], lookup: BmuLookup): RawTotals {
  const out: RawTotals = { records: 0, energyMwh: 0, paymentGbp: 0, periods: [], fetchedPeriods: [], unknownBmuRows: 0, invalidRows: 0 };
  const periods = new Set<number>();
  const fetched = new Set<number>();
  for (const value of rows) {
    fetched.add(value.settlementPeriod);
    const row = checkStackRow(value);
    if (isRejection(row)) {
      out.invalidRows++;
      continue;
    }
    const kind = classify(row, lookup);
    if (kind === 'unknown-bmu') out.unknownBmuRows++;
    if (kind !== 'curtailment' || row.originalPrice === null) continue;
    out.records++;
    out.energyMwh += -row.volume;
    out.paymentGbp += row.volume * row.originalPrice;
    periods.add(row.settlementPeriod);
  }
  out.periods = [...periods].sort((a, b) => a - b);
  out.fetchedPeriods = [...fetched].sort((a, b) => a - b);
  return out;
}

export interface Expected {
  energyMwh?: number;
  paymentGbp?: number;
}

export interface Tolerance {
  mwh: number;
  gbp: number;
}

export interface ReconcileReport {
  date: string;
  periodsInDay: number;
  postgres: Totals;
  raw: RawTotals;
  expected: Expected;
  /** Why the date does not reconcile; empty when it does. */
  problems: string[];
}

const missingOf = (present: number[], n: number): number[] => {
  const have = new Set(present);
  const out: number[] = [];
  for (let p = 1; p <= n; p++) if (!have.has(p)) out.push(p);
  return out;
};

export function reconcile(date: string, postgres: Totals, raw: RawTotals, expected: Expected, tol: Tolerance): ReconcileReport {
  const n = settlementPeriods(date);
  const problems: string[] = [];
  const fetchedMissing = missingOf(raw.fetchedPeriods, n);
  if (fetchedMissing.length) problems.push(`periods not fetched: ${fetchedMissing.join(', ')}`);
  const pgOnly = postgres.periods.filter((p) => !raw.periods.includes(p));
  const rawOnly = raw.periods.filter((p) => !postgres.periods.includes(p));
  if (pgOnly.length || rawOnly.length) problems.push(`curtailment periods differ: only in Postgres ${pgOnly.join(',') || '-'}; only in raw ${rawOnly.join(',') || '-'}`);
  if (postgres.records !== raw.records) problems.push(`records: Postgres ${postgres.records}, raw ${raw.records}`);
  if (Math.abs(postgres.energyMwh - raw.energyMwh) > tol.mwh) problems.push(`energy differs by ${(postgres.energyMwh - raw.energyMwh).toFixed(3)} MWh`);
  if (Math.abs(postgres.paymentGbp - raw.paymentGbp) > tol.gbp) problems.push(`payment differs by £${(postgres.paymentGbp - raw.paymentGbp).toFixed(2)}`);
  if (expected.energyMwh !== undefined && Math.abs(postgres.energyMwh - expected.energyMwh) > tol.mwh) problems.push(`energy differs from expected by ${(postgres.energyMwh - expected.energyMwh).toFixed(3)} MWh`);
  if (expected.paymentGbp !== undefined && Math.abs(postgres.paymentGbp - expected.paymentGbp) > tol.gbp) problems.push(`payment differs from expected by £${(postgres.paymentGbp - expected.paymentGbp).toFixed(2)}`);
  return { date, periodsInDay: n, postgres, raw, expected, problems };
}

const pad = (s: string, w: number) => s.padStart(w);
// Rounding first, and adding 0, keeps a difference of -0.0000001 from printing as "-0.000".
const fixed = (x: number, dp: number) => (Math.round(x * 10 ** dp) / 10 ** dp + 0).toFixed(dp);
const mwh = (x: number) => fixed(x, 3);
const gbp = (x: number) => fixed(x, 2);

/** The report as the table `reconcile elexon` prints. */
export function formatReport(r: ReconcileReport): string[] {
  const n = r.periodsInDay;
  const row = (label: string, periods: string, records: string, e: string, p: string) => `  ${label.padEnd(22)}${pad(periods, 9)}${pad(records, 10)}${pad(e, 16)}${pad(p, 16)}`;
  const fetchedMissing = missingOf(r.raw.fetchedPeriods, n);
  const lines = [
    `reconcile elexon ${r.date} (${n} settlement periods)`,
    `  periods fetched: ${r.raw.fetchedPeriods.length}/${n}${fetchedMissing.length ? ` (missing ${fetchedMissing.join(', ')})` : ''}`,
    row('', 'periods', 'records', 'energy MWh', 'payment GBP'),
    row('postgres', `${r.postgres.periods.length}/${n}`, String(r.postgres.records), mwh(r.postgres.energyMwh), gbp(r.postgres.paymentGbp)),
    row('raw topic (recomputed)', `${r.raw.periods.length}/${n}`, String(r.raw.records), mwh(r.raw.energyMwh), gbp(r.raw.paymentGbp)),
    row('difference', '', String(r.postgres.records - r.raw.records), mwh(r.postgres.energyMwh - r.raw.energyMwh), gbp(r.postgres.paymentGbp - r.raw.paymentGbp)),
  ];
  if (r.expected.energyMwh !== undefined || r.expected.paymentGbp !== undefined) {
    lines.push(row('expected', '', '', r.expected.energyMwh === undefined ? '-' : mwh(r.expected.energyMwh), r.expected.paymentGbp === undefined ? '-' : gbp(r.expected.paymentGbp)));
    lines.push(
      row(
        'postgres - expected',
        '',
        '',
        r.expected.energyMwh === undefined ? '-' : mwh(r.postgres.energyMwh - r.expected.energyMwh),
        r.expected.paymentGbp === undefined ? '-' : gbp(r.postgres.paymentGbp - r.expected.paymentGbp),
      ),
    );
  }
  lines.push('  (periods = settlement periods with curtailment records)');
  const noCurtailment = missingOf(r.postgres.periods, n);
  if (noCurtailment.length) lines.push(`  periods without curtailment in Postgres: ${noCurtailment.join(', ')}`);
  if (r.raw.unknownBmuRows) lines.push(`  rows on BMUs missing from the reference data (not counted): ${r.raw.unknownBmuRows}`);
  if (r.raw.invalidRows) lines.push(`  raw rows that fail validation (dead-lettered by the processor): ${r.raw.invalidRows}`);
  lines.push(r.problems.length ? `result: DIFFERS — ${r.problems.join('; ')}` : 'result: OK');
  return lines;
}
