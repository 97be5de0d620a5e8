// Postgres pool and versioned migrations (infra/migrations/NNN_name.sql, applied in order, each in its own
// transaction, under an advisory lock so two instances starting together cannot both apply one).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { repoRoot } from './paths.js';
import { config } from './config.js';
import { log } from './log.js';
import { metrics } from './metrics.js';
import { namespace } from './namespace.js';

// int8 (bigint) columns come back as strings by default; offsets and counts fit in a double here.
pg.types.setTypeParser(20, (v) => Number(v));

let shared: pg.Pool | undefined;

export function pool(): pg.Pool {
  if (!shared) {
    // In a namespace every connection resolves unqualified names in the namespace's schema alone (no public after
    // it: a table missing there must fail, not fall through to the production table of the same name).
    const schema = namespace().pgSchema;
    shared = new pg.Pool({ connectionString: config().databaseUrl, max: 10, ...(schema ? { options: `-c search_path=${schema}` } : {}) });
    // An idle client whose connection dies (Postgres restarted, a backend terminated) is emitted here; with no
    // listener the 'error' event would crash the process. The pool has already dropped that client, so the next
    // query simply opens a new connection; a query in flight fails on its own and its batch is retried.
    shared.on('error', (err) => {
      metrics.dependencyErrors.inc({ dependency: 'postgres' });
      log.warn({ err: err.message, code: (err as { code?: string }).code }, 'idle Postgres connection lost; the next query reconnects');
    });
  }
  return shared;
}

export async function closePool(): Promise<void> {
  await shared?.end();
  shared = undefined;
}

export const migrationsDir = join(repoRoot, 'infra', 'migrations');

export async function migrate(db: pg.Pool = pool()): Promise<string[]> {
  const files = readdirSync(migrationsDir).filter((f) => /^\d+_.+\.sql$/.test(f)).sort();
  const { client, done } = await checkout(db);
  const applied: string[] = [];
  try {
    await client.query('select pg_advisory_lock(hashtext($1))', ['gridstream.migrate']);
    // A namespace's schema is made here; its name was validated as a plain identifier, and is quoted all the same.
    const schema = namespace().pgSchema;
    if (schema) await client.query(`create schema if not exists "${schema}"`);
    await client.query('create table if not exists schema_migrations (version text primary key, applied_at timestamptz not null default now())');
    const done = new Set((await client.query<{ version: string }>('select version from schema_migrations')).rows.map((r) => r.version));
    for (const f of files) {
      if (done.has(f)) continue;
      await client.query('begin');
      try {
        await client.query(readFileSync(join(migrationsDir, f), 'utf8'));
        await client.query('insert into schema_migrations (version) values ($1)', [f]);
        await client.query('commit');
      } catch (err) {
        await client.query('rollback');
        throw new Error(`migration ${f} failed: ${(err as Error).message}`, { cause: err });
      }
      applied.push(f);
      log.info({ migration: f }, 'migration applied');
    }
  } finally {
    await client.query('select pg_advisory_unlock(hashtext($1))', ['gridstream.migrate']).catch(() => undefined);
    done();
  }
  return applied;
}

/**
 * A client checked out of the pool, guarded. pg-pool listens for a connection's 'error' only while a client idles in
 * the pool: a connection lost while a caller holds the client (between two queries of a transaction, when Postgres
 * restarts) was an uncaught 'error' event that ended the process (the chaos bench saw a sink die so). Here it is
 * logged and counted, the client's next query fails (the caller's retry takes over), and `done` discards the client.
 */
export async function checkout(db: pg.Pool = pool()): Promise<{ client: pg.PoolClient; done: () => void }> {
  const client = await db.connect();
  let lost: Error | undefined;
  const onError = (err: Error) => {
    if (!lost) {
      metrics.dependencyErrors.inc({ dependency: 'postgres' });
      log.warn({ err: err.message, code: (err as { code?: string }).code }, 'Postgres connection lost while in use; the work on it is retried');
    }
    lost = err;
  };
  client.on('error', onError);
  return {
    client,
    done: () => {
      client.off('error', onError);
      client.release(lost);
    },
  };
}

/** Runs `body` in one transaction on a pooled client: commit when it returns, roll back when it throws. */
export async function withTransaction<T>(body: (client: pg.PoolClient) => Promise<T>, db: pg.Pool = pool()): Promise<T> {
  const { client, done } = await checkout(db);
  try {
    await client.query('begin');
    const result = await body(client);
    await client.query('commit');
    return result;
  } catch (err) {
    await client.query('rollback').catch(() => undefined);
    throw err;
  } finally {
    done();
  }
}
