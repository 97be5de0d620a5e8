// Postgres restarting under a running stage: an idle pooled connection that dies must not crash the process (pg emits
// 'error' on the pool), and the next query opens a fresh connection.
import { spawn } from 'node:child_process';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../infra/stack/proc.js';
import { config } from '../../runtime/config.js';

const admin = new pg.Client({ connectionString: config().databaseUrl });
beforeAll(() => admin.connect());
afterAll(() => admin.end());

async function until(check: () => boolean, ms: number): Promise<void> {
  for (const t0 = Date.now(); !check() && Date.now() - t0 < ms; ) await new Promise((r) => setTimeout(r, 50));
}

/** A worker script in its own process, its output collected as it comes. */
function startWorker(script: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: repoRoot, env: { ...process.env, LOG_LEVEL: 'warn' }, stdio: ['pipe', 'pipe', 'pipe'] });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d: Buffer) => (out.stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out.stderr += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, out, exited };
}

describe('the runtime pool when Postgres drops its idle connections', () => {
  it('survives pg_terminate_backend of every idle client and answers the next query', async () => {
    const { child, out, exited } = startWorker('test/support/pool-worker.ts');
    await until(() => out.stdout.includes('\n'), 30_000);
    const pids = /^ready ([\d,]+)\n/.exec(out.stdout)![1]!.split(',').map(Number);
    expect(pids.length).toBe(2);

    const killed = await admin.query<{ ok: boolean }>('select pg_terminate_backend(pid) as ok from unnest($1::int[]) as pid', [pids]);
    expect(killed.rows.map((r) => r.ok)).toEqual([true, true]);
    await until(() => (out.stderr.match(/idle Postgres connection lost/g) ?? []).length === 2 || child.exitCode !== null, 5000);
    expect(child.exitCode).toBeNull(); // before the handler existed, the 'error' event killed the process here

    child.stdin.end('go\n');
    expect(await exited).toBe(0);
    expect(out.stdout).toMatch(/\nanswer 42\n/);
    expect((out.stderr.match(/idle Postgres connection lost/g) ?? []).length).toBe(2);
  });

  it('survives the connection of a client held in a transaction being terminated: the held work fails, the process goes on', async () => {
    const { child, out, exited } = startWorker('test/support/txn-worker.ts');
    await until(() => out.stdout.includes('\n'), 30_000);
    const pid = Number(/^ready (\d+)\n/.exec(out.stdout)![1]);
    const killed = await admin.query<{ ok: boolean }>('select pg_terminate_backend($1) as ok', [pid]);
    expect(killed.rows[0]!.ok).toBe(true);
    await until(() => /connection lost while in use/.test(out.stderr) || child.exitCode !== null, 5000);
    expect(child.exitCode).toBeNull(); // before checkout() guarded held clients, the 'error' event killed the process here
    child.stdin.end('go\n');
    expect(await exited).toBe(0);
    expect(out.stdout).toMatch(/\nfailed .+\n/);
    expect(out.stdout).toMatch(/\nanswer 42\n/);
  });
});
