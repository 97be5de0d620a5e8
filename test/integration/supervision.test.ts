// A process running two flows, one whose API refuses connections: the other flow's rows keep landing, the failing
// source is shown backing off (HTTP server and `status`), and it recovers when the API answers on that port again.
// Its database goes through a proxy this test can close: /readyz says unready while Postgres is away, ready after.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../infra/stack/proc.js';
import { config } from '../../runtime/config.js';
import { closePool, pool } from '../../runtime/db.js';
import { API_PREFIX, startElexonApiDouble, type ElexonApiDouble } from '../../devkit/elexon/api-double.js';
import { elexonTestFlow, type ElexonTestFlow } from '../support/elexon-api-double.js';
import { testFlow, type TestFlow } from '../support/flow.js';
import { tcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { superviseStages } from '../../runtime/stages.js';
import { workerUrl } from '../support/worker-url.js';

let synth: TestFlow;
let elx: ElexonTestFlow;
let apiPort: number;
let api: ElexonApiDouble | undefined;
let pg: TcpProxy;
let worker: ChildProcess;
let url: string;
let stderr = '';

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 90_000): Promise<T> {
  const t0 = Date.now();
  let last: unknown;
  while (Date.now() - t0 < ms) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}\n${stderr.slice(-3000)}`);
}

type StageJson = { name: string; state: string; failures: number; lastError: string | null; lastSuccess: number | null };
const stages = async () => ((await (await fetch(`${url}/status.json`)).json()) as { stages: StageJson[] }).stages;
const stage = async (name: string) => (await stages()).find((s) => s.name === name);

beforeAll(async () => {
  apiPort = await freePort(); // nothing listens here: the API "refuses connections"
  synth = await testFlow('sup');
  elx = await elexonTestFlow('supx', `http://127.0.0.1:${apiPort}${API_PREFIX}`);
  const db = new URL(config().databaseUrl);
  pg = await tcpProxy({ host: db.hostname, port: Number(db.port || 5432) });
  db.port = String(pg.port);
  worker = spawn(process.execPath, ['--import', 'tsx', 'test/support/run-worker.ts', JSON.stringify({ synthetic: synth.id, syntheticCount: 300, elexon: { id: elx.id, baseUrl: `http://127.0.0.1:${apiPort}${API_PREFIX}` } })], {
    cwd: repoRoot,
    env: { ...process.env, DATABASE_URL: db.toString(), GRIDSTREAM_HTTP_PORT: '0', GRIDSTREAM_BACKOFF_MIN_MS: '200', GRIDSTREAM_BACKOFF_MAX_MS: '2000', GRIDSTREAM_LAG_SAMPLE_MS: '1000', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  worker.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  url = await workerUrl(worker, () => stderr);
}, 180_000);

afterAll(async () => {
  worker?.kill('SIGTERM');
  await new Promise((r) => (worker?.exitCode === null ? worker.once('exit', r) : r(undefined)));
  await api?.close();
  await pg?.close();
  await closePool();
});

describe('a source whose API refuses connections', () => {
  it('backs off while the other flow keeps landing rows', async () => {
    const failing = await until('the Elexon source backing off', async () => {
      const s = await stage(`produce:${elx.source.name}`);
      return s?.state === 'backing-off' && s.failures >= 2 ? s : undefined;
    });
    expect(failing.lastError).toMatch(/ECONNREFUSED|fetch failed|connect|circuit/i);
    const rows = await until('the synthetic rows in Postgres', async () => {
      const r = await pool().query<{ n: number }>(`select count(*)::int as n from ${synth.table.table}`);
      return r.rows[0]!.n === 300 ? r.rows[0]!.n : undefined;
    });
    expect(rows).toBe(300);
    // The process is alive and still serving, its other stages running.
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await stage(`sink:${synth.table.name}`))?.state).toBe('running');
    expect(worker.exitCode).toBeNull();
  });

  it('is shown backing off by `gridstream status --json`, from another process', async () => {
    await until('stage_status rows', async () => {
      const r = await pool().query(`select 1 from stage_status where stage = $1 and state = 'backing-off' and updated_at > now() - interval '30 seconds'`, [`produce:${elx.source.name}`]);
      return r.rowCount ? true : undefined;
    });
    // The test's flows are not in the pipeline map: --all lists every group of the namespace.
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'status', '--json', '--all'], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, LOG_LEVEL: 'warn' }, timeout: 90_000 });
    expect(r.status, r.stderr).toBe(0);
    type Group = { group: string; lag: number; state: string; members: number; partitions: { committed: number; end: number; lag: number }[] };
    const status = JSON.parse(r.stdout) as { stages: { stage: string; state: string; live: boolean }[]; groups: Group[]; sources: { task: string; ageSeconds: number }[] };
    expect(status.stages.find((s) => s.stage === `produce:${elx.source.name}`)).toMatchObject({ state: 'backing-off', live: true });
    expect(status.stages.find((s) => s.stage === `process:${synth.processor.name}`)).toMatchObject({ state: 'running', live: true });
    expect(status.sources.find((s) => s.task === `produce:${synth.source.name}`)?.ageSeconds).toBeLessThan(120);
    // Drained groups show lag 0 although their offsets sit short of the end: what is left there are transaction markers.
    for (const group of [`gridstream.process.${synth.processor.name}`, `gridstream.sink.${synth.table.name}`]) {
      const g = status.groups.find((x) => x.group === group)!;
      expect(g, group).toMatchObject({ lag: 0, state: 'Stable', members: 1 });
      expect(g.partitions.some((p) => p.end > p.committed), `${group}: no marker gap to discount`).toBe(true);
    }
  });

  it('recovers when the API answers on that port again', async () => {
    api = await startElexonApiDouble({ port: apiPort });
    const s = await until('the Elexon source running again', async () => {
      const x = await stage(`produce:${elx.source.name}`);
      return x?.state === 'running' && x.lastSuccess !== null ? x : undefined;
    });
    expect(s.state).toBe('running');
    expect(api.requests.some((r) => r.path === '/reference/bmunits/all' && r.status === 200)).toBe(true);
  });
});

