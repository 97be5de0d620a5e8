// `topics apply` creates topics with the catalogue's settings, is idempotent, and reports an incompatible schema
// change with its subject and the registry's reason instead of applying it.
import { randomBytes } from 'node:crypto';
import kafkajs from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { kafka } from '../../runtime/kafka.js';
import { Serde } from '../../runtime/serde.js';
import { applyTopics } from '../../runtime/topics-apply.js';
import type { TopicSpec } from '../../schemas/topics.js';
import { registryProxy } from '../support/registry-proxy.js';

const id = randomBytes(3).toString('hex');
const schema = { type: 'record' as const, name: 'Thing', namespace: 'test', fields: [{ name: 'id', type: 'string' }, { name: 'mw', type: 'double' }] };
const spec: TopicSpec = { name: `clean.test${id}.thing`, key: 'id', schema, partitions: 2, retentionMs: -1, cleanupPolicy: 'compact', description: 'test' };

describe('topics apply', () => {
  it('creates the topic with its policy, re-applies idempotently, and refuses an incompatible schema with subject and reason', async () => {
    const serde = Serde.fromConfig();
    const first = await applyTopics([spec], serde);
    expect(first.created).toEqual([spec.name]);
    expect(first.registered.map((r) => r.subject)).toEqual([`${spec.name}-value`]);

    const admin = kafka().admin();
    await admin.connect();
    const described = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: kafkajs.ConfigResourceTypes.TOPIC, name: spec.name, configNames: ['cleanup.policy', 'retention.ms'] }] });
    const entries = Object.fromEntries(described.resources[0]!.configEntries.map((e) => [e.configName, e.configValue]));
    expect(entries).toEqual({ 'cleanup.policy': 'compact', 'retention.ms': '-1' });
    const meta = await admin.fetchTopicMetadata({ topics: [spec.name] });
    expect(meta.topics[0]!.partitions.length).toBe(2);

    const again = await applyTopics([spec], serde);
    expect(again.created).toEqual([]);
    expect(again.registered[0]!.id).toBe(first.registered[0]!.id);

    const incompatible: TopicSpec = { ...spec, schema: { ...schema, fields: [{ name: 'id', type: 'string' }, { name: 'mw', type: 'string' }] } };
    const refused = await applyTopics([incompatible], serde);
    expect(refused.refused.length).toBe(1);
    expect(refused.refused[0]!.subject).toBe(`${spec.name}-value`);
    expect(refused.refused[0]!.reason.length).toBeGreaterThan(0);
    await admin.deleteTopics({ topics: [spec.name] });
    await admin.disconnect();
  });

  it('waits out a registry that fails for a while, then registers', async () => {
    const proxy = await registryProxy();
    const blinking: TopicSpec = { ...spec, name: `clean.test${id}.blink` };
    try {
      await proxy.set('error');
      const applying = applyTopics([blinking], Serde.fromConfig(proxy.url));
      await new Promise((r) => setTimeout(r, 1500));
      expect(proxy.counts.error).toBeGreaterThan(0);
      await proxy.set('up');
      const r = await applying;
      expect(r.registered.map((x) => x.subject)).toEqual([`${blinking.name}-value`]);
      expect(r.registered[0]!.id).toBeGreaterThan(0);
    } finally {
      await proxy.close();
      const admin = kafka().admin();
      await admin.connect();
      await admin.deleteTopics({ topics: [blinking.name] }).catch(() => undefined);
      await admin.disconnect();
    }
  });
});
