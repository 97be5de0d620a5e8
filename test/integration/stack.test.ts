// `stack up` is idempotent: run twice, it reuses what answers and leaves exactly one process per service.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { STACK_PORTS } from '../../runtime/stack-ports.js';
import { repoRoot } from '../../runtime/paths.js';

/** The pids listening on a TCP port of 127.0.0.1 (from `ss`, so it does not matter which checkout started them). */
function listeners(port: number): number[] {
  const out = spawnSync('ss', ['-Hltnp', `sport = :${port}`], { encoding: 'utf8' }).stdout;
  return [...new Set([...out.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1])))];
}

function stackProcesses() {
  return {
    kafka: listeners(STACK_PORTS.kafka).length,
    registry: listeners(STACK_PORTS.registry).length,
    postgres: listeners(STACK_PORTS.postgres).length,
    redis: listeners(STACK_PORTS.redis).length,
  };
}

const cli = (...args: string[]) => spawnSync('npx', ['--no-install', 'tsx', 'cli/main.ts', ...args], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, KAFKA_BROKERS: '', SCHEMA_REGISTRY_URL: '', DATABASE_URL: '', REDIS_URL: '' } });

describe.skipIf(['KAFKA_BROKERS', 'SCHEMA_REGISTRY_URL', 'DATABASE_URL', 'REDIS_URL'].some((v) => process.env[v]))('local stack', () => {
  it('stack up twice leaves one of each service running, and status --json shows all four up', () => {
    for (let i = 0; i < 2; i++) {
      const r = cli('stack', 'up');
      expect(r.status, r.stderr).toBe(0);
    }
    expect(cli('stack', 'up').stdout).toMatch(/kafka\s+reused/);
    expect(stackProcesses()).toEqual({ kafka: 1, registry: 1, postgres: 1, redis: 1 });
    const status = cli('stack', 'status', '--json');
    expect(status.status).toBe(0);
    const s = JSON.parse(status.stdout) as Record<string, { up: boolean }>;
    expect(Object.fromEntries(Object.entries(s).map(([k, v]) => [k, v.up]))).toEqual({ kafka: true, registry: true, postgres: true, redis: true });
  });

  it('refuses invalid configuration with one line naming the variable', () => {
    const r = spawnSync('npx', ['--no-install', 'tsx', 'cli/main.ts', 'stack', 'status'], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, KAFKA_BROKERS: 'not a broker' } });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n').filter((l) => !l.startsWith('npm warn'))).toEqual(['gridstream: invalid configuration: KAFKA_BROKERS: "not a broker" is not host:port']);
  });
});
