// Toronto local time -> UTC. Tickets carry a local date and HH:MM; the offset (EST -5 h / EDT -4 h) is looked up
// per local date and hour through Intl and cached, so two million rows cost a few thousand Intl calls.
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
const cache = new Map<string, number>();

/**
 * The UTC instant of a Toronto wall-clock time (`date` YYYY-MM-DD, `hh`, `mm`). A time in the spring-forward gap
 * maps as if the clock had not moved (02:30 -> 07:30 UTC); an ambiguous autumn time takes the earlier (EDT) one.
 */
export function torontoToUtc(date: string, hh: number, mm: number): number {
  const key = `${date}T${hh}`;
  let off = cache.get(key);
  const wall = Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)), hh, mm);
  if (off === undefined) {
    const hourWall = wall - mm * 60_000;
    // EDT first: of an ambiguous autumn hour, the earlier instant. In the spring gap neither fits: read it as EST.
    off = [-4 * HOUR, -5 * HOUR].find((o) => offsetAt(hourWall - o) === o) ?? -5 * HOUR;
    if (cache.size > 100_000) cache.clear();
    cache.set(key, off);
  }
  return wall - off;
}
