// A NEMWEB look-alike for the demo, the tests and the benchmarks: a tree of generated files (day-files.ts, zipped by
// zip-writer.ts) and a node:http server that serves any such tree with IIS-style directory listings. It needs nothing
// from /work/shared, so the demo runs anywhere.
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEMO_UNITS, dispatchisFile, intervalEnds, nemDayStart, rooftopFile, scadaFile, type GeneratedFile } from './day-files.js';
import { writeZip } from './zip-writer.js';

export * from './day-files.js';
export * from './mms-writer.js';
export * from './zip-writer.js';

// ---- the tree and its server ----

export interface TreeFile {
  /** Built on first request when a function, so a month of archives need not sit in memory. */
  body: Buffer | (() => Buffer);
  /** Answer HTTP 500 to the first n requests for this file. */
  failFirst?: number;
}

/** Server paths (as stored, i.e. decoded once: a literal `%23` stays `%23`) to files. */
export type NemwebTree = Map<string, TreeFile>;

export const DIR = {
  scada: '/Reports/Current/Dispatch_SCADA/',
  dispatchis: '/Reports/Current/DispatchIS_Reports/',
  rooftop: '/Reports/Current/ROOFTOP_PV/ACTUAL/',
  scadaArchive: '/Reports/Archive/Dispatch_SCADA/',
  dispatchisArchive: '/Reports/Archive/DispatchIS_Reports/',
  rooftopArchive: '/Reports/Archive/ROOFTOP_PV/ACTUAL/',
} as const;

export const mmsdmDir = (month: string): string =>
  `/Data_Archive/Wholesale_Electricity/MMSDM/${month.slice(0, 4)}/MMSDM_${month.slice(0, 4)}_${month.slice(5, 7)}/MMSDM_Historical_Data_SQLLoader/DATA/`;

export interface DayTreeOptions {
  /** NEM calendar day, default 2025-12-27. */
  day?: string;
  /** How many of DEMO_UNITS report (default all 20). */
  units?: number;
  /** Which interval ends to include (default the whole day); the rooftop SATELLITE file is the day's middle interval. */
  hours?: number;
}

/** A day of live files in the three Current dirs: 288 SCADA, 288 DISPATCHIS, 48 rooftop MEASUREMENT and one SATELLITE. */
export function generatedDayTree(o: DayTreeOptions = {}): NemwebTree {
  const day = o.day ?? '2025-12-27';
  const limit = nemDayStart(day) + (o.hours ?? 24) * 3600_000;
  const units = DEMO_UNITS.slice(0, o.units ?? DEMO_UNITS.length);
  const tree: NemwebTree = new Map();
  for (const t of intervalEnds(day, 5).filter((t) => t <= limit)) {
    const s = scadaFile(t, units);
    tree.set(DIR.scada + s.name, { body: s.zip });
    const d = dispatchisFile(t);
    tree.set(DIR.dispatchis + d.name, { body: d.zip });
  }
  const halfHours = intervalEnds(day, 30).filter((t) => t <= limit);
  for (const t of halfHours) {
    const r = rooftopFile(t);
    tree.set(DIR.rooftop + r.name, { body: r.zip });
  }
  const mid = halfHours[Math.floor(halfHours.length / 2)];
  if (mid !== undefined) {
    const sat = rooftopFile(mid, 'SATELLITE');
    tree.set(DIR.rooftop + sat.name, { body: sat.zip });
  }
  return tree;
}

/** The Reports/Archive daily zip of a day: its 5-minute zips, stored (zips inside zips do not compress). */
export function dailyArchive(dataset: 'scada' | 'dispatchis', day: string, units?: readonly (typeof DEMO_UNITS)[number][]): GeneratedFile {
  const files = intervalEnds(day, 5).map((t) => (dataset === 'scada' ? scadaFile(t, units) : dispatchisFile(t)));
  const prefix = dataset === 'scada' ? 'PUBLIC_DISPATCHSCADA' : 'PUBLIC_DISPATCHIS';
  return { name: `${prefix}_${day.replaceAll('-', '')}.zip`, zip: writeZip(files.map((f) => ({ name: f.name, data: f.zip })), { store: true }) };
}

