// Yearly parking ZIPs for the double: rows (generated, or built from fixture rows by the caller) rendered in a
// variant and written to a file; registered with the CKAN double as the year's resource.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CkanDouble } from './ckan-double.js';
import { BROKEN_LINES, renderMembers, renderRow, type TicketRow, type Variant } from './tickets.js';
import { writeZipFile } from './zip-file.js';

export const PARKING_PACKAGE = 'parking-tickets';

export interface YearZip {
  path: string;
  /** Rows written (generated + duplicates + broken). */
  lines: number;
}

/**
 * Writes a year's ZIP: `rows` (re-iterable) in variant `v`, each of the first `duplicates` rows written twice
 * verbatim, and BROKEN_LINES (when `broken`) after the first few rows.
 */
export async function writeYearZip(dir: string, year: number, rows: () => Iterable<TicketRow>, count: number, v: Variant, o: { duplicates?: number; broken?: boolean } = {}): Promise<YearZip> {
  const dup = o.duplicates ?? 0;
  const lines = function* () {
    let i = 0;
    for (const r of rows()) {
      const line = renderRow(r, v);
      yield line;
      if (i < dup) yield line;
      if (o.broken && i === 3) yield* BROKEN_LINES;
      i++;
    }
  };
  const total = count + dup + (o.broken ? BROKEN_LINES.length : 0);
  const path = join(dir, `parking-${year}-${v.encoding}-${v.header}-${Math.random().toString(36).slice(2, 8)}.zip`);
  await writeZipFile(path, renderMembers(year, lines, total, v));
  return { path, lines: total };
}

export async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'gridstream-toronto-double-'));
}

/** Registers a year's ZIP as the `parking-tickets` resource `parking-tickets-<year>` (id given by the caller). */
export function putYear(ckan: CkanDouble, id: string, year: number, path: string, lastModified = '2025-01-15T10:00:00'): void {
  ckan.put(PARKING_PACKAGE, { id, name: `parking-tickets-${year}`, format: 'ZIP', lastModified, body: path });
}
