// Local stand-ins for postcodes.io (`POST /postcodes`, bulk, 100 per call) and Nominatim (`GET /search`): they place
// every well-formed postcode and location string deterministically inside Great Britain (a hash of the text), so
// clusters and tests are repeatable; postcodes listed in `unknown` get a null result, as postcodes.io answers for a
// terminated postcode.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GeocoderDouble {
  baseUrl: string;
  /** Every postcode asked (bulk calls flattened) and every text query. */
  postcodesAsked: string[];
  textsAsked: string[];
  unknown: Set<string>;
  /** Status to answer the next calls with (failures), counted down. */
  failNext: { status: number; times: number };
  close(): Promise<void>;
}

/** A point in GB from a hash of the text: 50.0–58.5 N, 5.5 W–1.5 E. */
export function placeOf(text: string): { lat: number; lon: number } {
  const h = createHash('sha1').update(text.toUpperCase()).digest();
  return { lat: 50 + (h.readUInt16BE(0) / 65535) * 8.5, lon: -5.5 + (h.readUInt16BE(2) / 65535) * 7 };
}

export async function startGeocoderDouble(): Promise<GeocoderDouble> {
  const d: GeocoderDouble = {
    baseUrl: '',
    postcodesAsked: [],
    textsAsked: [],
    unknown: new Set(),
    failNext: { status: 0, times: 0 },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://double');
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      if (d.failNext.times > 0) {
        d.failNext.times--;
        return send(res, d.failNext.status, { status: d.failNext.status, error: 'injected' });
      }
      if (req.method === 'POST' && url.pathname === '/postcodes') {
        const postcodes = (JSON.parse(body || '{}') as { postcodes?: string[] }).postcodes ?? [];
        if (postcodes.length > 100) return send(res, 400, { status: 400, error: 'No more than 100 postcodes per request' });
        d.postcodesAsked.push(...postcodes);
        return send(res, 200, {
          status: 200,
          result: postcodes.map((q) => {
            if (d.unknown.has(q)) return { query: q, result: null };
            const p = placeOf(q);
            return { query: q, result: { postcode: q, latitude: p.lat, longitude: p.lon, admin_district: 'Somewhere', region: 'GB' } };
          }),
        });
      }
      if (req.method === 'GET' && url.pathname === '/search') {
        const q = url.searchParams.get('q') ?? '';
        d.textsAsked.push(q);
        const p = placeOf(q);
        return send(res, 200, d.unknown.has(q) ? [] : [{ lat: p.lat.toFixed(7), lon: p.lon.toFixed(7), display_name: `${q}, United Kingdom` }]);
      }
      send(res, 404, { status: 404, error: 'not found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  d.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return d;
}
