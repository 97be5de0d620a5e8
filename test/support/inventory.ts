// What the whole stack holds, below any namespace: every topic, consumer group, schema subject, Postgres schema
// (with its tables' row counts) and Redis key, by their real names. Namespace tests compare two of these.
import { Kafka, logLevel } from 'kafkajs';
import { Redis } from 'ioredis';
import pg from 'pg';
import { config } from '../../runtime/config.js';

export interface Inventory {
  topics: string[];
  groups: string[];
  subjects: string[];
  /** `schema.table` -> rows. */
  tables: Record<string, number>;
  redisKeys: string[];
}

export async function inventory(): Promise<Inventory> {
  const c = config();
  // A client of its own, outside runtime/kafka.ts: that one only sees the process's namespace.
  const admin = new Kafka({ clientId: 'gridstream-inventory', brokers: c.kafka.brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  let topics: string[];
  let groups: string[];
  try {
    topics = (await admin.listTopics()).filter((t) => !t.startsWith('__')).sort();
    groups = (await admin.listGroups()).groups.map((g) => g.groupId).sort();
  } finally {
    await admin.disconnect();
  }
  const subjects = ((await (await fetch(`${c.registryUrl}/subjects`)).json()) as string[]).sort();

  const db = new pg.Client({ connectionString: c.databaseUrl });
  await db.connect();
  const tables: Record<string, number> = {};
  try {
    const list = await db.query<{ s: string; t: string }>(`select table_schema as s, table_name as t from information_schema.tables where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema') and table_schema not like 'pg_temp%' order by 1, 2`);
    for (const { s, t } of list.rows) tables[`${s}.${t}`] = Number((await db.query<{ n: string }>(`select count(*) as n from "${s}"."${t}"`)).rows[0]!.n);
  } finally {
    await db.end();
  }

  const r = new Redis(c.redisUrl, { maxRetriesPerRequest: 3 });
  const redisKeys: string[] = [];
  try {
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'COUNT', 1000);
      cursor = next;
      redisKeys.push(...keys);
    } while (cursor !== '0');
  } finally {
    r.disconnect();
  }
  return { topics, groups, subjects, tables, redisKeys: redisKeys.sort() };
}

/** What `after` holds that `before` did not (tables: those whose row count changed, too). */
export function added(before: Inventory, after: Inventory): Inventory {
  const fresh = (a: string[], b: string[]) => b.filter((x) => !a.includes(x));
  return {
    topics: fresh(before.topics, after.topics),
    groups: fresh(before.groups, after.groups),
    subjects: fresh(before.subjects, after.subjects),
    tables: Object.fromEntries(Object.entries(after.tables).filter(([t, n]) => before.tables[t] !== n)),
    redisKeys: fresh(before.redisKeys, after.redisKeys),
  };
}
