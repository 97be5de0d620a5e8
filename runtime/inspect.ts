// Read-only views of a running pipeline: consumer lag per group, last producer runs, dead-letter counts and
// contents, and redriving dead letters back to the topic they came from.
import type { Message } from 'kafkajs';
import type { Flow } from './components.js';
import { pool } from './db.js';
import { headerText } from './dlq.js';
import { kafka } from './kafka.js';
import { processorGroup } from './processor-runner.js';
import { sinkGroup } from './pg-sink-runner.js';
import { viewGroup } from './redis-views.js';
import { processorsOf, sinksOf } from './stages.js';

export interface GroupLag {
  group: string;
  topic: string;
  lag: number;
  partitions: { partition: number; committed: number; end: number; lag: number }[];
}

export async function topicEnds(topics: string[]): Promise<Map<string, { partition: number; low: number; high: number }[]>> {
  const admin = kafka().admin();
  await admin.connect();
  try {
    const out = new Map<string, { partition: number; low: number; high: number }[]>();
    for (const t of topics) out.set(t, (await admin.fetchTopicOffsets(t)).map((o) => ({ partition: o.partition, low: Number(o.low), high: Number(o.high) })));
    return out;
  } finally {
    await admin.disconnect();
  }
}

/** Groups that come and go with one-off jobs of the pipeline rather than with a stage of the map. */
const JOB_GROUPS = ['gridstream.replay.', 'gridstream.export.'];

/**
 * The pipeline's own consumer groups: those the map's processors, sinks and views consume in, and replay and
 * export groups. Anything else in the namespace (an ad hoc reader, another tool) is not the pipeline's to report.
 */
export function pipelineGroups(flows: Flow[]): (group: string) => boolean {
  // Stateful processors use the same `gridstream.process.<name>` group as stateless ones.
  const stages = new Set([...processorsOf(flows).map((p) => processorGroup(p.name)), ...sinksOf(flows).map((s) => (s.kind === 'pg-sink' ? sinkGroup(s.name) : viewGroup(s.name)))]);
  return (group) => stages.has(group) || JOB_GROUPS.some((p) => group.startsWith(p));
}

/**
 * Lag of the consumer groups `keep` accepts among those of the process's namespace (Kafka-committed offsets;
 * Postgres sinks keep theirs in sink_offsets too).
 */
export async function groupLags(keep: (group: string) => boolean = () => true): Promise<GroupLag[]> {
  const admin = kafka().admin();
  await admin.connect();
  try {
    const { groups } = await admin.listGroups();
    const out: GroupLag[] = [];
    for (const g of groups.filter((g) => keep(g.groupId) && !g.groupId.includes('cursor-reader'))) {
      for (const t of await admin.fetchOffsets({ groupId: g.groupId })) {
        const ends = await admin.fetchTopicOffsets(t.topic);
        const partitions = t.partitions.map((p) => {
          const end = Number(ends.find((e) => e.partition === p.partition)?.high ?? 0);
          const committed = Number(p.offset) < 0 ? 0 : Number(p.offset);
          return { partition: p.partition, committed, end, lag: Math.max(0, end - committed) };
        });
        out.push({ group: g.groupId, topic: t.topic, lag: partitions.reduce((n, p) => n + p.lag, 0), partitions });
      }
    }
    return out;
  } finally {
    await admin.disconnect();
  }
}

export async function dlqCounts(): Promise<{ topic: string; count: number }[]> {
  const admin = kafka().admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith('dlq.')).sort();
    const out = [];
    for (const t of topics) {
      const offs = await admin.fetchTopicOffsets(t);
      // Dead-letter topics are written transactionally too; the count includes a commit marker per transaction,
      // so count messages by reading when exactness matters (dlq show).
      out.push({ topic: t, count: offs.reduce((n, o) => n + Number(o.high) - Number(o.low), 0) });
    }
    return out;
  } finally {
    await admin.disconnect();
  }
}

export interface StoredMessage {
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
  timestamp: number;
}

/** Reads a whole topic once (read_committed) with a throwaway group; used for dead letters and tests. */
export async function readTopic(topic: string, o: { limit?: number; idleMs?: number } = {}): Promise<StoredMessage[]> {
  const ends = (await topicEnds([topic])).get(topic) ?? [];
  if (ends.every((e) => e.high === e.low)) return [];
  const groupId = `gridstream.reader.${process.pid}.${Date.now()}.${Math.random().toString(36).slice(2, 6)}`;
  const consumer = kafka().consumer({ groupId, readUncommitted: false, maxWaitTimeInMs: 100 });
  const out: StoredMessage[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    let last = Date.now();
    const done = new Set<number>();
    const timer = setInterval(() => {
      if (Date.now() - last > (o.idleMs ?? 3000) || done.size === ends.length || (o.limit !== undefined && out.length >= o.limit)) {
        clearInterval(timer);
        resolve();
      }
    }, 100);
    consumer
      .run({
        eachBatch: async ({ batch }) => {
          last = Date.now();
          for (const m of batch.messages) {
            out.push({ partition: batch.partition, offset: m.offset, key: m.key?.toString('utf8') ?? null, value: m.value, headers: headerText(m.headers), timestamp: Number(m.timestamp) });
          }
          // The last data offset of a transactional topic is followed by a marker: end - 2 means "read it all".
          const end = ends.find((e) => e.partition === batch.partition)!.high;
          if (Number(batch.lastOffset()) >= end - 2) done.add(batch.partition);
        },
      })
      .catch(reject);
    for (const e of ends) if (e.high === e.low) done.add(e.partition);
  });
  await consumer.disconnect();
  const admin = kafka().admin();
  await admin.connect();
  await admin.deleteGroups([groupId]).catch(() => undefined);
  await admin.disconnect();
  return o.limit === undefined ? out : out.slice(0, o.limit);
}

/** Sends dead letters that came from a topic (processor rejections carry their raw bytes) back to it. */
export async function redrive(dlqTopic: string): Promise<{ sent: number; skipped: number }> {
  const messages = await readTopic(dlqTopic);
  const bySource = new Map<string, Message[]>();
  let skipped = 0;
  for (const m of messages) {
    const source = m.headers['source-topic'];
    // Whole files a source could not read are not records of the raw topic: fix and re-fetch those instead.
    if (!source || m.headers['source-offset'] === undefined || !m.value) {
      skipped++;
      continue;
    }
    const list = bySource.get(source) ?? [];
    list.push({ key: m.key, value: m.value, timestamp: String(m.timestamp), headers: { ...m.headers, redriven: 'true' } });
    bySource.set(source, list);
  }
  const producer = kafka().producer({ idempotent: true });
  await producer.connect();
  let sent = 0;
  try {
    for (const [topic, list] of bySource) {
      await producer.send({ topic, messages: list });
      sent += list.length;
    }
  } finally {
    await producer.disconnect();
  }
  return { sent, skipped };
}

export async function lastRuns(limit = 10): Promise<{ task: string; started_at: Date; completed_at: Date | null; status: string; records_out: number; records_rejected: number; notes: string | null }[]> {
  const r = await pool().query(
    'select task, started_at, completed_at, status, records_out, records_rejected, notes from etl_run_log order by started_at desc limit $1',
    [limit],
  );
  return r.rows;
}
