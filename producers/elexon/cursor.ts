// The Elexon source's cursor and the date arithmetic it needs. Pure: no I/O, `now` is passed in.
import { addDays, periodOf, settlementPeriods, type SettlementPeriodRef } from '../../schemas/elexon/calendar.js';

/** A fetched stack response's fingerprint: a hash of the body and the server's ETag when it sent one. */
export interface SlotSeen {
  h: string;
  e?: string;
}

export interface ElexonCursor {
  /** When the BMU reference list was last published (ms). */
  bmunitsAt?: number;
  /** Continuous mode: the last period fetched while following the latest settled period. */
  latest?: SettlementPeriodRef;
  /** Continuous mode: when the last complete revision sweep started (ms). */
  sweptAt?: number;
  /** A revision sweep under way: when it started and the next period to re-poll. */
  sweep?: { startedAt: number; next: SettlementPeriodRef };
  /** A backfill under way: its range and the index of the next period to fetch in periodsBetween(from, to). */
  backfill?: { from: string; to: string; next: number };
  /** Fingerprints of the recent days' responses (`side/date/period`), so a sweep publishes only what was revised. */
  seen?: Record<string, SlotSeen>;
}

const PERIOD_MS = 1_800_000;

export const slotKey = (side: string, date: string, period: number): string => `${side}/${date}/${period}`;

export function nextPeriod(ref: SettlementPeriodRef): SettlementPeriodRef {
  return ref.period < settlementPeriods(ref.date) ? { date: ref.date, period: ref.period + 1 } : { date: addDays(ref.date, 1), period: 1 };
}

/** Orders two periods: negative when a is earlier. */
export function comparePeriods(a: SettlementPeriodRef, b: SettlementPeriodRef): number {
  return a.date === b.date ? a.period - b.period : a.date < b.date ? -1 : 1;
}

/** The latest period that ended at least `lagMs` before `now`: what the API can be expected to hold. */
export function latestSettled(now: number, lagMs: number): SettlementPeriodRef {
  return periodOf(now - lagMs - PERIOD_MS);
}

/** First date of the revision window: the last `days` settlement days up to and including today (London). */
export function windowStart(now: number, days: number): string {
  return addDays(periodOf(now).date, -(days - 1));
}

/** Fingerprints of dates before `from` are dropped: the cursor stays a few tens of kB. */
export function pruneSeen(seen: Record<string, SlotSeen> | undefined, from: string): Record<string, SlotSeen> {
  const out: Record<string, SlotSeen> = {};
  for (const [k, v] of Object.entries(seen ?? {})) if ((k.split('/')[1] ?? '') >= from) out[k] = v;
  return out;
}

/** The date range of a run's options ({date} or {from, to}), or undefined for continuous mode. */
export function rangeOf(o: { date?: unknown; from?: unknown; to?: unknown }, today: string): { from: string; to: string } | undefined {
  const from = typeof o.date === 'string' ? o.date : typeof o.from === 'string' ? o.from : undefined;
  if (from === undefined) return undefined;
  const to = typeof o.date === 'string' ? o.date : typeof o.to === 'string' ? o.to : today;
  return { from, to };
}
