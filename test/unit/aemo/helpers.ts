// Shared test helpers: fixture paths (read in place from /work/shared, never copied), a tiny zip writer for nested and
// corrupt-zip cases, and message wrappers for transforms.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeZip } from '../../../devkit/aemo/nemweb-tree.js';
import type { InputMessage } from '../../../runtime/types.js';
import { readMms } from '../../../producers/aemo/mms-csv.js';
import type { MmsRow, MmsSummary } from '../../../producers/aemo/mms-csv.js';
import { zipCsvs } from '../../../producers/aemo/zip.js';

const FIXTURES = new URL('../../../../shared/fixtures/aemo/', import.meta.url);

export const fixturePath = (name: string): string => join(fileURLToPath(FIXTURES), name);
export const readFixture = (name: string): Buffer => readFileSync(fixturePath(name));

export const ZIPS = {
  scadaMmsdm: 'PUBLIC_ARCHIVE%23DISPATCH_UNIT_SCADA%23FILE01%23202408010000.zip',
  rooftopMmsdm: 'PUBLIC_ARCHIVE%23ROOFTOP_PV_ACTUAL%23FILE01%23202408010000.zip',
  priceMmsdm: 'PUBLIC_ARCHIVE%23DISPATCHPRICE%23FILE01%23202408010000.zip',
  interconnectorMmsdm: 'PUBLIC_ARCHIVE%23DISPATCHINTERCONNECTORRES%23FILE01%23202408010000.zip',
  legacy: 'PUBLIC_DISPATCH_202403151945_20240315194011_LEGACY.zip',
  rooftopDvd: 'PUBLIC_DVD_ROOFTOP_PV_ACTUAL_201912010000.zip',
} as const;

export interface ParsedCsv {
  name: string;
  rows: MmsRow[];
  summary: MmsSummary;
}

/** Every CSV inside a fixture zip, parsed with the streaming reader. */
export async function parseZipFixture(name: string): Promise<ParsedCsv[]> {
  const out: ParsedCsv[] = [];
  for await (const entry of zipCsvs(fixturePath(name))) {
    const stream = readMms(await entry.open());
    const rows: MmsRow[] = [];
    for await (const row of stream) rows.push(row);
    out.push({ name: entry.name, rows, summary: stream.summary });
  }
  return out;
}

export async function onlyCsv(name: string): Promise<ParsedCsv> {
  const all = await parseZipFixture(name);
  if (all.length !== 1 || !all[0]) throw new Error(`${name}: expected one CSV, got ${all.length}`);
  return all[0];
}

/** Zips for nested and corrupt-archive tests: the same writer the NEMWEB demo tree uses. */
export const makeZip = (entries: { name: string; data: Buffer | string }[]): Buffer => writeZip(entries);

export function message<V>(topic: string, value: V, key: string | null = null): InputMessage<V> {
  return { topic, partition: 0, offset: '0', key, value, timestamp: 0, headers: {} };
}
