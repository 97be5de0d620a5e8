// Postgres restarting under a running stage: an idle pooled connection that dies must not crash the process (pg emits
// 'error' on the pool), and the next query opens a fresh connection.
import { spawn } from 'node:child_process';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../infra/stack/proc.js';
import { config } from '../../runtime/config.js';

const admin = new pg.Client({ connectionString: config().databaseUrl });
afterAll(() => admin.end());

async function until(check: () => boolean, ms: number): Promise<void> {
  for (const t0 = Date.now(); !check() && Date.now() - t0 < ms; ) await new Promise((r) => setTimeout(r, 50));
}

describe('the runtime pool when Postgres drops its idle connections', () => {
  it('survives pg_terminate_backend of every idle client and answers the next query', async () => {
    await admin.connect();
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/pool-worker.ts'], { cwd: repoRoot, env: { ...process.env, LOG_LEVEL: 'warn' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    await until(() => stdout.includes('\n'), 30_000);
    const pids = /^ready ([\d,]+)\n/.exec(stdout)![1]!.split(',').map(Number);
    expect(pids.length).toBe(2);

    const killed = await admin.query<{ ok: boolean }>('select pg_terminate_backend(pid) as ok from unnest($1::int[]) as pid', [pids]);
    expect(killed.rows.map((r) => r.ok)).toEqual([true, true]);
    await until(() => (stderr.match(/idle Postgres connection lost/g) ?? []).length === 2 || child.exitCode !== null, 5000);
    expect(child.exitCode).toBeNull(); // before the handler existed, the 'error' event killed the process here

    child.stdin.end('go\n');
    expect(await exited).toBe(0);
    expect(stdout).toMatch(/\nanswer 42\n/);
    expect((stderr.match(/idle Postgres connection lost/g) ?? []).length).toBe(2);
  });

  it('survives the connection of a client held in a transaction being terminated: the held work fails, the process goes on', async () => {
    if (!(admin as unknown as { _connected?: boolean })._connected) await admin.connect();
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/txn-worker.ts'], { cwd: repoRoot, env: { ...process.env, LOG_LEVEL: 'warn' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    await until(() => stdout.includes('\n'), 30_000);
    const pid = Number(/^ready (\d+)\n/.exec(stdout)![1]);
    const killed = await admin.query<{ ok: boolean }>('select pg_terminate_backend($1) as ok', [pid]);
    expect(killed.rows[0]!.ok).toBe(true);
    await until(() => /connection lost while in use/.test(stderr) || child.exitCode !== null, 5000);
    expect(child.exitCode).toBeNull(); // before checkout() guarded held clients, the 'error' event killed the process here
    child.stdin.end('go\n');
    expect(await exited).toBe(0);
    expect(stdout).toMatch(/\nfailed .+\n/);
    expect(stdout).toMatch(/\nanswer 42\n/);
  });
});
