// Configuration: one schema validates every variable and names the first bad one in one line; nothing in
// production reads the environment around it.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../runtime/config.js';
import { repoRoot } from '../../runtime/paths.js';
import { ConfigError, readSettings, SETTINGS } from '../../runtime/settings.js';

const refused = (env: Record<string, string>): string => {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).message;
  }
  throw new Error('accepted');
};

describe('settings', () => {
  it('default to the local stack and the documented values', () => {
    const s = readSettings({});
    expect(s.STACK_KAFKA_PORT).toBe(19092);
    expect(s.LOG_LEVEL).toBe('info');
    expect(s.GRIDSTREAM_SESSION_TIMEOUT_MS).toBe(30_000);
    expect(s.REDIS_MEMORY_BUDGET).toBe(0.8);
    expect(s.GRIDSTREAM_NAMESPACE).toBe('');
    const c = loadConfig({ STACK_POSTGRES_PORT: '25432' });
    expect(c.databaseUrl).toBe('postgres://gridstream@127.0.0.1:25432/gridstream');
    expect(c.external.postgres).toBe(false);
  });

  it('refuse a bad value with one line naming the variable', () => {
    expect(refused({ LOG_LEVEL: 'verbose' })).toMatch(/^LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent/);
    expect(refused({ STACK_KAFKA_PORT: 'abc' })).toMatch(/^STACK_KAFKA_PORT: expected an integer in 1\.\.65535/);
    expect(refused({ GRIDSTREAM_SESSION_TIMEOUT_MS: 'abc' })).toMatch(/^GRIDSTREAM_SESSION_TIMEOUT_MS: /);
    expect(refused({ METRICS_PORT: '99999' })).toMatch(/^METRICS_PORT: /);
    expect(refused({ DATABASE_URL: 'mysql://x' })).toMatch(/^DATABASE_URL: protocol mysql: not supported/);
    expect(refused({ KAFKA_SASL_MECHANISM: 'plain' })).toMatch(/^KAFKA_SASL_USERNAME: required/);
    expect(refused({ GRIDSTREAM_NAMESPACE: 'Bad-Name' })).toMatch(/^GRIDSTREAM_NAMESPACE: not a namespace/);
    for (const m of ['verbose', 'abc']) expect(refused({ LOG_LEVEL: m }).split('\n')).toHaveLength(1);
  });

  it('are the only place production code reads the environment', () => {
    const files = execFileSync('git', ['ls-files', 'runtime', 'producers', 'processors', 'sinks', 'pipeline', 'ops', 'cli', 'infra'], { cwd: repoRoot, encoding: 'utf8' })
      .split('\n')
      .filter((f) => f.endsWith('.ts'));
    // log.ts reads LOG_LEVEL before config() can run (an invalid one falls back, and config() reports it);
    // kafka.ts only sets kafkajs's own switch; terminal.ts and the registry's Java lookup read CI and JAVA_HOME,
    // which are the machine's, not ours.
    const allowed = new Set(['runtime/settings.ts', 'runtime/config.ts', 'runtime/log.ts', 'runtime/kafka.ts', 'runtime/terminal.ts', 'infra/stack/registry.ts']);
    const readers = files.filter((f) => !allowed.has(f) && /process\.env[.[]/.test(readFileSync(join(repoRoot, f), 'utf8')));
    expect(readers).toEqual([]);
  });

  it('let the CLI say a bad variable in one line with exit code 2, and still answer --help', () => {
    const cli = (args: string[], env: Record<string, string>) =>
      spawnSync(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, ...env } });
    const bad = cli(['status'], { STACK_KAFKA_PORT: 'abc' });
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split('\n')).toEqual(['gridstream: invalid configuration: STACK_KAFKA_PORT: expected an integer in 1..65535, got "abc"']);
    // An inspection command with its service down: one line naming the service, its variable and where (no
    // password), exit code 3 — not a client's whole retry schedule.
    const down = cli(['db', 'migrate'], { DATABASE_URL: 'postgres://u:s3cretpw@127.0.0.1:1/x' });
    expect(down.status).toBe(3);
    expect(down.stderr.trim().split('\n')).toEqual(['gridstream: postgres is not reachable at postgres://u:***@127.0.0.1:1/x (DATABASE_URL): ECONNREFUSED; see `gridstream stack status`']);
    const kafkaDown = cli(['status'], { KAFKA_BROKERS: '127.0.0.1:1' });
    expect(kafkaDown.status).toBe(3);
    expect(kafkaDown.stderr).toContain('kafka is not reachable at 127.0.0.1:1 (KAFKA_BROKERS)');
    const help = cli(['--help'], { METRICS_PORT: 'x' });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Usage: gridstream');
    expect(Object.keys(SETTINGS).length).toBeGreaterThan(30);
  }, 60_000);
});
