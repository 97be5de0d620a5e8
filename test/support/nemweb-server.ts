// A NEMWEB stand-in built from the real fixtures in /work/shared/fixtures/aemo (read in place, never copied), served
// by the same server as the demo (devkit/aemo/nemweb-tree.ts). Besides the real files it holds the awkward cases
// the source must survive: a file that fails twice, a corrupt zip and a truncated CSV.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DIR, mmsdmDir, rooftopFile, serveNemweb, writeZip } from '../../devkit/aemo/nemweb-tree.js';
import type { NemwebServer, NemwebTree, ServeOptions } from '../../devkit/aemo/nemweb-tree.js';

const FIXTURES = fileURLToPath(new URL('../../../shared/fixtures/aemo/', import.meta.url));

/** A fixture's bytes; names are the stored ones, so MMSDM names contain a literal `%23`. */
export const fixture = (name: string): Buffer => readFileSync(join(FIXTURES, name));

export const MMSDM_2024_08 = {
  scada: 'PUBLIC_ARCHIVE%23DISPATCH_UNIT_SCADA%23FILE01%23202408010000.zip',
  price: 'PUBLIC_ARCHIVE%23DISPATCHPRICE%23FILE01%23202408010000.zip',
  interconnector: 'PUBLIC_ARCHIVE%23DISPATCHINTERCONNECTORRES%23FILE01%23202408010000.zip',
  rooftop: 'PUBLIC_ARCHIVE%23ROOFTOP_PV_ACTUAL%23FILE01%23202408010000.zip',
} as const;
export const MMSDM_DVD_ROOFTOP_2019_12 = 'PUBLIC_DVD_ROOFTOP_PV_ACTUAL_201912010000.zip';
const LEGACY = 'PUBLIC_DISPATCH_202403151945_20240315194011_LEGACY.zip';

/** The live files served in the Current dirs, by role. */
export const LIVE = {
  /** sample_dispatchscada.csv, zipped under its real name. */
  scada: 'PUBLIC_DISPATCHSCADA_202512270005_0000000495867506.zip',
  /** The same CSV relabelled 00:10; the server answers 500 twice before serving it. */
  flaky: 'PUBLIC_DISPATCHSCADA_202512270010_0000000495867790.zip',
  /** The first 300 bytes of a zip. */
  corrupt: 'PUBLIC_DISPATCHSCADA_202512270015_0000000495868071.zip',
  /** The CSV relabelled 00:20 with lines cut out, so END OF REPORT (496) differs from the lines (301). */
  truncated: 'PUBLIC_DISPATCHSCADA_202512270020_0000000495868350.zip',
  /** sample_dispatchis.csv, zipped. */
  dispatchis: 'PUBLIC_DISPATCHIS_202512270005_0000000495867501.zip',
} as const;

/** The fixture CSVs as served (text), for tests to compare against. */
export interface FixtureTexts {
  scada: string;
  flaky: string;
  dispatchis: string;
  truncated: string;
}

export interface FixtureNemweb extends NemwebServer {
  texts: FixtureTexts;
  /** Bytes served per path, for comparing dead letters. */
  bytes: Map<string, Buffer>;
  /** Rooftop live files (generated: no live rooftop file is among the fixtures). */
  rooftop: { measurement: string; satellite: string };
}

const csvName = (zip: string): string => zip.replace(/\.zip$/, '.CSV');

