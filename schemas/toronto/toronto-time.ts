// Toronto local time -> UTC. Tickets carry a local date and HH:MM; the offset (EST -5 h / EDT -4 h) is looked up
// through Intl per local date and cached.
const fmt = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'America/Toronto',
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

/** Toronto's offset from UTC (ms, local - UTC) at a UTC instant. */
function offsetAt(utcMs: number): number {
  const p: Record<string, number> = {};
  for (const part of fmt.formatToParts(utcMs)) if (part.type !== 'literal') p[part.type] = Number(part.value);
  const local = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
  return local - Math.floor(utcMs / 1000) * 1000;
}

const HOUR = 3_600_000;

/** Offset (ms, local - UTC) of the Toronto wall-clock hour `hourWall` (that wall time read as if it were UTC). */
function hourOffset(hourWall: number): number {
  // EDT first: of an ambiguous autumn hour, the earlier instant. In the spring gap neither fits: read it as EST.
  return [-4 * HOUR, -5 * HOUR].find((o) => offsetAt(hourWall - o) === o) ?? -5 * HOUR;
}

/** A local date: its midnight as if UTC, and its offset per hour (one value for a day the clocks do not change). */
interface Day {
  midnight: number;
  offsets: number | number[];
}

const days = new Map<string, Day>();

function dayOf(date: string): Day {
  let d = days.get(date);
  if (d === undefined) {
    const midnight = Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)));
    // The clocks change at most once a day, at 02:00: a day whose first and last hours agree has one offset.
    const first = hourOffset(midnight);
    const last = hourOffset(midnight + 23 * HOUR);
    const offsets = first === last ? first : Array.from({ length: 24 }, (_, h) => hourOffset(midnight + h * HOUR));
    if (days.size > 50_000) days.clear();
    d = { midnight, offsets };
    days.set(date, d);
  }
  return d;
}

/**
 * The UTC instant of a Toronto wall-clock time (`date` YYYY-MM-DD, `hh`, `mm`). A time in the spring-forward gap
 * maps as if the clock had not moved (02:30 -> 07:30 UTC); an ambiguous autumn time takes the earlier (EDT) one.
 * Offsets are looked up through Intl once per local date (24 times on a day the clocks change), so two million rows
 * cost a few thousand Intl calls.
 */
export function torontoToUtc(date: string, hh: number, mm: number): number {
  const d = dayOf(date);
  const off = typeof d.offsets === 'number' ? d.offsets : d.offsets[hh]!;
  return d.midnight + hh * HOUR + mm * 60_000 - off;
}
