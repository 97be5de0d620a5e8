// GRIDSTREAM_NAMESPACE is validated at start, and the namespaced Kafka client puts the prefix on every name it
// sends and takes it off every name it returns (against a recording stand-in for kafkajs; the real broker is in
// test/integration/namespace.test.ts).
import type { Kafka } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../runtime/config.js';
import { namespacedKafka } from '../../runtime/kafka-namespace.js';
import { namespaceOf } from '../../runtime/namespace.js';

describe('GRIDSTREAM_NAMESPACE', () => {
  it('is the production namespace when unset or empty', () => {
    expect(loadConfig({}).namespace).toBe('');
    expect(loadConfig({ GRIDSTREAM_NAMESPACE: '  ' }).namespace).toBe('');
  });

  it('accepts a plain lower-case name', () => {
    expect(loadConfig({ GRIDSTREAM_NAMESPACE: 'demo' }).namespace).toBe('demo');
    expect(loadConfig({ GRIDSTREAM_NAMESPACE: 't0a1b2c3d' }).namespace).toBe('t0a1b2c3d');
  });

  it.each(['Demo', '1abc', 'a-b', 'a.b', 'a:b', 'a*', `a${'b'.repeat(31)}`])('refuses %j, naming the variable', (v) => {
    expect(() => loadConfig({ GRIDSTREAM_NAMESPACE: v })).toThrow(ConfigError);
    expect(() => loadConfig({ GRIDSTREAM_NAMESPACE: v })).toThrow(/^GRIDSTREAM_NAMESPACE: /);
  });

  it('gives the prefixes of each store', () => {
    expect(namespaceOf('demo')).toEqual({ name: 'demo', kafkaPrefix: 'demo.', pgSchema: 'demo', redisPrefix: 'demo:' });
    expect(namespaceOf('')).toEqual({ name: '', kafkaPrefix: '', pgSchema: undefined, redisPrefix: '' });
  });
});

/** A stand-in for kafkajs that records every call and answers listings with names of two namespaces. */
function recorder() {
  const calls: [string, unknown][] = [];
  const rec = (name: string, answer: unknown = undefined) => (arg: unknown) => {
    calls.push([name, arg]);
    return Promise.resolve(answer);
  };
  const tx = { send: rec('tx.send', [{ topicName: 'a.raw.x', partition: 0, errorCode: 0 }]), sendOffsets: rec('tx.sendOffsets'), commit: rec('tx.commit') };
  const client = {
    producer: (cfg: unknown) => (calls.push(['producer', cfg]), { connect: rec('connect'), send: rec('send', [{ topicName: 'a.raw.x', partition: 0, errorCode: 0 }]), transaction: () => Promise.resolve(tx), sendBatch: rec('sendBatch', []) }),
    consumer: (cfg: unknown) => (calls.push(['consumer', cfg]), { subscribe: rec('subscribe'), seek: rec('seek'), on: rec('on') }),
    admin: () => ({
      connect: rec('connect'),
      listTopics: rec('listTopics', ['raw.x', 'a.raw.x', 'a.dlq.raw.x', 'b.raw.x']),
      listGroups: rec('listGroups', { groups: [{ groupId: 'gridstream.sink.s', protocolType: 'consumer' }, { groupId: 'a.gridstream.sink.s', protocolType: 'consumer' }] }),
      fetchOffsets: rec('fetchOffsets', [{ topic: 'a.raw.x', partitions: [] }]),
      createTopics: rec('createTopics', true),
      deleteTopics: rec('deleteTopics'),
      fetchTopicOffsets: rec('fetchTopicOffsets', []),
      createAcls: rec('createAcls'),
    }),
  };
  return { calls, kafka: namespacedKafka(client as unknown as Kafka, 'a.') };
}

describe('namespaced Kafka client', () => {
  it('prefixes topics, groups and transactional ids on the way out', async () => {
    const { calls, kafka } = recorder();
    const p = kafka.producer({ transactionalId: 'gridstream.produce.aemo' });
    const sent = await p.send({ topic: 'raw.x', messages: [] });
    const tx = await p.transaction();
    await tx.send({ topic: 'clean.x', messages: [] });
    await tx.sendOffsets({ consumerGroupId: 'gridstream.process.p', topics: [{ topic: 'raw.x', partitions: [] }] });
    const c = kafka.consumer({ groupId: 'gridstream.sink.s' });
    await c.subscribe({ topic: 'clean.x', fromBeginning: true });
    c.seek({ topic: 'clean.x', partition: 0, offset: '3' });
    const admin = kafka.admin();
    await admin.createTopics({ topics: [{ topic: 'raw.x' }] });
    await admin.deleteTopics({ topics: ['raw.x'] });
    await admin.fetchTopicOffsets('dlq.raw.x');
    const offsets = await admin.fetchOffsets({ groupId: 'gridstream.sink.s', topics: ['raw.x'] });

    expect(calls).toEqual([
      ['producer', { transactionalId: 'a.gridstream.produce.aemo' }],
      ['send', { topic: 'a.raw.x', messages: [] }],
      ['tx.send', { topic: 'a.clean.x', messages: [] }],
      ['tx.sendOffsets', { consumerGroupId: 'a.gridstream.process.p', topics: [{ topic: 'a.raw.x', partitions: [] }] }],
      ['consumer', { groupId: 'a.gridstream.sink.s' }],
      ['subscribe', { topic: 'a.clean.x', fromBeginning: true }],
      ['seek', { topic: 'a.clean.x', partition: 0, offset: '3' }],
      ['createTopics', { topics: [{ topic: 'a.raw.x' }] }],
      ['deleteTopics', { topics: ['a.raw.x'] }],
      ['fetchTopicOffsets', 'a.dlq.raw.x'],
      ['fetchOffsets', { groupId: 'a.gridstream.sink.s', topics: ['a.raw.x'] }],
    ]);
    // ... and takes it off what comes back.
    expect(sent[0]!.topicName).toBe('raw.x');
    expect(offsets[0]!.topic).toBe('raw.x');
  });

  it('lists only its own namespace, by plain names', async () => {
    const admin = recorder().kafka.admin();
    expect(await admin.listTopics()).toEqual(['raw.x', 'dlq.raw.x']);
    expect((await admin.listGroups()).groups.map((g) => g.groupId)).toEqual(['gridstream.sink.s']);
  });

  it('refuses a method it does not namespace rather than reach outside', () => {
    const admin = recorder().kafka.admin();
    expect(() => admin.createAcls({ acl: [] })).toThrow(/createAcls is not namespaced/);
  });

  it('refuses topic patterns', async () => {
    const c = recorder().kafka.consumer({ groupId: 'g' });
    await expect(async () => c.subscribe({ topic: /raw\..*/ })).rejects.toThrow(/patterns/);
  });

  it('is the client itself in the production namespace', () => {
    const client = {} as Kafka;
    expect(namespacedKafka(client, '')).toBe(client);
  });
});
