// `gridstream serve`: the HTTP server (status page, /metrics, /healthz, /readyz) with the plans API mounted on it
// (GET /api/plans, sinks/comparepower/plans-api.ts). It reads the tables and views the pipeline keeps; it never calls
// the ComparePower API itself.
import { type Command, Option } from 'commander';
import { config } from '../runtime/config.js';
import { pool } from '../runtime/db.js';
import { mountRoute, startHttpServer, stopHttpServer } from '../runtime/http-server.js';
import { log } from '../runtime/log.js';
import { sharedRedis } from '../runtime/redis-views.js';
import { readSetting } from '../runtime/settings.js';
import { onShutdown } from '../runtime/shutdown.js';
import { comparePowerFlow } from '../pipeline/comparepower.js';
import { plansApi } from '../sinks/comparepower/plans-api.js';
import { session } from './serving.js';

const out = (s: string) => process.stdout.write(`${s}\n`);

export function registerComparePower(program: Command): void {
  program
    .command('serve')
    .description('Serve the HTTP APIs (GET /api/plans: Texas electricity plans from memory, Redis, Postgres) beside the status page and /metrics')
    .addOption(new Option('--port <n>', 'port (default GRIDSTREAM_HTTP_PORT)').argParser((v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`--port: not a port: ${v}`);
      return n;
    }))
    .action((o: { port?: number }) =>
      session(async () => {
        const f = comparePowerFlow();
        const api = plansApi({ db: pool, redis: sharedRedis, tables: f.tables, views: f.views, queueId: f.id, cacheTtlMs: readSetting('COMPAREPOWER_CACHE_TTL_MS'), staleAfterMs: readSetting('COMPAREPOWER_STALE_AFTER_MS') });
        mountRoute('/api/', api.route);
        const c = config().http;
        const server = await startHttpServer({ host: c.host, port: o.port ?? c.port, dependencies: ['postgres', 'redis'], inspect: true, historyEveryMs: c.historySampleMs });
        if (!server) throw new Error(`serve: port ${o.port ?? c.port} is taken`);
        out(`serving ${server.url}/api/plans?city=arlington (and the status page at ${server.url}/)`);
        await new Promise<void>((resolve) => onShutdown('serve', async () => resolve()));
        log.info('serve stopping');
        await stopHttpServer();
      }),
    );
}
