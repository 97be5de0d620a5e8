// The installable package: `npm pack` builds dist/ (prepack), the tarball installs into an empty folder without
// devDependencies, and the installed `gridstream` runs: --version, --help, and the stack commands against the
// running stack, keeping its own files in GRIDSTREAM_HOME rather than inside node_modules.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../runtime/paths.js';

const work = mkdtempSync(join(tmpdir(), 'gridstream-pack-'));
const install = join(work, 'install');
const home = join(work, 'home');
let bin: string;

function run(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 300_000 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  const packed = run('npm', ['pack', '--pack-destination', work, '--silent'], repoRoot);
  expect(packed.status, packed.stderr).toBe(0);
  const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
  expect(tarball).toBeDefined();
  const installed = run('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', '--prefix', install, join(work, tarball!)], work);
  expect(installed.status, installed.stderr).toBe(0);
  bin = join(install, 'node_modules', '.bin', 'gridstream');
}, 600_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the packed tarball, installed without devDependencies', () => {
  it('holds the compiled CLI, the schemas and the migrations, and no TypeScript sources or tests', () => {
    const pkg = join(install, 'node_modules', 'gridstream');
    expect(existsSync(join(pkg, 'dist', 'cli', 'main.js'))).toBe(true);
    expect(existsSync(join(pkg, 'schemas', 'aemo', 'raw.aemo.unit_scada.avsc'))).toBe(true);
    expect(readdirSync(join(pkg, 'infra', 'migrations')).some((f) => f.endsWith('.sql'))).toBe(true);
    expect(existsSync(join(pkg, 'cli', 'main.ts'))).toBe(false);
    expect(existsSync(join(pkg, 'dist', 'test'))).toBe(false);
    expect(existsSync(join(install, 'node_modules', 'tsx'))).toBe(false);
  });

  it('answers --version and --help', () => {
    const version = run(bin, ['--version'], work, { GRIDSTREAM_HOME: home });
    expect(version.status).toBe(0);
    expect(version.stdout.trim()).toBe((JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version);
    const help = run(bin, ['--help'], work, { GRIDSTREAM_HOME: home });
    expect(help.status).toBe(0);
    for (const cmd of ['stack', 'produce', 'process', 'sink', 'run', 'status', 'replay', 'demo']) expect(help.stdout).toContain(cmd);
  });

  it('brings the stack up (reusing the running services) and reports it, with its files in GRIDSTREAM_HOME', () => {
    const up = run(bin, ['stack', 'up'], work, { GRIDSTREAM_HOME: home });
    expect(up.status, up.stderr).toBe(0);
    const status = run(bin, ['stack', 'status', '--json'], work, { GRIDSTREAM_HOME: home });
    expect(status.status, status.stderr).toBe(0);
    const services = JSON.parse(status.stdout) as Record<string, { up: boolean }>;
    expect(Object.keys(services).sort()).toEqual(['kafka', 'postgres', 'redis', 'registry']);
    expect(Object.values(services).every((s) => s.up)).toBe(true);
    expect(existsSync(join(install, 'node_modules', 'gridstream', '.stack'))).toBe(false);
  });

  it('runs the demo end to end from the compiled package, in namespace demo, and exits by itself', () => {
    const demo = run(bin, ['demo'], work, { GRIDSTREAM_HOME: home, GRIDSTREAM_NAMESPACE: '' });
    expect(demo.status, demo.stderr.slice(-2000)).toBe(0);
    expect(demo.stdout).toMatch(/aemo_unit_scada\s+\d+ rows/);
    expect(demo.stdout).toContain('result: OK');
  }, 300_000);
});
