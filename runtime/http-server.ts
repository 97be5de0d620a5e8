// One HTTP server per process: /healthz (the process is alive), /readyz (the services its stages use answer),
// /metrics (Prometheus), /status.json and the status page at / (stages, lag and throughput over the last hour, dead
// letters, last runs). Sources may mount routes of their own on it (`mountRoute`). Bind address and port come from
// the configuration (GRIDSTREAM_HTTP_HOST, GRIDSTREAM_HTTP_PORT; METRICS_PORT still works); a port already taken is
// logged and the process goes on without the server rather than stopping its stages.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { HistoryRing } from './history.js';
import { dlqCounts, lastRuns } from './inspect.js';
import { log } from './log.js';
import { metrics, registry } from './metrics.js';
import { packageVersion } from './paths.js';
import { checkReadiness } from './readiness.js';
import type { Dependency } from './stages.js';
import { processId } from './stage-status-store.js';
import { statusPage } from './status-page.js';
import { stageBoard } from './supervisor.js';

/** A mounted route: answers the request and returns true, or returns false to let the next route try. */
export type Route = (req: IncomingMessage, res: ServerResponse, url: URL) => boolean | Promise<boolean>;

export interface HttpServerOptions {
  host: string;
  port: number;
  /** Services /readyz checks. */
  dependencies: Dependency[];
  /** Whether /status.json includes dead-letter counts and last runs (they need Kafka and Postgres). */
  inspect?: boolean;
  historyEveryMs?: number;
}

export interface RunningHttpServer {
  url: string;
  close: () => Promise<void>;
}

const mounted: { prefix: string; route: Route }[] = [];

/** Adds routes under `prefix` to the process's server (e.g. a source's API); they are tried before the built-in ones. */
export function mountRoute(prefix: string, route: Route): void {
  mounted.push({ prefix, route });
}

const json = (res: ServerResponse, status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));

/** uPlot's browser build, from the installed package (served locally: the page must work with no network). */
function uplotAsset(file: 'uPlot.iife.min.js' | 'uPlot.min.css'): Buffer {
  const main = createRequire(import.meta.url).resolve('uplot');
  return readFileSync(join(dirname(main), file));
}

/** Caches a slow answer (Kafka and Postgres round trips) for the page's frequent refreshes. */
function cached<T>(ms: number, load: () => Promise<T>): () => Promise<T | { error: string }> {
  let at = 0;
  let value: Promise<T | { error: string }> | undefined;
  return () => {
    if (!value || Date.now() - at > ms) {
      at = Date.now();
      value = load().catch((err: unknown) => ({ error: (err as Error).message }));
    }
    return value;
  };
}

async function lagByStage(): Promise<{ stage: string; topic: string; partition: number; lag: number }[]> {
  return (await metrics.consumerLag.get()).values.map((v) => ({ stage: String(v.labels.stage), topic: String(v.labels.topic), partition: Number(v.labels.partition), lag: v.value }));
}

let running: (RunningHttpServer & { server: Server; history: HistoryRing }) | undefined;

export function httpServerUrl(): string | undefined {
  return running?.url;
}

export async function startHttpServer(o: HttpServerOptions): Promise<RunningHttpServer | undefined> {
  if (running) return running;
  const startedAt = Date.now();
  const history = new HistoryRing();
  const dlq = cached(30_000, dlqCounts);
  const runs = cached(30_000, () => lastRuns(20));

  const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => unknown> = {
    '/healthz': (_req, res) => json(res, 200, { status: 'ok', uptimeSeconds: Math.round((Date.now() - startedAt) / 1000) }),
    '/readyz': async (_req, res) => {
      const r = await checkReadiness(o.dependencies);
      json(res, r.ready ? 200 : 503, r);
    },
    '/metrics': async (_req, res) => {
      const body = await registry.metrics();
      res.writeHead(200, { 'content-type': registry.contentType }).end(body);
    },
    '/status.json': async (_req, res) => {
      const [lag, dlqs, lastRunList] = await Promise.all([lagByStage(), o.inspect ? dlq() : Promise.resolve(null), o.inspect ? runs() : Promise.resolve(null)]);
      json(res, 200, {
        process: { id: processId, pid: process.pid, version: packageVersion, node: process.versions.node, startedAt, now: Date.now() },
        stages: stageBoard.snapshot(),
        lag,
        history: history.snapshot(),
        dlq: dlqs,
        runs: lastRunList,
      });
    },
    '/': (_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(statusPage),
    '/assets/uplot.js': (_req, res) => res.writeHead(200, { 'content-type': 'text/javascript', 'cache-control': 'max-age=3600' }).end(uplotAsset('uPlot.iife.min.js')),
    '/assets/uplot.css': (_req, res) => res.writeHead(200, { 'content-type': 'text/css', 'cache-control': 'max-age=3600' }).end(uplotAsset('uPlot.min.css')),
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://local');
    void (async () => {
      for (const m of mounted) if (url.pathname.startsWith(m.prefix) && (await m.route(req, res, url))) return;
      const route = req.method === 'GET' || req.method === 'HEAD' ? routes[url.pathname] : undefined;
      if (!route) return json(res, 404, { error: 'not found' });
      await route(req, res);
    })().catch((err: unknown) => {
      log.warn({ path: url.pathname, err: (err as Error).message }, 'HTTP request failed');
      if (!res.headersSent) json(res, 500, { error: (err as Error).message });
      else res.end();
    });
  });
  const listening = await new Promise<boolean>((resolve) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      log.warn({ host: o.host, port: o.port, err: err.message }, 'HTTP server (health, readiness, metrics, status page) not started: set GRIDSTREAM_HTTP_PORT to a free port');
      resolve(false);
    });
    server.listen(o.port, o.host, () => resolve(true));
  });
  if (!listening) return undefined;
  const { port } = server.address() as AddressInfo;
  const host = o.host.includes(':') ? `[${o.host}]` : o.host;
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  history.start(o.historyEveryMs ?? 10_000, () => stageBoard.snapshot().map((s) => s.name));
  log.info({ url }, 'HTTP server: /healthz /readyz /metrics /status.json and the status page at /');
  running = {
    url,
    server,
    history,
    close: async () => {
      history.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      running = undefined;
    },
  };
  return running;
}

export async function stopHttpServer(): Promise<void> {
  await running?.close();
}
