// A kafkajs client seen through a namespace: topic names, consumer group ids and transactional ids get the
// namespace's prefix on the way to the broker and lose it on the way back, and listings show only the namespace's
// own topics and groups. Everything that talks Kafka through runtime/kafka.ts (stages, ops, tests) is namespaced
// without knowing it, and names stored in headers, sink_offsets and views stay the plain ones.
//
// A method not handled here fails in a namespace instead of passing through: a call that silently reached the
// production topics is exactly what namespaces exist to prevent.
import type { Admin, ConfigResourceTypes, Batch, Consumer, ConsumerConfig, EachBatchPayload, EachMessagePayload, Kafka, Offsets, Producer, ProducerBatch, ProducerConfig, ProducerRecord, RecordMetadata, Transaction } from 'kafkajs';

// ConfigResourceTypes.TOPIC (kafkajs's enum is not exported to ES modules by name).
const TOPIC_RESOURCE = 2 as ConfigResourceTypes;

type Methods<T> = { [K in keyof T]?: T[K] };

/**
 * `target` with `methods` replacing its own; of the rest only `safe` (names that carry no topic or group) pass
 * through, anything else throws when called.
 */
function wrap<T extends object>(what: string, target: T, methods: Methods<T>, safe: readonly string[]): T {
  return new Proxy(target, {
    get(obj, key) {
      if (Object.hasOwn(methods, key)) return methods[key as keyof T];
      const v = Reflect.get(obj, key, obj) as unknown;
      if (typeof v !== 'function') return v;
      if (typeof key === 'string' && !safe.includes(key)) {
        return () => {
          throw new Error(`${what}.${key} is not namespaced (runtime/kafka-namespace.ts): refusing to call it outside the namespace`);
        };
      }
      return (v as (...a: unknown[]) => unknown).bind(obj);
    },
  });
}

