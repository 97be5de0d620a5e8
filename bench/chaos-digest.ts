// What a namespace holds, for comparing a chaos run with its clean reference: every data table of the namespace's
// Postgres schema (rows keyed by the table's primary key, without the columns Postgres fills with now(): ingest
// timestamps differ from run to run) and every Redis key under the namespace's prefix (hash fields one by one).
// Read with clients of its own on explicit URLs: the bench's configuration may name another stack.
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';

/** Bookkeeping, not data: offsets, run logs, stage reports, applied migrations. */
const BOOKKEEPING = new Set(['sink_offsets', 'etl_run_log', 'stage_status', 'schema_migrations']);

/** Entries by key (primary key as JSON, or `key` / `key#field` in Redis) to their canonical text; a list per key, so duplicates show. */
export type Entries = Map<string, string[]>;

export interface Snapshot {
  tables: Map<string, Entries>;
  redis: Map<string, Entries>;
}

const quote = (id: string) => `"${id.replaceAll('"', '""')}"`;

async function tableEntries(db: pg.Client, schema: string, table: string): Promise<Entries> {
  const cols = await db.query<{ column_name: string; ingest: boolean }>(
    `select column_name, coalesce(column_default like 'now()%' or column_default like 'CURRENT_TIMESTAMP%', false) as ingest
       from information_schema.columns where table_schema = $1 and table_name = $2 order by ordinal_position`,
    [schema, table],
  );
  const pk = await db.query<{ attname: string }>(
    `select a.attname from pg_index i join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
      where i.indrelid = $1::regclass and i.indisprimary order by array_position(i.indkey, a.attnum)`,
    [`${quote(schema)}.${quote(table)}`],
  );
  const kept = cols.rows.filter((c) => !c.ingest).map((c) => c.column_name);
  const keyCols = pk.rows.length ? pk.rows.map((r) => r.attname) : kept;
  const r = await db.query<{ k: string; v: string }>(
    `select jsonb_build_array(${keyCols.map((c) => `t.${quote(c)}`).join(', ')})::text as k,
            jsonb_build_object(${kept.map((c) => `'${c.replaceAll("'", "''")}', t.${quote(c)}`).join(', ')})::text as v
       from ${quote(schema)}.${quote(table)} t`,
  );
  const out: Entries = new Map();
  for (const row of r.rows) {
    const list = out.get(row.k);
    if (list) list.push(row.v);
    else out.set(row.k, [row.v]);
  }
  return out;
}

async function redisEntries(redis: Redis, prefix: string): Promise<Map<string, Entries>> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  const views = new Map<string, Entries>();
  const add = (key: string, entry: string, value: string) => {
    // Grouped by the key's name without digits-only parts, so a report names a view, not each of its keys.
    const group = key.slice(prefix.length).split(':').filter((p) => !/^\d+$/.test(p)).slice(0, 3).join(':');
    if (!views.has(group)) views.set(group, new Map());
    const e = views.get(group)!;
    const list = e.get(entry);
    if (list) list.push(value);
    else e.set(entry, [value]);
  };
  for (const full of keys.sort()) {
    const key = full.slice(prefix.length);
    // A view's bookkeeping (consumed offsets, per-key version stamps) is no content; a whole view is written to a
    // new `:v:<time>-<random>` key and published by pointing `:current` at it, so its content is compared under
    // `:current`, and versions nothing points at (old ones not yet collected) are left out.
    if (/:_offsets$|:_version$|:v:[^:]+$/.test(key)) continue;
    if (key.endsWith(':current')) {
      const target = (await redis.get(full)) ?? '';
      add(full, key, target ? ((await redis.get(`${prefix}${target}`)) ?? '(missing)') : '');
      continue;
    }
    const type = await redis.type(full);
    if (type === 'hash') for (const [f, v] of Object.entries(await redis.hgetall(full))) add(full, `${key}#${f}`, v);
    else if (type === 'string') add(full, key, (await redis.get(full)) ?? '');
    else if (type === 'zset') add(full, key, JSON.stringify(await redis.call('zrange', full, '0', '-1', 'WITHSCORES')));
    else if (type === 'list') add(full, key, JSON.stringify(await redis.lrange(full, 0, -1)));
    else if (type === 'set') add(full, key, JSON.stringify((await redis.smembers(full)).sort()));
    else if (type !== 'none') add(full, key, `(${type})`);
  }
  return views;
}

/** Every data table of schema `namespace` and every Redis key under `namespace:`. */
export async function snapshot(databaseUrl: string, redisUrl: string, namespace: string): Promise<Snapshot> {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
  try {
    const t = await db.query<{ table_name: string }>(`select table_name from information_schema.tables where table_schema = $1 and table_type = 'BASE TABLE' order by 1`, [namespace]);
    const tables = new Map<string, Entries>();
    for (const { table_name } of t.rows) if (!BOOKKEEPING.has(table_name)) tables.set(table_name, await tableEntries(db, namespace, table_name));
    await redis.connect();
    return { tables, redis: await redisEntries(redis, `${namespace}:`) };
  } finally {
    await db.end().catch(() => undefined);
    redis.disconnect();
  }
}

/** An ordered content hash: the entries sorted by key, each with its values. */
export function digest(e: Entries): string {
  const h = createHash('sha256');
  for (const k of [...e.keys()].sort()) h.update(`${k}\t${e.get(k)!.join('\t')}\n`);
  return h.digest('hex').slice(0, 16);
}

export const size = (e: Entries): number => [...e.values()].reduce((n, l) => n + l.length, 0);

export interface Difference {
  name: string;
  reference: number;
  chaos: number;
  /** Entries of the reference missing from the chaos run. */
  lost: number;
  /** Extra entries: a key held more than once, or a key the reference does not have. */
  doubled: number;
  /** Present on both sides with other values. */
  wrong: number;
  same: boolean;
  /** A few keys of each kind, for the report. */
  examples: string[];
}

export function compare(name: string, ref: Entries = new Map(), got: Entries = new Map()): Difference {
  const d: Difference = { name, reference: size(ref), chaos: size(got), lost: 0, doubled: 0, wrong: 0, same: digest(ref) === digest(got), examples: [] };
  const note = (s: string) => d.examples.length < 3 && d.examples.push(s);
  for (const [k, values] of ref) {
    const mine = got.get(k);
    if (!mine) {
      d.lost += values.length;
      note(`lost ${k}`);
      continue;
    }
    if (mine.length > values.length) {
      d.doubled += mine.length - values.length;
      note(`${mine.length}x ${k}`);
    }
    if (mine[0] !== values[0]) {
      d.wrong += 1;
      note(`wrong ${k}: ${values[0]?.slice(0, 200)} != ${mine[0]?.slice(0, 200)}`);
    }
  }
  for (const [k, values] of got) {
    if (ref.has(k)) continue;
    d.doubled += values.length;
    note(`extra ${k}`);
  }
  return d;
}

/** Every table and Redis view of either side, compared. */
export function compareSnapshots(ref: Snapshot, got: Snapshot): { tables: Difference[]; redis: Difference[] } {
  const names = (a: Map<string, Entries>, b: Map<string, Entries>) => [...new Set([...a.keys(), ...b.keys()])].sort();
  return {
    tables: names(ref.tables, got.tables).map((t) => compare(t, ref.tables.get(t), got.tables.get(t))),
    redis: names(ref.redis, got.redis).map((v) => compare(`redis ${v}`, ref.redis.get(v), got.redis.get(v))),
  };
}
