// Process plumbing for the local stack: detached daemons with pid files, commands that must succeed, and polling.
import { spawn, spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { gridstreamHome, repoRoot } from '../../runtime/paths.js';
import { readSetting } from '../../runtime/settings.js';

export { repoRoot };

/** Everything the stack downloads or creates lives here (git-ignored). */
export const stackDir = resolve(readSetting('GRIDSTREAM_STACK_DIR') ?? join(gridstreamHome(), '.stack'));

export function ensureDir(path: string): string {
  mkdirSync(path, { recursive: true });
  return path;
}

export function run(cmd: string, args: string[], opts: SpawnSyncOptions = {}): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...opts });
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) {
    const out = `${String(r.stdout ?? '')}${String(r.stderr ?? '')}`.trim().split('\n').slice(-15).join('\n');
    throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}\n${out}`);
  }
  return String(r.stdout ?? '');
}

export function which(cmd: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** Starts a daemon detached from this process, its output appended to `logFile`; records its pid. */
export function startDaemon(cmd: string, args: string[], o: { cwd?: string; logFile: string; pidFile: string; env?: NodeJS.ProcessEnv }): number {
  ensureDir(dirname(o.logFile));
  const fd = openSync(o.logFile, 'a');
  try {
    const child = spawn(cmd, args, { cwd: o.cwd, detached: true, stdio: ['ignore', fd, fd], env: o.env ?? process.env });
    if (child.pid === undefined) throw new Error(`could not start ${cmd}`);
    child.unref();
    writeFileSync(o.pidFile, String(child.pid));
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

export function readPid(pidFile: string): number | undefined {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').trim().split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

export function alive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Whether live process `pid` runs a command line containing `part` (a pid file can outlive its process, and the pid
 * be reused by another program). */
export function runs(pid: number | undefined, part: string): boolean {
  if (!alive(pid)) return false;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').includes(part);
  } catch {
    return false;
  }
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
export async function stopPid(pid: number | undefined, graceMs = 20_000): Promise<void> {
  if (!alive(pid)) return;
  process.kill(pid!, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (alive(pid) && Date.now() < deadline) await sleep(200);
  if (alive(pid)) {
    process.kill(pid!, 'SIGKILL');
    while (alive(pid)) await sleep(100);
  }
}

export function removeFile(path: string): void {
  rmSync(path, { force: true });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `check` until it returns true or `timeoutMs` passes; `isDead` aborts early when the daemon exited. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  o: { timeoutMs: number; isDead?: () => boolean; logFile?: string },
): Promise<void> {
  const deadline = Date.now() + o.timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    if (o.isDead?.()) throw new Error(`${what} exited during start-up${o.logFile ? `; see ${o.logFile}\n${tail(o.logFile)}` : ''}`);
    await sleep(250);
  }
  throw new Error(`${what} did not answer within ${o.timeoutMs / 1000} s${o.logFile ? `; see ${o.logFile}\n${tail(o.logFile)}` : ''}`);
}

export function tail(file: string, lines = 20): string {
  if (!existsSync(file)) return '';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/** Installs Debian packages when a binary is missing (the machines this runs on allow apt-get as root). */
export function aptInstall(packages: string[]): void {
  if (!isRoot()) throw new Error(`missing ${packages.join(', ')}: install with apt-get (needs root)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update', '-qq'], { env });
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], { env });
}

/** A TCP connect check, for "something already listens here". */
export async function portOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  const net = await import('node:net');
  return new Promise((res) => {
    const s = net.connect({ port, host });
    s.once('connect', () => {
      s.destroy();
      res(true);
    });
    s.once('error', () => res(false));
    s.setTimeout(1000, () => {
      s.destroy();
      res(false);
    });
  });
}