describe('/readyz', () => {
  it('is ready with every service up, unready with the reason while Postgres is away, ready again after', async () => {
    const ready = async () => {
      const res = await fetch(`${url}/readyz`);
      return { status: res.status, body: (await res.json()) as { checks: { name: string; ok: boolean; error?: string }[] } };
    };
    const up = await until('ready', async () => ((await ready()).status === 200 ? ready() : undefined));
    expect(up.body.checks.map((c) => c.name).sort()).toEqual(['kafka', 'postgres', 'redis', 'registry']);
    await pg.close();
    const down = await until('unready', async () => {
      const r = await ready();
      return r.status === 503 ? r : undefined;
    });
    expect(down.body.checks.find((c) => c.name === 'postgres')).toMatchObject({ ok: false });
    expect(down.body.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(['postgres']);
    expect((await fetch(`${url}/healthz`)).status).toBe(200); // alive all the same
    await pg.open();
    const back = await until('ready again', async () => {
      const r = await ready();
      return r.status === 200 ? r : undefined;
    });
    expect(back.body.checks.every((c) => c.ok)).toBe(true);
  });
});

describe('/metrics', () => {
  it('uses conventional names, stock Node metrics and reports build info and stage states', async () => {
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(text).toMatch(/^process_cpu_seconds_total /m);
    expect(text).toMatch(/^nodejs_heap_size_used_bytes /m);
    expect(text).not.toMatch(/^gridstream_process_cpu/m);
    expect(text).toMatch(/^gridstream_build_info\{version="[^"]+",node="[^"]+"\} 1$/m);
    expect(text).toMatch(new RegExp(`^gridstream_batch_duration_seconds_count\\{stage="sink:${synth.table.name}"\\} [1-9]`, 'm'));
    expect(text).toMatch(new RegExp(`^gridstream_stage_state\\{stage="process:${synth.processor.name}",state="running"\\} 1$`, 'm'));
    expect(text).toMatch(new RegExp(`^gridstream_stage_last_success_timestamp_seconds\\{stage="sink:${synth.table.name}"\\} \\d+`, 'm'));
    expect(text).toMatch(new RegExp(`^gridstream_stage_failures_total\\{stage="produce:${elx.source.name}"\\} [1-9]`, 'm'));
    // The lag gauge is sampled on a timer: drained, it reads 0 (transaction markers are not lag).
    expect(text).toMatch(new RegExp(`^gridstream_consumer_lag_records\\{stage="process:${synth.processor.name}",topic="[^"]+",partition="0"\\} 0$`, 'm'));
  });
});

describe('--once with a source that cannot be reached', () => {
  it('runs every other stage, and reports the failed ones with their errors', async () => {
    const port = await freePort();
    const down = await elexonTestFlow('oncex', `http://127.0.0.1:${port}${API_PREFIX}`);
    const ok = await testFlow('once');
    const outcomes = await superviseStages([ok.flow, down.flow], ok.serde, { kinds: ['produce', 'process', 'sink'], once: true, sourceOptions: { [ok.source.name]: { count: 50 } } });
    const of = (name: string) => outcomes.find((o) => o.name === name);
    expect(of(`produce:${down.source.name}`)).toMatchObject({ state: 'failed' });
    expect(of(`produce:${down.source.name}`)!.error).toMatch(/ECONNREFUSED|fetch failed|circuit/i);
    for (const name of [`produce:${ok.source.name}`, `process:${ok.processor.name}`, `sink:${ok.table.name}`, `view:${ok.view.name}`]) expect(of(name), name).toMatchObject({ state: 'done' });
    const r = await pool().query<{ n: number }>(`select count(*)::int as n from ${ok.table.table}`);
    expect(r.rows[0]!.n).toBe(50);
  }, 240_000);
});
