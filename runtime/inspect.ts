// Read-only views of a running pipeline: consumer lag per group, last producer runs, dead-letter counts and
// contents, and redriving dead letters back to the topic they came from.
import type { Message } from 'kafkajs';
import { pool } from './db.js';
import { headerText } from './dlq.js';
import { kafka } from './kafka.js';
import type { Flow } from './components.js';
import { processorGroup } from './processor-runner.js';
import { sinkGroup } from './pg-sink-runner.js';
import { viewGroup } from './redis-views.js';
import { processorsOf, sinksOf } from './stages.js';

export interface PartitionLag {
  partition: number;
  /** Where the group stands: its committed offset, or for a Postgres sink its position in sink_offsets (the truth). */
  committed: number;
  end: number;
  /** Committed records between the two: transaction markers and aborted records are not lag. */
  lag: number;
  /** True when the gap was too long to read and `lag` is the offset difference (an upper bound). */
  approximate: boolean;
}

export interface GroupLag {
  group: string;
  topic: string;
  lag: number;
  /** Consumer group state (Stable, Empty, PreparingRebalance, …) and its members now. */
  state: string;
  members: number;
  partitions: PartitionLag[];
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

export interface OffsetRange {
  topic: string;
  partition: number;
  from: number;
  to: number;
}

/** Longest gap read to count its records; a longer one is reported as its offset difference, marked approximate. */
export const COUNT_CAP = 10_000;
const rangeKey = (topic: string, partition: number) => `${topic}:${partition}`;

/**
 * How many committed records each offset range holds, read with read_committed. Offsets alone cannot tell: every
 * transaction ends with a marker that takes an offset but is no record, so a group that has read everything sits one
 * marker short of the end, and a dead-letter topic written in transactions has twice as many offsets as letters.
 * Ranges over COUNT_CAP offsets are not read (their count is the difference, approximate).
 */
export async function countCommittedRecords(ranges: OffsetRange[], o: { idleMs?: number } = {}): Promise<Map<string, { count: number; approximate: boolean }>> {
  const out = new Map<string, { count: number; approximate: boolean }>();
  const toRead = new Map<string, OffsetRange>();
  for (const r of ranges) {
    if (r.to <= r.from) out.set(rangeKey(r.topic, r.partition), { count: 0, approximate: false });
    else if (r.to - r.from > COUNT_CAP) out.set(rangeKey(r.topic, r.partition), { count: r.to - r.from, approximate: true });
    else {
      toRead.set(rangeKey(r.topic, r.partition), r);
      out.set(rangeKey(r.topic, r.partition), { count: 0, approximate: false });
    }
  }
  if (toRead.size === 0) return out;
  const topics = [...new Set([...toRead.values()].map((r) => r.topic))];
  const groupId = `gridstream.reader.count.${process.pid}.${Date.now()}.${Math.random().toString(36).slice(2, 6)}`;
  const consumer = kafka().consumer({ groupId, readUncommitted: false, maxWaitTimeInMs: 100 });
  const done = new Set<string>();
  await consumer.connect();
  try {
    for (const topic of topics) await consumer.subscribe({ topic, fromBeginning: true });
    let last = Date.now();
    let joined = false;
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      for (const [topic, partitions] of Object.entries(e.payload.memberAssignment)) {
        const skip: number[] = [];
        for (const p of partitions) {
          const r = toRead.get(rangeKey(topic, p));
          if (r) consumer.seek({ topic, partition: p, offset: String(r.from) });
          else skip.push(p);
        }
        if (skip.length) consumer.pause([{ topic, partitions: skip }]);
      }
      joined = true;
      last = Date.now();
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        // Done when every range was read to its end, or when a joined reader has heard nothing for a while: a
        // read_committed fetch from a position where only markers remain returns nothing at all.
        if (done.size === toRead.size || (joined && Date.now() - last > (o.idleMs ?? 1500))) {
          clearInterval(timer);
          resolve();
        }
      }, 100);
      consumer
        .run({
          eachBatch: async ({ batch }) => {
            last = Date.now();
            const k = rangeKey(batch.topic, batch.partition);
            const r = toRead.get(k);
            if (!r) return;
            const n = batch.messages.filter((m) => Number(m.offset) >= r.from && Number(m.offset) < r.to).length;
            out.get(k)!.count += n;
            if (Number(batch.lastOffset()) >= r.to - 1) {
              done.add(k);
              consumer.pause([{ topic: batch.topic, partitions: [batch.partition] }]);
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect().catch(() => undefined);
    const admin = kafka().admin();
    await admin.connect();
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
  return out;
}

/** Positions Postgres sinks keep in sink_offsets (their truth), per group and topic:partition. */
async function sinkPositions(): Promise<Map<string, Map<string, number>>> {
  const r = await pool().query<{ consumer_group: string; topic: string; partition: number; next_offset: number }>('select consumer_group, topic, partition, next_offset from sink_offsets');
  const out = new Map<string, Map<string, number>>();
  for (const row of r.rows) {
    const m = out.get(row.consumer_group) ?? new Map<string, number>();
    m.set(rangeKey(row.topic, row.partition), Number(row.next_offset));
    out.set(row.consumer_group, m);
  }
  return out;
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
 * Lag of the consumer groups `keep` accepts among those of the process's namespace: committed records not yet processed (transaction markers and aborted
 * records do not count), the group's state and member count, per partition. A Postgres sink's position is its
 * sink_offsets row when it has one (Kafka's committed offset is only advisory for sinks).
 */
export async function groupLags(keep: (group: string) => boolean = (id) => id.startsWith('gridstream.')): Promise<GroupLag[]> {
  const admin = kafka().admin();
  await admin.connect();
  const out: GroupLag[] = [];
  try {
    const { groups } = await admin.listGroups();
    const ids = groups.map((g) => g.groupId).filter((id) => keep(id) && !id.includes('cursor-reader') && !id.startsWith('gridstream.reader.')).sort();
    if (ids.length === 0) return [];
    const described = new Map((await admin.describeGroups(ids)).groups.map((g) => [g.groupId, g]));
    const sinks = await sinkPositions().catch(() => new Map<string, Map<string, number>>());
    const ends = new Map<string, { partition: number; high: string }[]>();
    for (const groupId of ids) {
      for (const t of await admin.fetchOffsets({ groupId })) {
        if (!ends.has(t.topic)) ends.set(t.topic, await admin.fetchTopicOffsets(t.topic));
        const stored = sinks.get(groupId);
        const partitions = t.partitions.map((p): PartitionLag => {
          const end = Number(ends.get(t.topic)!.find((e) => e.partition === p.partition)?.high ?? 0);
          const kafkaCommitted = Number(p.offset) < 0 ? 0 : Number(p.offset);
          const committed = stored?.get(rangeKey(t.topic, p.partition)) ?? kafkaCommitted;
          return { partition: p.partition, committed, end, lag: Math.max(0, end - committed), approximate: false };
        });
        const g = described.get(groupId);
        out.push({ group: groupId, topic: t.topic, lag: 0, state: g?.state ?? 'Unknown', members: g?.members.length ?? 0, partitions });
      }
    }
  } finally {
    await admin.disconnect();
  }
  // Offsets between position and end may be only transaction markers: count the records there.
  const counts = await countCommittedRecords(out.flatMap((g) => g.partitions.filter((p) => p.lag > 0).map((p) => ({ topic: g.topic, partition: p.partition, from: p.committed, to: p.end }))));
  for (const g of out) {
    for (const p of g.partitions) {
      const c = counts.get(rangeKey(g.topic, p.partition));
      if (c && p.lag > 0) Object.assign(p, { lag: c.count, approximate: c.approximate });
    }
    g.lag = g.partitions.reduce((n, p) => n + p.lag, 0);
  }
  return out;
}

/** Dead letters per dead-letter topic: records, not offsets (those written in transactions carry markers too). */
export async function dlqCounts(): Promise<{ topic: string; count: number; approximate: boolean }[]> {
  const admin = kafka().admin();
  await admin.connect();
  const ranges: OffsetRange[] = [];
  let topics: string[];
  try {
    topics = (await admin.listTopics()).filter((t) => t.startsWith('dlq.')).sort();
    for (const t of topics) for (const o of await admin.fetchTopicOffsets(t)) ranges.push({ topic: t, partition: o.partition, from: Number(o.low), to: Number(o.high) });
  } finally {
    await admin.disconnect();
  }
  const counts = await countCommittedRecords(ranges);
  return topics.map((topic) => {
    const mine = ranges.filter((r) => r.topic === topic).map((r) => counts.get(rangeKey(r.topic, r.partition))!);
    return { topic, count: mine.reduce((n, c) => n + c.count, 0), approximate: mine.some((c) => c.approximate) };
  });
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

/** Per source task, its last run that ended well (success, or skipped: nothing new) and when. */
export async function lastSuccessfulRuns(): Promise<{ task: string; completed_at: Date; status: string; records_out: number }[]> {
  const r = await pool().query(
    `select distinct on (task) task, completed_at, status, records_out from etl_run_log where status in ('success', 'skipped') and completed_at is not null order by task, completed_at desc`,
  );
  return r.rows;
}
