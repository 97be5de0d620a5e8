// Parking-ticket normalisation (shared/specs/civic.md §2): pure, no I/O. One row of text fields in its file's column
// order becomes a ticket: ISO date and HH:MM (leading zeros restored, `1.0` read as 0001), the UTC instant of that
// Toronto wall-clock time, integer code and decimal fine (`29.0` -> 29), the location key UPPER(TRIM(location2)) and
// a street label, and the ticket hash. The hash covers every normalised field, so the same ticket written in any
// encoding, header variant or float round-trip gets one hash, and a line repeated verbatim stays one ticket (tags are
// masked: the City publishes no ticket id, and two different tickets equal in every field cannot be told apart).
import { hash } from 'node:crypto';
import type { ParkingTicket } from '../../schemas/toronto/records.gen.js';
import { ticketDate, type ColumnMap } from '../../schemas/toronto/parking-rows.js';
import { remembered } from '../../schemas/remembered.js';
import { torontoToUtc } from '../../schemas/toronto/toronto-time.js';

// Whitespace other than a single plain space: the only text `replace(/\s+/g, ' ')` would change.
const ODD_SPACE = /[^\S ]| \s/;

const blankToNull = (s: string | undefined): string | null => {
  if (s === undefined) return null;
  let t = s.trim();
  if (ODD_SPACE.test(t)) t = t.replace(/\s+/g, ' ');
  return t === '' ? null : t;
};

/** `HHMM` with lost leading zeros or a float tail (`35`, `1.0`, `0035`) -> `HH:MM`, or null when not a time of day. */
export function normaliseTime(text: string): string | null {
  const m = /^\s*(\d{1,4})(?:\.0*)?\s*$/.exec(text);
  if (!m) return null;
  const padded = m[1]!.padStart(4, '0');
  const hh = Number(padded.slice(0, 2));
  const mm = Number(padded.slice(2));
  if (hh > 23 || mm > 59) return null;
  return `${padded.slice(0, 2)}:${padded.slice(2)}`;
}

/** An integer written as `29` or `29.0`; null when blank or not an integer. */
export function normaliseCode(text: string): number | null {
  const m = /^\s*(-?\d+)(?:\.0*)?\s*$/.exec(text);
  if (!m) return null;
  const n = Number(m[1]);
  return Number.isSafeInteger(n) && Math.abs(n) <= 2_147_483_647 ? n : null;
}

/** Dollars as a canonical decimal string (`30.0` -> `30`, `30.50` -> `30.5`); null when blank or not a number. */
export function normaliseFine(text: string): string | null {
  const t = text.trim().replace(/^\$/, '');
  if (!/^\d+(\.\d+)?$/.test(t)) return null;
  const [whole, frac = ''] = t.split('.');
  const cents = frac.replace(/0+$/, '');
  const w = whole!.replace(/^0+(?=\d)/, '');
  return cents ? `${w}.${cents}` : w;
}

/** The location key: UPPER(TRIM(location2)), inner spaces collapsed; null for blank or `nan`. */
export function locationKey(location2: string | null): string | null {
  if (location2 === null) return null;
  const k = location2.trim().toUpperCase().replace(/\s+/g, ' ');
  return k === '' || k === 'NAN' ? null : k;
}

const DIRECTION = /\b(?:NB|SB|EB|WB)\b/;

/** The street of a location: no house number (leading digits and dashes), no NB/SB/EB/WB, spaces collapsed. */
export function streetLabel(location: string | null): string | null {
  if (location === null) return null;
  // Most locations are keys (locationKey: trimmed, single spaces) without a direction word: only the house number
  // goes, and a location without one is its own street — no string made (the four replaces below were a tenth of
  // the processor's normalising). The same result as the general path (property-tested).
  if (!DIRECTION.test(location) && !ODD_SPACE.test(location) && location.trim() === location) {
    const c = location.charCodeAt(0);
    if (c !== 0x2d && c !== 0x20 && (c < 0x30 || c > 0x39)) return location;
    const s = location.replace(/^[\d\s-]+/, '');
    return s === '' ? null : s;
  }
  return streetLabelOfAnyText(location);
}

/** streetLabel's general path, for any text (exported for the property test its fast path is checked by). */
export function streetLabelOfAnyText(location: string): string | null {
  const s = location
    .replace(/\b(NB|SB|EB|WB)\b/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^[\d\s-]+/, '')
    .trim();
  return s === '' ? null : s;
}

const field = (row: readonly string[], i: number): string => (i >= 0 ? (row[i] ?? '') : '');

const timeOf = remembered(normaliseTime, 5_000);
const codeOf = remembered(normaliseCode, 5_000);
const fineOf = remembered(normaliseFine, 5_000);

/** A ticket from a row that passed `rowProblem` (schemas/toronto/parking-rows.ts); throws for one that did not. */
export function normaliseTicket(row: readonly string[], map: ColumnMap, line: number): ParkingTicket {
  const dateText = field(row, map.date_of_infraction);
  const date = ticketDate(dateText);
  if (date === null) throw new Error(`line ${line}: unreadable date ${JSON.stringify(dateText)}`);
  const tag = field(row, map.tag_number_masked).trim();
  if (!tag) throw new Error(`line ${line}: no tag number`);
  const timeText = field(row, map.time_of_infraction);
  const time = timeOf(timeText);
  const code = codeOf(field(row, map.infraction_code));
  const description = blankToNull(field(row, map.infraction_description)) ?? '';
  const fine = fineOf(field(row, map.set_fine_amount));
  const location1 = blankToNull(field(row, map.location1));
  const location2 = blankToNull(field(row, map.location2));
  const location = locationKey(location2);
  const location3 = blankToNull(field(row, map.location3));
  const location4 = blankToNull(field(row, map.location4));
  const province = blankToNull(field(row, map.province));
  // One-shot hash (no Hash object per ticket: a third of createHash's time).
  const ticketHash = hash('md5', [tag, date, time ?? '', code ?? '', description, fine ?? '', location1 ?? '', location2 ?? '', location3 ?? '', location4 ?? '', province ?? ''].join('|'), 'hex');
  const at = time ? torontoToUtc(date, Number(time.slice(0, 2)), Number(time.slice(3))) : torontoToUtc(date, 0, 0);
  return {
    ticket_hash: ticketHash,
    line,
    tag_number_masked: tag,
    date_of_infraction: date,
    time_of_infraction: time,
    infraction_at: at,
    date_text: dateText,
    time_text: timeText,
    infraction_code: code,
    infraction_description: description,
    set_fine_amount: fine,
    location1,
    location2,
    location3,
    location4,
    province,
    location,
    street: streetLabel(location),
  };
}
