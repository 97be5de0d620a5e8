// Plans API benchmark (`npm run bench -- plans-api [--duration S] [--connections N]`): the ComparePower pipeline
// lands generated plans for the five TDSPs (API double on 127.0.0.1 -> source -> processor -> sink -> Redis views),
// then autocannon (load generator, same process and machine) hits GET /api/plans on the process HTTP server in
// three states: cache-hot (memory TTL 60 s: every lookup from memory), cache-cold (no memory cache: every lookup
// reads and parses the Redis view) and postgres (no memory cache, views deleted: every lookup queries Postgres).
// Two queries alternate: a city (Arlington, unfiltered, 140 plans) and a filtered, re-sorted one.
// Last line: `plans-api: hot <r> req/s p99 <ms> ms, cold <r> req/s p99 <ms> ms, postgres <r> req/s p99 <ms> ms`.
import autocannon from 'autocannon';
import { arg, say } from './support.js';
import { stackUp } from '../infra/stack/index.js';
import { migrate, pool } from '../runtime/db.js';
import { mountRoute, startHttpServer, stopHttpServer } from '../runtime/http-server.js';
import { runPgSink } from '../runtime/pg-sink-runner.js';
import { runProcessor } from '../runtime/processor-runner.js';
import { runSource } from '../runtime/producer-runner.js';
import { closeSharedRedis, sharedRedis, viewKey } from '../runtime/redis-views.js';
import { Serde } from '../runtime/serde.js';
import { applyTopics } from '../runtime/topics-apply.js';
import { catalogue } from '../schemas/catalogue.js';
import { TDSPS } from '../schemas/comparepower/tdsp.js';
import { comparePowerFlow } from '../pipeline/comparepower.js';
import { plansApi, type PlansApi } from '../sinks/comparepower/plans-api.js';
import { startComparePowerApiDouble } from '../devkit/comparepower/api-double.js';

interface Measured {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  errors: number;
}

async function measure(url: string, durationS: number, connections: number): Promise<Measured> {
  const r = await autocannon({
    url,
    connections,
    duration: durationS,
    requests: [{ path: '/api/plans?city=arlington' }, { path: '/api/plans?tdsp=centerpoint&term=12&green=26&rate_type=fixed&sort=rate_500' }],
  });
  return { rps: Math.round(r.requests.average), p50: r.latency.p50, p99: r.latency.p99, requests: r.requests.total, errors: r.errors + r.non2xx };
}

export async function main(args: string[]): Promise<void> {
  const duration = Number(arg(args, '--duration', '10'));
  const connections = Number(arg(args, '--connections', '10'));
  await stackUp();
  await migrate();
  const upstream = await startComparePowerApiDouble({ plansPerTdsp: 140 });
  const f = comparePowerFlow('comparepower', { source: { baseUrl: upstream.baseUrl } });
  const serde = Serde.fromConfig();
  await applyTopics(catalogue([f.flow]), serde);
  const t0 = Date.now();
  await runSource(f.source, { serde, once: true });
  await runProcessor(f.processor, { serde, mode: 'drain' });
  await runPgSink(f.sink, { serde, mode: 'drain' });
  const plans = (await pool().query<{ n: number }>(`select count(*)::int as n from electricity_plans where is_active`)).rows[0]!.n;
  say(`landed ${plans} plans of ${TDSPS.length} TDSPs through the pipeline in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  let current: PlansApi | undefined;
  mountRoute('/api/', (req, res, url) => current!.route(req, res, url));
  const server = (await startHttpServer({ host: '127.0.0.1', port: 0, dependencies: [] }))!;
  const make = (cacheTtlMs: number) => plansApi({ db: pool, redis: sharedRedis, tables: f.tables, views: f.views, queueId: f.id, cacheTtlMs, staleAfterMs: 7_200_000 });
  const out: Record<string, Measured> = {};
  try {
    for (const [name, ttl, dropViews] of [['hot', 60_000, false], ['cold', 0, false], ['postgres', 0, true]] as const) {
      if (dropViews) for (const t of TDSPS) await sharedRedis().del(viewKey(f.views.plans(t.duns), 'current'));
      current = make(ttl);
      await measure(server.url, 2, connections); // warm-up: JIT, pool connections
      out[name] = await measure(server.url, duration, connections);
      const m = out[name];
      say(`${name.padEnd(9)} ${String(m.rps).padStart(6)} req/s  p50 ${m.p50} ms  p99 ${m.p99} ms  (${m.requests} requests, ${m.errors} errors; ${connections} connections, ${duration} s)`);
    }
  } finally {
    await stopHttpServer();
    await upstream.close();
    closeSharedRedis();
  }
  say(`plans-api: hot ${out.hot!.rps} req/s p99 ${out.hot!.p99} ms, cold ${out.cold!.rps} req/s p99 ${out.cold!.p99} ms, postgres ${out.postgres!.rps} req/s p99 ${out.postgres!.p99} ms`);
}
