// Removes everything a namespace holds: its topics (dead-letter and cursor topics included), consumer groups,
// schema subjects (soft, then hard delete), Postgres schema and Redis keys. `gridstream namespace drop`, the test
// suite's teardown and the demo's reset all come here. The production namespace is refused.
import { Redis } from 'ioredis';
import { config } from './config.js';
import { pool } from './db.js';
import { kafkaIn } from './kafka.js';
import { namespaceOf, PRODUCTION } from './namespace.js';

export interface Dropped {
  topics: number;
  groups: number;
  /** Groups that still had live members, so the broker kept them. */
  groupsKept: number;
  subjects: number;
  schema: boolean;
  redisKeys: number;
}

export async function dropNamespace(name: string): Promise<Dropped> {
  if (name === PRODUCTION) throw new Error('refusing to drop the production namespace');
  const ns = namespaceOf(name);
  const out: Dropped = { topics: 0, groups: 0, groupsKept: 0, subjects: 0, schema: false, redisKeys: 0 };

  // Through the namespace's own view of the cluster: it lists only the namespace's topics and groups.
  const admin = kafkaIn(ns).admin();
  await admin.connect();
  try {
    const { groups } = await admin.listGroups();
    if (groups.length) {
      // A group with live members cannot be deleted (its process is still running); the rest still go.
      const failed = await admin.deleteGroups(groups.map((g) => g.groupId)).then(
        () => 0,
        (err: { groups?: unknown[] }) => err.groups?.length ?? groups.length,
      );
      out.groups = groups.length - failed;
      out.groupsKept = failed;
    }
    const topics = await admin.listTopics();
    if (topics.length) {
      await admin.deleteTopics({ topics, timeout: 30_000 });
      // Deletion finishes in the background: wait until the names are free, so a reset can create them again at once.
      for (let deadline = Date.now() + 30_000; (await admin.listTopics()).some((t) => topics.includes(t)); ) {
        if (Date.now() > deadline) throw new Error(`topics of namespace ${name} still listed 30 s after deletion`);
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    out.topics = topics.length;
  } finally {
    await admin.disconnect();
  }

  out.subjects = await dropSubjects(config().registryUrl, ns.kafkaPrefix);

  const db = pool();
  const exists = await db.query('select 1 from pg_namespace where nspname = $1', [ns.pgSchema]);
  if (exists.rowCount) {
    await db.query(`drop schema "${ns.pgSchema}" cascade`);
    out.schema = true;
  }

  out.redisKeys = await dropRedisKeys(config().redisUrl, ns.redisPrefix);
  return out;
}

/** Soft-deletes then hard-deletes every subject starting with `prefix` (a hard delete needs the soft one first). */
async function dropSubjects(registryUrl: string, prefix: string): Promise<number> {
  const list = async (deleted: boolean) => {
    const r = await fetch(`${registryUrl}/subjects${deleted ? '?deleted=true' : ''}`);
    if (!r.ok) throw new Error(`registry: GET /subjects: HTTP ${r.status}`);
    return ((await r.json()) as string[]).filter((s) => s.startsWith(prefix));
  };
  const del = async (subject: string, permanent: boolean) => {
    const r = await fetch(`${registryUrl}/subjects/${encodeURIComponent(subject)}${permanent ? '?permanent=true' : ''}`, { method: 'DELETE' });
    // 404: already gone (or, before the hard delete, soft-deleted by an earlier run).
    if (!r.ok && r.status !== 404) throw new Error(`registry: DELETE ${subject}${permanent ? ' (permanent)' : ''}: HTTP ${r.status} ${await r.text()}`);
  };
  const subjects = [...new Set([...(await list(false)), ...(await list(true))])];
  for (const s of subjects) {
    await del(s, false);
    await del(s, true);
  }
  return subjects.length;
}

async function dropRedisKeys(url: string, prefix: string): Promise<number> {
  // No keyPrefix on this client: SCAN returns whole names, and UNLINK must get them as they are.
  const r = new Redis(url, { maxRetriesPerRequest: 5 });
  let n = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) n += await r.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    r.disconnect();
  }
  return n;
}