export interface ServedRequest {
  /** The request path exactly as sent (still percent-encoded). */
  path: string;
  status: number;
  userAgent: string;
}

export interface NemwebServer {
  /** Base URL, e.g. http://127.0.0.1:40123 (what AEMO_BASE_URL is set to). */
  url: string;
  requests: ServedRequest[];
  close(): Promise<void>;
}

export interface ServeOptions {
  /** Refuse (406) requests whose User-Agent does not look like a browser, as NEMWEB is reported to do. */
  browserOnly?: boolean;
}

const escapeHtml = (s: string): string => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

/**
 * An IIS listing page like NEMWEB's: a parent link, then one `<br>` line per entry with date, size and a link.
 * Links alternate between absolute paths (as NEMWEB writes them) and relative names, so clients must handle both.
 */
export function listingPage(dir: string, entries: { name: string; size: number | null }[]): string {
  const parent = dir.replace(/[^/]+\/$/, '');
  const lines = entries.map((e, i) => {
    const href = i % 2 === 0 ? dir + encodeURI(e.name) : encodeURI(e.name);
    const size = e.size === null ? '&lt;dir&gt;' : String(e.size);
    return `<br>      Saturday, December 27, 2025 12:05 AM ${size.padStart(12)} <a HREF="${escapeHtml(href)}">${escapeHtml(e.name)}</a>`;
  });
  return `<html><head><title>nemweb.com.au - ${escapeHtml(dir)}</title></head><body><H1>nemweb.com.au - ${escapeHtml(dir)}</H1><hr>\r\n\r\n<pre><A HREF="${escapeHtml(parent)}">[To Parent Directory]</A>\r\n<br>\r\n${lines.join('\r\n')}\r\n<br></pre><hr></body></html>`;
}

/** Serves a tree on 127.0.0.1 (a free port): files, listings of every directory in it, 404 for the rest. */
export async function serveNemweb(tree: NemwebTree, o: ServeOptions = {}): Promise<NemwebServer> {
  // IIS paths are case-insensitive (the reference mixes cases).
  const files = new Map<string, { path: string; file: TreeFile; served: number }>();
  for (const [path, file] of tree) files.set(path.toLowerCase(), { path, file, served: 0 });
  const requests: ServedRequest[] = [];

  const listing = (dir: string): string | null => {
    const lower = dir.toLowerCase();
    const entries = new Map<string, number | null>();
    for (const { path, file } of files.values()) {
      if (!path.toLowerCase().startsWith(lower)) continue;
      const rest = path.slice(dir.length);
      const slash = rest.indexOf('/');
      if (slash >= 0) entries.set(rest.slice(0, slash + 1), null);
      else entries.set(rest, Buffer.isBuffer(file.body) ? file.body.length : 0);
    }
    if (entries.size === 0) return null;
    return listingPage(dir, [...entries].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, size]) => ({ name, size })));
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const raw = (req.url ?? '/').split('?')[0] ?? '/';
    const userAgent = req.headers['user-agent'] ?? '';
    const send = (status: number, body: Buffer | string, type: string): void => {
      requests.push({ path: raw, status, userAgent });
      res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    if (o.browserOnly && !/Mozilla\//.test(userAgent)) return send(406, 'Not Acceptable', 'text/plain');
    let path: string;
    try {
      path = decodeURIComponent(raw);
    } catch {
      return send(400, 'Bad Request', 'text/plain');
    }
    if (path.endsWith('/')) {
      const page = listing(path);
      return page === null ? send(404, 'Not Found', 'text/plain') : send(200, page, 'text/html; charset=utf-8');
    }
    const hit = files.get(path.toLowerCase());
    if (!hit) return send(404, 'Not Found', 'text/plain');
    hit.served += 1;
    if (hit.served <= (hit.file.failFirst ?? 0)) return send(500, 'Internal Server Error', 'text/plain');
    const body = typeof hit.file.body === 'function' ? hit.file.body() : hit.file.body;
    return send(200, body, 'application/x-zip-compressed');
  };

  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
