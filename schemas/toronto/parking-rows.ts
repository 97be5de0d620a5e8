// Parking-ticket CSV rows as Toronto publishes them (shared/specs/civic.md §2): the header variants, the canonical
// columns, and which rows are broken. Pure: the producer uses it to find each file's columns and to dead-letter the
// rows no processor could read (with file and line); the processor normalises the rest.

import { remembered } from '../remembered.js';

/** The canonical columns of the data dictionary, in the order the City writes them. */
export const PARKING_COLUMNS = [
  'tag_number_masked',
  'date_of_infraction',
  'infraction_code',
  'infraction_description',
  'set_fine_amount',
  'time_of_infraction',
  'location1',
  'location2',
  'location3',
  'location4',
  'province',
] as const;
export type ParkingColumn = (typeof PARKING_COLUMNS)[number];

/** A header cell reduced to letters and digits, lower case (BOM, spaces, underscores and case all vary). */
export const headerKey = (cell: string): string => cell.replace(/^\ufeff/, '').toLowerCase().replace(/[^a-z0-9]/g, '');

const ALIASES: Record<string, ParkingColumn> = Object.fromEntries([
  ...PARKING_COLUMNS.map((c) => [headerKey(c), c] as const),
  ['ticketnumber', 'tag_number_masked'],
  ['tagnumber', 'tag_number_masked'],
]);

/** Index of each canonical column in a file's header. */
export type ColumnMap = Record<ParkingColumn, number>;

/**
 * Where each canonical column sits in a header row, or why the header cannot be read (a column missing, or a row
 * that is not a parking-ticket header at all).
 */
export function columnMap(header: readonly string[]): { map: ColumnMap } | { error: string } {
  const map: Partial<ColumnMap> = {};
  header.forEach((cell, i) => {
    const c = ALIASES[headerKey(cell)];
    if (c && map[c] === undefined) map[c] = i;
  });
  const missing = PARKING_COLUMNS.filter((c) => map[c] === undefined);
  // location3/4 and province are optional in the oldest extracts; the first six never are.
  const required = missing.filter((c) => !['location3', 'location4', 'province'].includes(c));
  if (required.length) return { error: `header lacks ${required.join(', ')}: ${JSON.stringify(header.slice(0, 12))}` };
  for (const c of missing) map[c] = -1;
  return { map: map as ColumnMap };
}

/** True for a row that repeats the header (files concatenated with their headers). */
export function isHeaderRow(row: readonly string[], map: ColumnMap): boolean {
  const first = row[map.tag_number_masked];
  const date = row[map.date_of_infraction];
  return first !== undefined && date !== undefined && ALIASES[headerKey(first)] === 'tag_number_masked' && ALIASES[headerKey(date)] === 'date_of_infraction';
}

/** The ISO date of a date cell (`YYYYMMDD`, `YYYY-MM-DD`, `YYYY/MM/DD`, a trailing `.0`), or null. */
export function parseTicketDate(text: string): string | null {
  const m = /^\s*(\d{4})[-/]?(\d{2})[-/]?(\d{2})(?:\.0+)?\s*$/.exec(text);
  if (!m) return null;
  const [, y, mo, d] = m;
  const t = Date.UTC(Number(y), Number(mo) - 1, Number(d));
  const back = new Date(t);
  if (back.getUTCFullYear() !== Number(y) || back.getUTCMonth() !== Number(mo) - 1 || back.getUTCDate() !== Number(d)) return null;
  return `${y}-${mo}-${d}`;
}

/** parseTicketDate once per distinct text: the source checks every row's date, the processor normalises it (parsing
 *  each was 1.8 s of the source's CPU for a year in a profile). */
export const ticketDate = remembered(parseTicketDate, 5_000);

/** Why a data row cannot become a ticket (field count, no tag number, no date), or null when it can. */
export function rowProblem(row: readonly string[], width: number, map: ColumnMap): string | null {
  if (row.length !== width) return `${row.length} fields where the header has ${width}`;
  const tag = row[map.tag_number_masked]!.trim();
  if (!tag || (tag.length === 3 && tag.toLowerCase() === 'nan')) return 'no tag number';
  const date = row[map.date_of_infraction]!;
  if (ticketDate(date) === null) return `unreadable date ${JSON.stringify(date.slice(0, 40))}`;
  return null;
}
