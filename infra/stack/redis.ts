// Redis from Debian's package on its own port and data folder. A fixed maxmemory with noeviction gives the view
// runner's memory guard a real budget to respect (evicting a view's keys would silently corrupt it).
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { STACK_PORTS } from '../../runtime/stack-ports.js';
import { aptInstall, ensureDir, readPid, removeFile, run, stackDir, stopPid, waitFor, which } from './proc.js';
import type { Service } from './service.js';
import { readSetting } from '../../runtime/settings.js';

const home = join(stackDir, 'redis');
const pidFile = join(home, 'redis.pid');
const logFile = join(home, 'redis.log');

export const redisUrl = () => `redis://127.0.0.1:${STACK_PORTS.redis}`;

export async function redisAnswers(url = redisUrl()): Promise<boolean> {
  const r = new Redis(url, { lazyConnect: true, connectTimeout: 1500, maxRetriesPerRequest: 0, retryStrategy: () => null });
  r.on('error', () => undefined);
  try {
    await r.connect();
    return (await r.ping()) === 'PONG';
  } finally {
    r.disconnect();
  }
}

/** Starts a redis-server daemon on `port` with its files in `dir` (also used by tests that need a tiny maxmemory). */
export function startRedisServer(o: { port: number; dir: string; maxmemory: string }): void {
  let bin = which('redis-server');
  if (!bin) {
    aptInstall(['redis-server']);
    bin = which('redis-server');
  }
  if (!bin) throw new Error('redis-server not found after installing the redis-server package');
  ensureDir(o.dir);
  run(bin, [
    '--port', String(o.port),
    '--bind', '127.0.0.1',
    '--daemonize', 'yes',
    '--dir', o.dir,
    '--pidfile', join(o.dir, 'redis.pid'),
    '--logfile', join(o.dir, 'redis.log'),
    // Views are rebuilt from Kafka and Postgres, so snapshots would only cost I/O.
    '--save', '',
    '--appendonly', 'no',
    '--maxmemory', o.maxmemory,
    '--maxmemory-policy', 'noeviction',
  ]);
}

export const redis: Service = {
  name: 'redis',
  where: () => redisUrl(),
  pid: () => readPid(pidFile),
  answers: () => redisAnswers(),
  async start() {
    startRedisServer({ port: STACK_PORTS.redis, dir: home, maxmemory: readSetting('STACK_REDIS_MAXMEMORY') });
    await waitFor('redis', () => redisAnswers(), { timeoutMs: 15_000, logFile });
  },
  async stop() {
    await stopPid(readPid(pidFile));
    removeFile(pidFile);
  },
};
