// Settlement calendar: a settlement day is a Europe/London calendar day, split into 30-minute periods of real (UTC)
// time, so its length follows the clock changes (46 periods in spring, 50 in autumn). Everything is derived from
// the zone's offsets at run time rather than from a table of clock-change dates.

const ZONE = 'Europe/London';
const PERIOD_MS = 30 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

export interface SettlementPeriodRef {
  /** Settlement date, YYYY-MM-DD (London calendar day). */
  date: string;
  /** 1-based settlement period within that day. */
  period: number;
}

const londonParts = new Intl.DateTimeFormat('en-GB', {
  timeZone: ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

function partsAt(ms: number): { y: number; mo: number; d: number; h: number; mi: number; s: number } {
  const out: Record<string, number> = {};
  for (const p of londonParts.formatToParts(new Date(ms))) {
    if (p.type !== 'literal') out[p.type] = Number(p.value);
  }
  return { y: out.year ?? NaN, mo: out.month ?? NaN, d: out.day ?? NaN, h: out.hour ?? NaN, mi: out.minute ?? NaN, s: out.second ?? NaN };
}

/** London's offset from UTC at an instant, in ms (0 in winter, 3,600,000 in summer). */
function offsetAt(ms: number): number {
  const p = partsAt(ms);
  const asUtc = Date.UTC(p.y, p.mo - 1, p.d, p.h, p.mi, p.s);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/** Parses YYYY-MM-DD into UTC-midnight ms, or undefined if it is not a real calendar date. */
export function parseSettlementDate(date: string): number | undefined {
  const m = DATE_RE.exec(date);
  if (!m) return undefined;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  // Date.UTC rolls 2025-02-30 over to March; a round trip catches it.
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return undefined;
  return ms;
}

export function isSettlementDate(date: string): boolean {
  return parseSettlementDate(date) !== undefined;
}

function requireDate(date: string): number {
  const ms = parseSettlementDate(date);
  if (ms === undefined) throw new RangeError(`not a settlement date (YYYY-MM-DD): ${JSON.stringify(date)}`);
  return ms;
}

function formatDate(utcMidnightMs: number): string {
  return new Date(utcMidnightMs).toISOString().slice(0, 10);
}

// Intl formatting costs tens of microseconds and the processor asks for the same few dates for every record, so
// midnights are memoised; the bound only matters for a process that walks decades of dates.
const midnightCache = new Map<number, number>();
const MIDNIGHT_CACHE_MAX = 20_000;

/** The UTC instant of 00:00 London time on a date. */
function localMidnightUtc(utcMidnightMs: number): number {
  const cached = midnightCache.get(utcMidnightMs);
  if (cached !== undefined) return cached;
  // Two passes: the offset at the guess can differ from the offset at the answer only across a clock change, and
  // London changes at 01:00 UTC, never at local midnight.
  let guess = utcMidnightMs - offsetAt(utcMidnightMs);
  guess = utcMidnightMs - offsetAt(guess);
  if (midnightCache.size >= MIDNIGHT_CACHE_MAX) midnightCache.clear();
  midnightCache.set(utcMidnightMs, guess);
  return guess;
}

/** Number of settlement periods in a settlement day: 48, or 46 / 50 on the clock-change Sundays. */
export function settlementPeriods(date: string): number {
  const day = requireDate(date);
  return (localMidnightUtc(day + DAY_MS) - localMidnightUtc(day)) / PERIOD_MS;
}

/** UTC start of a settlement period. Throws RangeError for a period outside 1..settlementPeriods(date). */
export function periodStartUtc(date: string, period: number): Date {
  const day = requireDate(date);
  const start = localMidnightUtc(day);
  const count = (localMidnightUtc(day + DAY_MS) - start) / PERIOD_MS;
  if (!Number.isInteger(period) || period < 1 || period > count) {
    throw new RangeError(`settlement period ${period} is outside 1..${count} on ${date}`);
  }
  return new Date(start + (period - 1) * PERIOD_MS);
}

/** The settlement date and period containing an instant (inverse of periodStartUtc). */
export function periodOf(instant: Date | number): SettlementPeriodRef {
  const ms = typeof instant === 'number' ? instant : instant.getTime();
  if (!Number.isFinite(ms)) throw new RangeError('periodOf: invalid instant');
  const p = partsAt(ms);
  const day = Date.UTC(p.y, p.mo - 1, p.d);
  const period = Math.floor((ms - localMidnightUtc(day)) / PERIOD_MS) + 1;
  return { date: formatDate(day), period };
}

/** Every date from `from` to `to`, both included; empty when `to` is before `from`. */
export function datesBetween(from: string, to: string): string[] {
  const start = requireDate(from);
  const end = requireDate(to);
  const out: string[] = [];
  for (let ms = start; ms <= end; ms += DAY_MS) out.push(formatDate(ms));
  return out;
}

/** All (date, period) pairs of a date range, in time order; what a backfill fetches. */
export function periodsBetween(from: string, to: string): SettlementPeriodRef[] {
  const out: SettlementPeriodRef[] = [];
  for (const date of datesBetween(from, to)) {
    const n = settlementPeriods(date);
    for (let period = 1; period <= n; period++) out.push({ date, period });
  }
  return out;
}

/** The calendar date `days` after `date` (YYYY-MM-DD, negative goes back). */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}
