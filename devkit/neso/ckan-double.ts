// A local stand-in for NESO's CKAN `datastore_search`, serving records it is given (the tests build them from the
// real fixtures in ../shared/fixtures/neso; the demo from its generator). It behaves like CKAN where the crawler
// depends on it: `limit`/`offset` paging, `total`, `filters` as an exact match, `q` as a full-text match over every
// field (so it returns other CMUs' rows, as the real one does), `_id` as a row number renumbered on every reload,
// and `success:false` with `error` for a bad request.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type CkanRow = Record<string, unknown>;

export interface CkanRequest {
  resourceId: string;
  limit: number;
  offset: number;
  q?: string;
  filters?: Record<string, unknown>;
  at: number;
}

export interface CkanDouble {
  baseUrl: string;
  requests: CkanRequest[];
  /** Replace a resource's rows ("a reload": `_id`s are renumbered). */
  load(resourceId: string, rows: CkanRow[]): void;
  rows(resourceId: string): CkanRow[];
  /** Called before each answer; return a status to fail that request with it (or 'hang' to never answer). */
  onRequest?: (r: CkanRequest, n: number) => number | 'hang' | undefined;
  close(): Promise<void>;
}

const CKAN_FIELDS = new Set(['_id', 'rank', '_full_text']);

const tokens = (s: string): string[] => s.toLowerCase().split(/[^a-z0-9_]+/).filter(Boolean);

function matchesQ(row: CkanRow, q: string): boolean {
  const want = tokens(q);
  const have = new Set(Object.entries(row).filter(([k]) => !CKAN_FIELDS.has(k)).flatMap(([, v]) => (v === null || v === undefined ? [] : tokens(String(v)))));
  return want.every((t) => have.has(t));
}

function matchesFilters(row: CkanRow, filters: Record<string, unknown>): boolean {
  return Object.entries(filters).every(([field, want]) => {
    const values = Array.isArray(want) ? want : [want];
    return values.some((v) => row[field] !== undefined && row[field] !== null && String(row[field]) === String(v));
  });
}

export async function startCkanDouble(resources: Record<string, CkanRow[]> = {}, o: { port?: number } = {}): Promise<CkanDouble> {
  const data = new Map<string, CkanRow[]>();
  const fieldsOf = new Map<string, { id: string; type: string }[]>();
  let nextId = 1;
  const load = (resourceId: string, rows: CkanRow[]) => {
    fieldsOf.set(resourceId, [...new Set(['_id', ...rows.flatMap((row) => Object.keys(row))])].filter((k) => k !== 'rank').map((id) => ({ id, type: id === '_id' ? 'int' : 'text' })));
    data.set(
      resourceId,
      rows.map((r) => {
        const { _id: _drop, rank: _rank, ...rest } = r;
        return { _id: nextId++, ...rest };
      }),
    );
  };
  for (const [id, rows] of Object.entries(resources)) load(id, rows);
  const requests: CkanRequest[] = [];
  const hung: ServerResponse[] = [];
  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const double: CkanDouble = {
    baseUrl: '',
    requests,
    load,
    rows: (id) => data.get(id) ?? [],
    close: () =>
      new Promise((resolve) => {
        for (const h of hung) h.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://double');
    if (url.pathname !== '/api/3/action/datastore_search') return send(res, 404, { success: false, error: { message: 'Not found' } });
    const resourceId = url.searchParams.get('resource_id') ?? '';
    const rows = data.get(resourceId);
    if (!rows) return send(res, 404, { success: false, error: { message: 'Not found: Resource was not found.', __type: 'Not Found Error' } });
    let filters: Record<string, unknown> | undefined;
    try {
      const f = url.searchParams.get('filters');
      filters = f ? (JSON.parse(f) as Record<string, unknown>) : undefined;
    } catch {
      return send(res, 409, { success: false, error: { filters: ['Cannot parse JSON'], __type: 'Validation Error' } });
    }
    const limit = Number(url.searchParams.get('limit') ?? 100);
    const offset = Number(url.searchParams.get('offset') ?? 0);
    const q = url.searchParams.get('q') ?? undefined;
    const r: CkanRequest = { resourceId, limit, offset, ...(q ? { q } : {}), ...(filters ? { filters } : {}), at: Date.now() };
    requests.push(r);
    const fault = double.onRequest?.(r, requests.length);
    if (fault === 'hang') return void hung.push(res);
    if (fault) return send(res, fault, { success: false, error: { message: `injected ${fault}` } });
    let hits = rows;
    if (filters) hits = hits.filter((row) => matchesFilters(row, filters));
    if (q) hits = hits.filter((row) => matchesQ(row, q)).map((row) => ({ ...row, rank: 0.0706241 }));
    const page = hits.slice(offset, offset + limit);
    const fields = fieldsOf.get(resourceId) ?? [];
    const self = `/api/3/action/datastore_search?${url.searchParams.toString()}`;
    send(res, 200, {
      help: 'https://api.neso.energy/api/3/action/help_show?name=datastore_search',
      success: true,
      result: { include_total: true, limit, offset, resource_id: resourceId, fields, records: page, total: hits.length, records_format: 'objects', _links: { start: self, next: self.replace(/offset=\d+/, '') + `&offset=${offset + limit}` } },
    });
  };
  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(o.port ?? 0, '127.0.0.1', () => resolve()));
  double.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return double;
}
