// PostgreSQL from Debian's packages on its own data directory and port. Postgres refuses to run as root, so when
// this runs as root (CI does) the server runs as the unprivileged `postgres` user the package creates.
import { accessSync, chmodSync, constants, existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { STACK_PORTS } from '../../runtime/stack-ports.js';
import { aptInstall, ensureDir, isRoot, readPid, run, stackDir, waitFor } from './proc.js';
import type { Service } from './service.js';

const home = join(stackDir, 'postgres');
const dataDir = join(home, 'data');
const logFile = join(home, 'postgres.log');
const SUPERUSER = 'gridstream';
const DATABASE = 'gridstream';

export const postgresUrl = (db = DATABASE) => `postgres://${SUPERUSER}@127.0.0.1:${STACK_PORTS.postgres}/${db}`;

function binDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'postgres'))).sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : undefined;
}

function ensureBinaries(): string {
  let bin = binDir();
  if (!bin) {
    aptInstall(['postgresql']);
    bin = binDir();
  }
  if (!bin) throw new Error('PostgreSQL binaries not found under /usr/lib/postgresql after installing the postgresql package');
  return bin;
}

/** Runs a Postgres tool as the unprivileged user when we are root. */
function asServerUser(cmd: string, args: string[]): string {
  return isRoot() ? run('runuser', ['-u', 'postgres', '--', cmd, ...args]) : run(cmd, args);
}

/**
 * As root, the data directory must belong to `postgres`, and every folder above it must let that user pass
 * (a CI clone may sit in a 0700 temp folder): grant search (x) only, never read, on the folders that lack it.
 */
function prepareForServerUser(dir: string): void {
  if (!isRoot()) return;
  run('chown', ['-R', 'postgres:postgres', dir]);
  for (let d = dirname(dir); d !== dirname(d); d = dirname(d)) {
    const mode = statSync(d).mode;
    if ((mode & 0o001) === 0) chmodSync(d, mode | 0o001);
  }
}

export async function postgresAnswers(url = postgresUrl()): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function ensureDatabase(): Promise<void> {
  const client = new pg.Client({ connectionString: postgresUrl('postgres') });
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [DATABASE]);
    // Identifiers cannot be parameters; DATABASE is a constant of this module.
    if (!rowCount) await client.query(`create database ${DATABASE}`);
  } finally {
    await client.end();
  }
}

export const postgres: Service = {
  name: 'postgres',
  where: () => postgresUrl(),
  pid: () => readPid(join(dataDir, 'postmaster.pid')),
  answers: () => postgresAnswers(),
  async start() {
    const bin = ensureBinaries();
    ensureDir(home);
    prepareForServerUser(home);
    if (!existsSync(join(dataDir, 'PG_VERSION'))) {
      asServerUser(join(bin, 'initdb'), ['-D', dataDir, '-U', SUPERUSER, '--auth=trust', '--encoding=UTF8', '--locale=C']);
    }
    try {
      accessSync(dataDir, constants.R_OK);
    } catch {
      throw new Error(`${dataDir} is not readable`);
    }
    // TCP on 127.0.0.1 only and no Unix socket, so it never meets the machine's own cluster's socket.
    const options = [
      `-c port=${STACK_PORTS.postgres}`,
      '-c listen_addresses=127.0.0.1',
      "-c unix_socket_directories=''",
      '-c shared_buffers=256MB',
      '-c max_connections=200',
      '-c max_wal_size=4GB',
      '-c checkpoint_timeout=15min',
    ].join(' ');
    // A server that an earlier start left running (its wait ran out on a loaded machine before the database was
    // made) answers on database `postgres`: only the database is missing, and starting it again fails on its lock.
    const running = await postgresAnswers(postgresUrl('postgres')).catch(() => false);
    if (!running) asServerUser(join(bin, 'pg_ctl'), ['start', '-D', dataDir, '-l', logFile, '-w', '-t', '60', '-o', options]);
    await waitFor('postgres', () => postgresAnswers(postgresUrl('postgres')), { timeoutMs: 30_000, logFile });
    await ensureDatabase();
  },
  async stop() {
    const bin = binDir();
    if (!bin || !existsSync(join(dataDir, 'postmaster.pid'))) return;
    asServerUser(join(bin, 'pg_ctl'), ['stop', '-D', dataDir, '-m', 'fast', '-w', '-t', '60']);
  },
};
