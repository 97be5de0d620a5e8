// A local double of the ComparePower pricing API: GET /api/plans/current?tdsp_duns=<DUNS> answers the plans set for
// that TDSP (generated format-true plans by default; tests may set the real fixture's plans). On command it answers
// 429 with Retry-After, 500, stalls (holds the response until told to recover), or is "down" (every call 500), and
// recovers. Every request is logged with its status and time.
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TDSPS } from '../../schemas/comparepower/tdsp.js';
import { generatePlans } from './plans.js';

export interface LoggedRequest {
  path: string;
  tdsp: string | null;
  status: number | 'stalled';
  at: number;
}

export interface ComparePowerApiDouble {
  baseUrl: string;
  port: number;
  requests: LoggedRequest[];
  /** The plans served for a TDSP (any JSON: tests serve bad ones too). */
  setPlans(tdspDuns: string, plans: unknown): void;
  plans(tdspDuns: string): unknown;
  /** The next `times` calls answer 429 with Retry-After: seconds. */
  inject429(times?: number, retryAfterSeconds?: number): void;
  /** The next `times` calls answer 500. */
  inject500(times?: number): void;
  /** Every call answers 500 until recover(). */
  down(): void;
  /** Calls hang (no response) until recover(). */
  stall(): void;
  recover(): void;
  close(): Promise<void>;
}

export async function startComparePowerApiDouble(o: { plansPerTdsp?: number; port?: number } = {}): Promise<ComparePowerApiDouble> {
  const plans = new Map<string, unknown>(TDSPS.map((t) => [t.duns, generatePlans(t.duns, o.plansPerTdsp ?? 140)]));
  const requests: LoggedRequest[] = [];
  let fail429 = 0;
  let retryAfter = 1;
  let fail500 = 0;
  let isDown = false;
  let stalled = false;
  const held: ServerResponse[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://double');
    const tdsp = url.searchParams.get('tdsp_duns');
    const log = (status: number | 'stalled') => requests.push({ path: url.pathname, tdsp, status, at: Date.now() });
    if (url.pathname !== '/api/plans/current') {
      log(404);
      return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
    }
    if (stalled) {
      log('stalled');
      held.push(res);
      return;
    }
    if (fail429 > 0) {
      fail429--;
      log(429);
      return void res.writeHead(429, { 'retry-after': String(retryAfter), 'content-type': 'application/json' }).end('{"error":"rate limited"}');
    }
    if (isDown || fail500 > 0) {
      if (!isDown) fail500--;
      log(500);
      return void res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"internal"}');
    }
    if (!tdsp || !plans.has(tdsp)) {
      log(200);
      return void res.writeHead(200, { 'content-type': 'application/json' }).end('[]');
    }
    log(200);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(plans.get(tdsp)));
  });
  await new Promise<void>((resolve) => server.listen(o.port ?? 0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  const release = () => {
    for (const r of held.splice(0)) r.destroy();
  };
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    port,
    requests,
    setPlans: (d, p) => void plans.set(d, p),
    plans: (d) => plans.get(d),
    inject429(times = 1, seconds = 1) {
      fail429 = times;
      retryAfter = seconds;
    },
    inject500(times = 1) {
      fail500 = times;
    },
    down() {
      isDown = true;
    },
    stall() {
      stalled = true;
    },
    recover() {
      isDown = false;
      stalled = false;
      fail429 = 0;
      fail500 = 0;
      release();
    },
    async close() {
      release();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
