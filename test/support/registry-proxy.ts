// A schema registry that can be switched off, made to fail, or passed through to the real one: a local HTTP proxy on
// a port of its own. `down` closes the listening socket (connection refused), `error` answers 500, `up` forwards.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { config } from '../../runtime/config.js';

export type ProxyMode = 'down' | 'error' | 'up';

export interface RegistryProxy {
  url: string;
  set(mode: ProxyMode): Promise<void>;
  close(): Promise<void>;
  /** Requests answered with each outcome so far. */
  counts: Record<'error' | 'up', number>;
}

export async function registryProxy(): Promise<RegistryProxy> {
  const real = new URL(config().registryUrl);
  const counts = { error: 0, up: 0 };
  let mode: ProxyMode = 'down';
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (mode === 'error') {
        counts.error++;
        res.writeHead(500, { 'content-type': 'application/json' }).end('{"error_code":50001,"message":"registry storage unavailable"}');
        return;
      }
      counts.up++;
      const body = chunks.length ? Buffer.concat(chunks) : undefined;
      fetch(`${real.origin}${req.url}`, { method: req.method, headers: { 'content-type': req.headers['content-type'] ?? 'application/json', accept: req.headers.accept ?? '*/*' }, body })
        .then(async (r) => res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/json' }).end(Buffer.from(await r.arrayBuffer())))
        .catch(() => res.writeHead(502).end());
    });
  });
  // Reserve a free port, then let it go: nothing listens there while the proxy is down.
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const stop = () =>
    new Promise<void>((r) => {
      if (!server.listening) return r();
      server.close(() => r());
      server.closeAllConnections();
    });
  await stop();
  return {
    url: `http://127.0.0.1:${port}${real.pathname}`,
    counts,
    async set(next) {
      mode = next;
      if (next === 'down') await stop();
      else if (!server.listening) await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    },
    close: stop,
  };
}
