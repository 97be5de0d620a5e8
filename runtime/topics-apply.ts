// `topics apply`: create missing topics, bring configs and partition counts of existing ones up to the catalogue,
// register every Avro schema under its TopicNameStrategy subject. An incompatible schema is refused by the
// registry and reported with the subject and the reason; the other topics are still applied.
import kafkajs, { type Admin, type ITopicConfig } from 'kafkajs';
import type { TopicSpec } from '../schemas/topics.js';
import { kafka } from './kafka.js';
import { whileRegistryAnswers } from './registry-wait.js';
import { SchemaRefused, type Serde } from './serde.js';

export interface ApplyResult {
  created: string[];
  updated: string[];
  registered: { subject: string; id: number }[];
  refused: { subject: string; reason: string }[];
}

const topicConfig = (t: TopicSpec) => [
  { name: 'cleanup.policy', value: t.cleanupPolicy },
  { name: 'retention.ms', value: String(t.retentionMs) },
  // Event-time timestamps may be years old (backfills): retention must act on append time, not the record's.
  { name: 'message.timestamp.type', value: 'CreateTime' },
  ...(t.cleanupPolicy.includes('compact') ? [{ name: 'min.cleanable.dirty.ratio', value: '0.1' }] : []),
];

export async function applyTopics(topics: TopicSpec[], serde: Serde): Promise<ApplyResult> {
  const admin = kafka().admin();
  await admin.connect();
  const result: ApplyResult = { created: [], updated: [], registered: [], refused: [] };
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t.name));
    if (missing.length) {
      await createTopicsWithLeaders(
        admin,
        missing.map((t) => ({ topic: t.name, numPartitions: t.partitions, replicationFactor: -1, configEntries: topicConfig(t) })),
      );
      result.created.push(...missing.map((t) => t.name));
    }
    const present = topics.filter((t) => existing.has(t.name));
    if (present.length) {
      const meta = await admin.fetchTopicMetadata({ topics: present.map((t) => t.name) });
      const grow = present.filter((t) => (meta.topics.find((m) => m.name === t.name)?.partitions.length ?? 0) < t.partitions);
      if (grow.length) await admin.createPartitions({ topicPartitions: grow.map((t) => ({ topic: t.name, count: t.partitions })) });
      await admin.alterConfigs({
        validateOnly: false,
        resources: present.map((t) => ({ type: kafkajs.ConfigResourceTypes.TOPIC, name: t.name, configEntries: topicConfig(t) })),
      });
      result.updated.push(...present.map((t) => t.name));
    }
  } finally {
    await admin.disconnect();
  }
  // A registry slow to answer (a busy machine: a CI run's test setup waited 10 s for one registration) is waited out
  // with backoff for up to two minutes; registering is idempotent (the same schema gets the same id).
  const until = Date.now() + 120_000;
  for (const t of topics) {
    if (t.schema === 'bytes') continue;
    try {
      const id = await whileRegistryAnswers({ stage: 'topics apply', isRunning: () => Date.now() < until }, () => serde.register(t));
      result.registered.push({ subject: `${t.name}-value`, id });
    } catch (err) {
      if (!(err instanceof SchemaRefused)) throw err;
      result.refused.push({ subject: err.subject, reason: err.reason });
    }
  }
  return result;
}

/**
 * Creates topics and returns once every partition has a leader. kafkajs's own waitForLeaders gives up on "This server
 * does not host this topic-partition" while a new topic's metadata propagates on a fresh broker (a CI run's drain test
 * failed in its setup on it); this waits that out.
 */
export async function createTopicsWithLeaders(admin: Admin, topics: ITopicConfig[]): Promise<void> {
  await admin.createTopics({ topics, waitForLeaders: false });
  await waitForLeaders(
    admin,
    topics.map((t) => ({ name: t.topic, partitions: t.numPartitions ?? 1 })),
  );
}

async function waitForLeaders(admin: Admin, topics: Pick<TopicSpec, 'name' | 'partitions'>[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const meta = await admin.fetchTopicMetadata({ topics: topics.map((t) => t.name) });
      const ready = topics.every((t) => {
        const m = meta.topics.find((x) => x.name === t.name);
        return m !== undefined && m.partitions.length >= t.partitions && m.partitions.every((p) => p.leader >= 0);
      });
      if (ready) return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
    if (Date.now() > deadline) throw new Error(`topics without leaders after ${timeoutMs / 1000} s: ${topics.map((t) => t.name).join(', ')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
