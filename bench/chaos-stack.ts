// The chaos bench's own stack (a copy of the local stack on ports of its own, in a temp dir), driven the way an
// operator would: `gridstream stack up/down` as child processes, and faults dealt to one service at a time (the
// broker and the registry killed -9, Redis killed -9 and so back empty, Postgres stopped fast or crashed). The
// bench process never reads these endpoints through runtime/config.ts: its own configuration may name another stack.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../runtime/paths.js';
import type { Service as StackService } from '../infra/stack/service.js';

/** Away from the shared stack (19xxx) and the dependency-fault test's (29xxx). */
export const CHAOS_PORTS = {
  STACK_KAFKA_PORT: '39092',
  STACK_KAFKA_CONTROLLER_PORT: '39093',
  STACK_REGISTRY_PORT: '38081',
  STACK_REGISTRY_MANAGEMENT_PORT: '39001',
  STACK_POSTGRES_PORT: '35432',
  STACK_REDIS_PORT: '36379',
} as const;

export type Service = 'kafka' | 'postgres' | 'registry' | 'redis';
export const SERVICES: readonly Service[] = ['kafka', 'postgres', 'registry', 'redis'];

const ENDPOINT_VARS = ['KAFKA_BROKERS', 'SCHEMA_REGISTRY_URL', 'DATABASE_URL', 'REDIS_URL'];

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export class ChaosStack {
  /** The environment of every child: this stack's ports and directory, no endpoint variable naming another one. */
  readonly env: NodeJS.ProcessEnv;
  readonly databaseUrl = `postgres://gridstream@127.0.0.1:${CHAOS_PORTS.STACK_POSTGRES_PORT}/gridstream`;
  readonly redisUrl = `redis://127.0.0.1:${CHAOS_PORTS.STACK_REDIS_PORT}`;

  constructor(readonly dir: string) {
    const env: NodeJS.ProcessEnv = { ...process.env, ...CHAOS_PORTS, GRIDSTREAM_STACK_DIR: dir };
    for (const v of ENDPOINT_VARS) delete env[v];
    delete env.GRIDSTREAM_NAMESPACE;
    this.env = env;
  }

  /** `gridstream <args>` in a child process (namespace and extra variables added), bounded by `timeoutMs`. */
  cli(args: string[], extra: NodeJS.ProcessEnv = {}, timeoutMs = 300_000, signal?: AbortSignal): Promise<CliResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args], { cwd: repoRoot, env: { ...this.env, LOG_LEVEL: 'warn', ...extra }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-20_000)));
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      signal?.addEventListener('abort', () => child.kill('SIGTERM'), { once: true });
      child.on('error', reject);
      child.on('exit', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
    });
  }

  /**
   * `gridstream stack up`: starts every service that does not answer. Up to five tries: on a loaded 2-core machine a
   * service's 2-second probe can miss, and `stack up` then tries to start a server that is running (and fails on its
   * lock or port), or a start outlasts its wait; a later try finds it answering.
   */
  async up(): Promise<string> {
    for (let attempt = 1; ; attempt++) {
      const r = await this.cli(['stack', 'up'], {}, 300_000);
      if (r.code === 0) return r.stdout;
      if (attempt === 5) throw new Error(`stack up exited ${r.code}: ${r.stdout}${r.stderr.slice(-3000)}`);
      await new Promise((res) => setTimeout(res, 3000));
    }
  }

  private services: Record<Service, StackService> | undefined;

  /**
   * Brings one service back in this process, with the stack's own start (a `gridstream stack up` child would spend
   * minutes just starting on a loaded machine). The stack modules read their ports and directory from the
   * environment when loaded, so they are loaded here, once, after this stack's are set.
   */
  async restore(service: Service): Promise<void> {
    if (!this.services) {
      Object.assign(process.env, CHAOS_PORTS, { GRIDSTREAM_STACK_DIR: this.dir });
      for (const v of ENDPOINT_VARS) delete process.env[v];
      const [k, p, r, rd] = await Promise.all([import('../infra/stack/kafka.js'), import('../infra/stack/postgres.js'), import('../infra/stack/registry.js'), import('../infra/stack/redis.js')]);
      this.services = { kafka: k.kafka, postgres: p.postgres, registry: r.registry, redis: rd.redis };
    }
    const s = this.services[service];
    // A 2-second probe can miss a slow but healthy service; asked three times before a second copy is started.
    const answers = async () => {
      for (let i = 0; i < 3; i++) if (await s.answers().catch(() => false)) return true;
      return false;
    };
    for (let attempt = 1; ; attempt++) {
      if (await answers()) return;
      try {
        await s.start();
        return;
      } catch (err) {
        if (attempt === 5) throw new Error(`${service} not back after ${attempt} tries: ${(err as Error).message}`, { cause: err });
        await new Promise((res) => setTimeout(res, 3000));
      }
    }
  }

  /** `stack down`, then SIGKILL for any process of this stack still there (a duplicate the pid files lost). */
  async down(): Promise<void> {
    const r = await this.cli(['stack', 'down'], {}, 180_000);
    const left = this.pids();
    for (const pid of left) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    if (r.code !== 0) throw new Error(`stack down exited ${r.code}: ${r.stderr.slice(-2000)}`);
  }

  /**
   * Processes of this stack (they inherit GRIDSTREAM_STACK_DIR from the `stack up` that started them) whose command
   * line contains `marker`. By process table rather than pid file: a `stack up` whose probe missed a slow service
   * may have started a second one that overwrote the pid file before failing on the port.
   */
  pids(marker?: string): number[] {
    const tag = `GRIDSTREAM_STACK_DIR=${this.dir}\0`;
    // Redis writes its process title over its environment: it is told by its port, which is this stack's alone.
    const redis = `redis-server 127.0.0.1:${CHAOS_PORTS.STACK_REDIS_PORT}`;
    const out: number[] = [];
    for (const entry of readdirSync('/proc')) {
      const pid = Number(entry);
      if (!Number.isInteger(pid) || pid === process.pid) continue;
      try {
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'latin1');
        const ours = cmdline.includes(redis) || `${readFileSync(`/proc/${pid}/environ`, 'latin1')}\0`.includes(tag);
        if (ours && (marker === undefined || cmdline.includes(marker))) out.push(pid);
      } catch {
        // gone meanwhile, or not ours to read
      }
    }
    return out;
  }

  /**
   * Takes one service down the way it fails in life; returns what was done. `hard` picks the harsher of two ways
   * where there are two (Postgres: crash (`-m immediate`, recovery at start) or a fast stop). Undefined when the
   * service was not running (nothing was done).
   */
  fault(service: Service, hard: boolean): string | undefined {
    const kill = (marker: string, what: string): string | undefined => {
      const pids = this.pids(marker);
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      return pids.length ? `${what} killed -9 (pid ${pids.join(', ')})` : undefined;
    };
    switch (service) {
      case 'kafka':
        return kill('kafka.Kafka', 'broker');
      case 'registry':
        return kill('quarkus', 'registry');
      case 'redis':
        return kill('redis-server', 'Redis');
      case 'postgres': {
        const mode = hard ? 'immediate' : 'fast';
        try {
          this.pgCtl(['stop', '-D', join(this.dir, 'postgres', 'data'), '-m', mode, '-w', '-t', '60']);
        } catch {
          return undefined; // not running
        }
        return `Postgres stopped (-m ${mode})`;
      }
    }
  }

  /** Postgres's own pg_ctl (as user postgres when this runs as root, as the stack does). */
  private pgCtl(args: string[]): void {
    const root = '/usr/lib/postgresql';
    const version = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'pg_ctl'))).sort((a, b) => Number(b) - Number(a))[0];
    if (!version) throw new Error('pg_ctl not found under /usr/lib/postgresql');
    const cmd = join(root, version, 'bin', 'pg_ctl');
    const asRoot = process.getuid?.() === 0;
    const r = spawnSync(asRoot ? 'runuser' : cmd, asRoot ? ['-u', 'postgres', '--', cmd, ...args] : args, { encoding: 'utf8', timeout: 90_000 });
    if (r.status !== 0) throw new Error(`pg_ctl ${args[0]}: ${r.stderr || r.stdout}`);
  }
}
