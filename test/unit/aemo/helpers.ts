// Shared test helpers: fixture paths (read in place from /work/shared, never copied), a tiny zip writer for nested and
// corrupt-zip cases, and message wrappers for transforms.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, deflateRawSync } from 'node:zlib';
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

/** A minimal (deflate, no zip64) zip writer: enough to build nested archives for tests. */
export function makeZip(entries: { name: string; data: Buffer | string }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const data = Buffer.isBuffer(e.data) ? e.data : Buffer.from(e.data);
    const packed = deflateRawSync(data);
    const name = Buffer.from(e.name);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, packed);
    centrals.push(central, name);
    offset += local.length + name.length + packed.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

export function message<V>(topic: string, value: V, key: string | null = null): InputMessage<V> {
  return { topic, partition: 0, offset: '0', key, value, timestamp: 0, headers: {} };
}