export function namespacedKafka(client: Kafka, prefix: string): Kafka {
  if (!prefix) return client;
  const on = (name: string) => `${prefix}${name}`;
  const off = (name: string) => (name.startsWith(prefix) ? name.slice(prefix.length) : name);
  const ours = (name: string) => name.startsWith(prefix);
  const plainTopic = (t: string | RegExp) => {
    if (typeof t !== 'string') throw new Error('topic patterns are not supported in a namespace');
    return on(t);
  };
  const offsets = (o: Offsets): Offsets => ({ ...o, topics: o.topics.map((t) => ({ ...t, topic: on(t.topic) })) });
  const metadata = (rs: RecordMetadata[]) => rs.map((r) => ({ ...r, topicName: off(r.topicName) }));

  function sender<S extends Producer | Transaction>(s: S): Methods<S> {
    return {
      send: async (r: ProducerRecord) => metadata(await s.send({ ...r, topic: on(r.topic) })),
      sendBatch: async (b: ProducerBatch) => metadata(await s.sendBatch({ ...b, topicMessages: b.topicMessages?.map((t) => ({ ...t, topic: on(t.topic) })) })),
    } as Methods<S>;
  }

  function producer(cfg: ProducerConfig = {}): Producer {
    const p = client.producer(cfg.transactionalId ? { ...cfg, transactionalId: on(cfg.transactionalId) } : cfg);
    return wrap('producer', p, {
      ...sender(p),
      transaction: async () => {
        const tx = await p.transaction();
        return wrap('transaction', tx, { ...sender(tx), sendOffsets: (o) => tx.sendOffsets({ ...offsets(o), consumerGroupId: on(o.consumerGroupId) }) }, ['commit', 'abort', 'isActive']);
      },
    }, ['connect', 'disconnect', 'isIdempotent', 'on', 'logger']);
  }

  // Instrumentation payloads name topics and the group; listeners see the plain names.
  function plainEvent(e: { payload?: Record<string, unknown> }): unknown {
    const p = e.payload;
    if (!p) return e;
    const out: Record<string, unknown> = { ...p };
    if (typeof p.topic === 'string') out.topic = off(p.topic);
    if (typeof p.groupId === 'string') out.groupId = off(p.groupId);
    if (p.memberAssignment && typeof p.memberAssignment === 'object') out.memberAssignment = Object.fromEntries(Object.entries(p.memberAssignment).map(([t, ps]) => [off(t), ps]));
    if (Array.isArray(p.topics)) out.topics = (p.topics as { topic?: string }[]).map((t) => (typeof t.topic === 'string' ? { ...t, topic: off(t.topic) } : t));
    return { ...e, payload: out };
  }

  // The batch keeps its methods (they read the prototype's fields); only its topic reads differently.
  const plainBatch = (b: Batch): Batch => Object.create(b, { topic: { value: off(b.topic), enumerable: true }, partition: { value: b.partition, enumerable: true } }) as Batch;

  function consumer(cfg: ConsumerConfig): Consumer {
    const c = client.consumer({ ...cfg, groupId: on(cfg.groupId) });
    return wrap('consumer', c, {
      subscribe: (s) => c.subscribe('topics' in s ? { ...s, topics: s.topics.map(plainTopic) } : { ...s, topic: plainTopic(s.topic) }),
      run: (rc = {}) =>
        c.run({
          ...rc,
          eachBatch: rc.eachBatch && ((x: EachBatchPayload) =>
            rc.eachBatch!({
              ...x,
              batch: plainBatch(x.batch),
              commitOffsetsIfNecessary: (o?: Offsets) => x.commitOffsetsIfNecessary(o && offsets(o)),
              uncommittedOffsets: () => {
                const u = x.uncommittedOffsets();
                return { ...u, topics: u.topics.map((t) => ({ ...t, topic: off(t.topic) })) };
              },
            })),
          eachMessage: rc.eachMessage && ((x: EachMessagePayload) => rc.eachMessage!({ ...x, topic: off(x.topic) })),
        }),
      seek: (t) => c.seek({ ...t, topic: on(t.topic) }),
      pause: (ts) => c.pause(ts.map((t) => ({ ...t, topic: on(t.topic) }))),
      resume: (ts) => c.resume(ts.map((t) => ({ ...t, topic: on(t.topic) }))),
      paused: () => c.paused().map((t) => ({ ...t, topic: off(t.topic) })),
      commitOffsets: (ts) => c.commitOffsets(ts.map((t) => ({ ...t, topic: on(t.topic) }))),
      describeGroup: async () => {
        const g = await c.describeGroup();
        return { ...g, groupId: off(g.groupId) };
      },
      on: ((name: string, listener: (e: unknown) => void) => c.on(name as never, (e: { payload?: Record<string, unknown> }) => listener(plainEvent(e)))) as Consumer['on'],
    }, ['connect', 'disconnect', 'stop', 'logger']);
  }

  function admin(...args: Parameters<Kafka['admin']>): Admin {
    const a = client.admin(...args);
    const resource = <R extends { type: ConfigResourceTypes; name: string }>(r: R): R => (r.type === TOPIC_RESOURCE ? { ...r, name: on(r.name) } : r);
    return wrap('admin', a, {
      listTopics: async () => (await a.listTopics()).filter(ours).map(off),
      createTopics: (o) => a.createTopics({ ...o, topics: o.topics.map((t) => ({ ...t, topic: on(t.topic) })) }),
      deleteTopics: (o) => a.deleteTopics({ ...o, topics: o.topics.map(on) }),
      createPartitions: (o) => a.createPartitions({ ...o, topicPartitions: o.topicPartitions.map((t) => ({ ...t, topic: on(t.topic) })) }),
      fetchTopicMetadata: async (o) => {
        const r = await a.fetchTopicMetadata(o ? { topics: o.topics.map(on) } : undefined);
        return { ...r, topics: r.topics.filter((t) => ours(t.name)).map((t) => ({ ...t, name: off(t.name) })) };
      },
      fetchOffsets: async (o) => (await a.fetchOffsets({ ...o, groupId: on(o.groupId), topics: o.topics?.map(on) })).map((t) => ({ ...t, topic: off(t.topic) })),
      fetchTopicOffsets: (t) => a.fetchTopicOffsets(on(t)),
      fetchTopicOffsetsByTimestamp: (t, ts) => a.fetchTopicOffsetsByTimestamp(on(t), ts),
      setOffsets: (o) => a.setOffsets({ ...o, groupId: on(o.groupId), topic: on(o.topic) }),
      resetOffsets: (o) => a.resetOffsets({ ...o, groupId: on(o.groupId), topic: on(o.topic) }),
      deleteTopicRecords: (o) => a.deleteTopicRecords({ ...o, topic: on(o.topic) }),
      describeConfigs: async (o) => {
        const r = await a.describeConfigs({ ...o, resources: o.resources.map(resource) });
        return { ...r, resources: r.resources.map((x) => (x.resourceType === TOPIC_RESOURCE ? { ...x, resourceName: off(x.resourceName) } : x)) };
      },
      alterConfigs: (o) => a.alterConfigs({ ...o, resources: o.resources.map(resource) }),
      listGroups: async () => {
        const r = await a.listGroups();
        return { ...r, groups: r.groups.filter((g) => ours(g.groupId)).map((g) => ({ ...g, groupId: off(g.groupId) })) };
      },
      deleteGroups: async (ids) => (await a.deleteGroups(ids.map(on))).map((g) => ({ ...g, groupId: off(g.groupId) })),
      describeGroups: async (ids) => {
        const r = await a.describeGroups(ids.map(on));
        return { ...r, groups: r.groups.map((g) => ({ ...g, groupId: off(g.groupId) })) };
      },
    }, ['connect', 'disconnect', 'describeCluster', 'logger', 'on']);
  }

  return wrap('kafka', client, { producer, consumer, admin }, ['logger']);
}
