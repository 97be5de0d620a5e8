// A local Toronto Open Data CKAN double: `package_show` lists each package's resources (url, format,
// last_modified), `/download/<id>` streams a resource's bytes (a file on disk or a buffer). Tests and the demo
// register generated yearly ZIPs and camera files; requests are logged so a test can tell a skipped year
// (no download) from a reloaded one.
import { createReadStream } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface DoubleResource {
  id: string;
  name: string;
  format: string;
  lastModified: string;
  /** The bytes: a path on disk or a buffer. */
  body: string | Buffer;
}

export interface CkanDouble {
  baseUrl: string;
  packages: Map<string, DoubleResource[]>;
  /** Adds or replaces (by id) a resource of a package. */
  put(pkg: string, r: DoubleResource): void;
  requests: { path: string; status: number }[];
  downloads(id: string): number;
  /** The next `n` downloads of resource `id` fail with 500. */
  fail(id: string, n: number): void;
  close(): Promise<void>;
}

export async function startCkanDouble(o: { port?: number } = {}): Promise<CkanDouble> {
  const packages = new Map<string, DoubleResource[]>();
  const requests: { path: string; status: number }[] = [];
  const failures = new Map<string, number>();
  let baseUrl = '';
  const find = (id: string) => [...packages.values()].flat().find((r) => r.id === id);
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const done = (status: number, body?: string, type = 'application/json') => {
      requests.push({ path: url.pathname + url.search, status });
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    };
    if (url.pathname === '/api/3/action/package_show') {
      const id = url.searchParams.get('id') ?? '';
      const list = packages.get(id);
      if (!list) return done(404, JSON.stringify({ success: false, error: { message: 'Not found', __type: 'Not Found Error' } }));
      return done(
        200,
        JSON.stringify({
          success: true,
          result: { name: id, resources: list.map((r) => ({ id: r.id, name: r.name, format: r.format, last_modified: r.lastModified, url: `${baseUrl}/download/${r.id}` })) },
        }),
      );
    }
    const m = /^\/download\/([^/]+)$/.exec(url.pathname);
    const r = m ? find(m[1]!) : undefined;
    if (!r) return done(404, 'not found', 'text/plain');
    const f = failures.get(r.id) ?? 0;
    if (f > 0) {
      failures.set(r.id, f - 1);
      return done(500, 'try again', 'text/plain');
    }
    requests.push({ path: url.pathname, status: 200 });
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'last-modified': new Date(r.lastModified).toUTCString() });
    if (Buffer.isBuffer(r.body)) res.end(r.body);
    else createReadStream(r.body).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(o.port ?? 0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    baseUrl,
    packages,
    put(pkg, r) {
      const list = (packages.get(pkg) ?? []).filter((x) => x.id !== r.id);
      list.push(r);
      packages.set(pkg, list);
    },
    requests,
    downloads: (id) => requests.filter((q) => q.path === `/download/${id}` && q.status === 200).length,
    fail: (id, n) => failures.set(id, n),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
