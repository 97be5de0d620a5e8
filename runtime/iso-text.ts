// The ISO 8601 text of an instant, exactly as Date.prototype.toISOString writes it, for the COPY lines every Postgres
// sink writes (a timestamp per row). toISOString per row was the largest single cost of the Toronto sink's COPY text
// after its array-map-join; here the date part is made once per day and the rest from small lookup tables.
const DAY = 86_400_000;
const TWO = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
const THREE = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
const days = new Map<number, string>();

/** `YYYY-MM-DDTHH:MM:SS.mmmZ` of `ms` since the epoch; throws RangeError for NaN, like toISOString. */
export function isoText(ms: number): string {
  const day = Math.floor(ms / DAY);
  let prefix = days.get(day);
  if (prefix === undefined) {
    const iso = new Date(day * DAY).toISOString();
    // Years before 0 or after 9999 are written with a sign and six digits: rare enough to leave to toISOString.
    if (iso.length !== 24) return new Date(ms).toISOString();
    prefix = iso.slice(0, 11);
    if (days.size >= 20_000) days.clear();
    days.set(day, prefix);
  }
  let rest = ms - day * DAY;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const s = Math.floor(rest / 1000);
  return `${prefix}${TWO[h]!}:${TWO[m]!}:${TWO[s]!}.${THREE[rest - s * 1000]!}Z`;
}
