// NEM time is AEST, a fixed UTC+10 all year (no DST, even in NSW/VIC summer), so conversion is plain arithmetic:
// never route it through a local time zone such as Australia/Sydney, which would shift summer intervals by an hour.

import { remembered } from '../remembered.js';

const NEM_OFFSET_MS = 10 * 60 * 60 * 1000;

// `2025/12/27 00:05:00` as AEMO writes it; quotes survive when a caller hands us an unparsed field; archives
// re-serialised by pandas may use `-` and drop the seconds.
const NEM_STAMP = /^"?(\d{4})[/-](\d{2})[/-](\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?"?$/;

export interface NemTime {
  /** UTC instant, ms since epoch. */
  utc: number;
  /** The market's own label, NEM local with no zone: `2025-12-27T00:05:00`. */
  nem: string;
}

/**
 * Parses a NEM timestamp; null when it is not one (wrong shape or an impossible date such as 2025/02/30). Every
 * unit's reading of an interval carries the same label, so each distinct text is parsed once (the regex, the round
 * trip and the label's formatting were ~2 µs of every SCADA reading); answers are frozen because they are shared.
 */
export const parseNemTime: (text: string) => Readonly<NemTime> | null = remembered(parseNemText, 4_096);

function parseNemText(text: string): Readonly<NemTime> | null {
  const m = NEM_STAMP.exec(text);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '00'].map(Number) as [
    number, number, number, number, number, number,
  ];
  const asIfUtc = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(asIfUtc);
  // Date.UTC silently rolls 2025/02/30 into March; a round trip catches impossible fields.
  if (
    back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d ||
    back.getUTCHours() !== h || back.getUTCMinutes() !== mi || back.getUTCSeconds() !== s
  ) {
    return null;
  }
  return Object.freeze({ utc: asIfUtc - NEM_OFFSET_MS, nem: formatNem(asIfUtc - NEM_OFFSET_MS) });
}

/** The NEM label (`YYYY-MM-DDTHH:MM:SS`, UTC+10, no zone) of a UTC instant. */
export function formatNem(utc: number): string {
  return new Date(utc + NEM_OFFSET_MS).toISOString().slice(0, 19);
}

/** UTC ms of a NEM wall-clock time given as numbers (month 1-12). */
export function nemToUtc(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
  return Date.UTC(year, month - 1, day, hour, minute, second) - NEM_OFFSET_MS;
}

/** The NEM calendar day (`YYYY-MM-DD`) that contains a UTC instant. */
export function nemDay(utc: number): string {
  return formatNem(utc).slice(0, 10);
}
