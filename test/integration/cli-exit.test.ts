// Commands end by themselves: `sink --once` on an AEMO table whose whole views are rebuilt after each commit used to
// leave a Redis connection open (a module-level client nobody closed) and never exit.
import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../infra/stack/proc.js';
import { pipeline } from '../../pipeline.js';
import type { PgSinkComponent } from '../../runtime/components.js';
import { closePool, pool } from '../../runtime/db.js';
import { kafka } from '../../runtime/kafka.js';
import { Serde } from '../../runtime/serde.js';
import { sinksOf } from '../../runtime/stages.js';
import { applyTopics } from '../../runtime/topics-apply.js';
import { catalogue } from '../../schemas/catalogue.js';
import type { CleanRegionPrice } from '../../schemas/aemo/clean.js';

const REGION = `TEST${process.pid}`;
afterAll(async () => {
  await pool().query('delete from aemo_region_price where regionid = $1', [REGION]);
  await closePool();
});

function run(args: string[], boundMs: number): Promise<{ code: number | null; ms: number; stderr: string }> {
  const t0 = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args], { cwd: repoRoot, env: { ...process.env, LOG_LEVEL: 'warn' }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), boundMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, ms: Date.now() - t0, stderr });
    });
  });
}

describe('sink --once on an AEMO table with whole views', () => {
  it('lands the record (rebuilding its whole views after the commit) and exits by itself', async () => {
    const serde = Serde.fromConfig();
    await applyTopics(catalogue(pipeline), serde);
    const sink = sinksOf(pipeline).find((s) => s.name === 'aemo_region_price') as PgSinkComponent<CleanRegionPrice>;
    await serde.register(sink.topic);
    const at = Date.parse('2001-01-01T00:00:00Z');
    const value: CleanRegionPrice = { settlementdate: at, settlementdate_nem: '2001-01-01T10:00:00', regionid: REGION, intervention: 0, rrp: 12.5, eep: null, rop: null, apcflag: null, marketsuspendedflag: null, lastchanged: null };
    const producer = kafka().producer({ idempotent: true });
    await producer.connect();
    await producer.send({ topic: sink.topic.name, messages: [{ key: `${REGION}|2001-01-01T10:00:00|0`, value: serde.encode(sink.topic.name, value) }] });
    await producer.disconnect();

    const r = await run(['sink', '--once', '--only', 'aemo_region_price'], 90_000);
    expect(r.code, r.stderr).toBe(0);
    const rows = await pool().query<{ rrp: number }>('select rrp from aemo_region_price where regionid = $1', [REGION]);
    expect(rows.rows).toEqual([{ rrp: 12.5 }]);
  }, 120_000);
});