export async function startFixtureNemweb(o: ServeOptions = {}): Promise<FixtureNemweb> {
  const scadaText = fixture('sample_dispatchscada.csv').toString('utf8');
  const relabel = (text: string, hhmm: string): string => text.replaceAll('"2025/12/27 00:05:00"', `"2025/12/27 ${hhmm}:00"`);
  const flakyText = relabel(scadaText, '00:10');
  const lines = relabel(scadaText, '00:20').split('\r\n');
  // Keep the header and 299 more lines, then the original footer: a file cut short but still "ending".
  const truncatedText = [...lines.slice(0, 300), lines.find((l) => l.startsWith('C,"END OF REPORT"')), ''].join('\r\n');
  const dispatchisText = fixture('sample_dispatchis.csv').toString('utf8');

  const zips = {
    scada: writeZip([{ name: csvName(LIVE.scada), data: scadaText }]),
    flaky: writeZip([{ name: csvName(LIVE.flaky), data: flakyText }]),
    truncated: writeZip([{ name: csvName(LIVE.truncated), data: truncatedText }]),
    dispatchis: writeZip([{ name: csvName(LIVE.dispatchis), data: dispatchisText }]),
  };
  const corrupt = zips.scada.subarray(0, 300);
  const t0030 = Date.parse('2025-12-27T00:30:00+10:00');
  const measurement = rooftopFile(t0030, 'MEASUREMENT');
  const satellite = rooftopFile(t0030, 'SATELLITE');

  const tree: NemwebTree = new Map();
  tree.set(DIR.scada + LIVE.scada, { body: zips.scada });
  tree.set(DIR.scada + LIVE.flaky, { body: zips.flaky, failFirst: 2 });
  tree.set(DIR.scada + LIVE.corrupt, { body: corrupt });
  tree.set(DIR.scada + LIVE.truncated, { body: zips.truncated });
  tree.set(DIR.dispatchis + LIVE.dispatchis, { body: zips.dispatchis });
  tree.set(DIR.rooftop + measurement.name, { body: measurement.zip });
  tree.set(DIR.rooftop + satellite.name, { body: satellite.zip });
  // Not read by the source (legacy prices duplicate DISPATCHIS); served so the tree looks like NEMWEB.
  tree.set(`/Reports/Current/Dispatch_Reports/${LEGACY}`, { body: fixture(LEGACY) });
  // Daily archives are zips of the 5-minute zips; the rooftop weekly archive is named after its Thursday.
  tree.set(`${DIR.scadaArchive}PUBLIC_DISPATCHSCADA_20251227.zip`, {
    body: writeZip([{ name: LIVE.scada, data: zips.scada }, { name: LIVE.flaky, data: zips.flaky }], { store: true }),
  });
  tree.set(`${DIR.dispatchisArchive}PUBLIC_DISPATCHIS_20251227.zip`, { body: writeZip([{ name: LIVE.dispatchis, data: zips.dispatchis }], { store: true }) });
  tree.set(`${DIR.rooftopArchive}PUBLIC_ROOFTOP_PV_ACTUAL_MEASUREMENT_20251225.zip`, { body: writeZip([{ name: measurement.name, data: measurement.zip }], { store: true }) });
  for (const name of Object.values(MMSDM_2024_08)) tree.set(mmsdmDir('2024-08') + name, { body: fixture(name) });
  tree.set(mmsdmDir('2019-12') + MMSDM_DVD_ROOFTOP_2019_12, { body: fixture(MMSDM_DVD_ROOFTOP_2019_12) });

  const server = await serveNemweb(tree, o);
  const bytes = new Map<string, Buffer>();
  for (const [path, f] of tree) if (Buffer.isBuffer(f.body)) bytes.set(path, f.body);
  return {
    ...server,
    texts: { scada: scadaText, flaky: flakyText, dispatchis: dispatchisText, truncated: truncatedText },
    bytes,
    rooftop: { measurement: measurement.name, satellite: satellite.name },
  };
}

/**
 * D rows of a table in an MMS CSV text whose time field (index 4 in all four tables) is an interval END inside
 * (fromExclusive, toInclusive], written `YYYY/MM/DD HH:MM:SS`: an independent count for checking the source.
 */
export function countRows(text: string, report: string, subtype: string, fromExclusive: string, toInclusive: string): number {
  let n = 0;
  for (const line of text.split(/\r?\n/)) {
    if (!line.startsWith(`D,${report},${subtype},`)) continue;
    const t = (line.split(',')[4] ?? '').replaceAll('"', '');
    if (t > fromExclusive && t <= toInclusive) n += 1;
  }
  return n;
}
