// Kafka client benchmark: kafkajs (what runtime/kafka.ts wraps) against @platformatic/kafka (pure JS, maintained) on
// the same broker, same fresh 3-partition topics, same N small messages (~60-byte values, string keys):
//   produce        batches of 1000 through send(), acks all, idempotent, one batch in flight (as gridstream sends)
//   consume        read all N from the beginning, read_committed (kafkajs eachBatch, platformatic consumer stream)
//   tx produce     one transaction per 5000 messages (5 sends of 1000, then commit)
//   tx consume     read_committed over the transactional topic (control markers every 5000 records)
// Each producer first sends one warm-up message (in its own transaction for tx produce) outside the clock.
// Each figure is the median of --repeat runs (default 3, fresh topics each run, client order alternating), with the
// spread. Consume rates run from the group join to the Nth record (so they include
// the first fetch); the time to join is reported apart.
// Last line: `kafka-clients: kafkajs produce X, consume Y; platformatic produce X2, consume Y2 rec/s`.
//
// `--eos` instead checks @platformatic/kafka's consume -> transaction with sendOffsets -> commit loop (see pEosCheck).
// `--headers` adds the three string headers processor-runner stamps on each output record (both clients).
//
// Also: `kafka-clients --profile <dir> [--marks <file>]` summarises .cpuprofile files (self time by package, the
// hottest functions, kafkajs by source file); with a marks file (lines `MARK <monotonic µs> <text>`) it also splits
// the main thread's profile into the windows between marks (the pipeline bench's stages).
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import {
  Consumer as PConsumer,
  FetchIsolationLevels,
  MessagesStreamModes,
  ProduceAcks,
  Producer as PProducer,
  compatibilityPartitioner,
  stringSerializers,
} from '@platformatic/kafka';
// Both clients here bypass runtime/kafka.ts, so their topic, group and transactional names get the namespace by hand.
import { kafkaName } from '../runtime/namespace.js';
import { createTopicsWithLeaders } from '../runtime/topics-apply.js';

const say = (s: string) => process.stdout.write(`${s}\n`);
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:19092').split(',');
const BATCH = 1000;
const TX_SIZE = 5000;
const FETCH = { maxBytesPerPartition: 4 * 1024 * 1024, maxBytes: 16 * 1024 * 1024, maxWaitMs: 250 }; // as runtime/consumer.ts

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
// Retries as runtime/kafka.ts configures kafkajs, and the same back-off shape for @platformatic/kafka (whose default is
// a flat 1000 ms): a transactional producer's first AddPartitionsToTxn after a commit often meets
// CONCURRENT_TRANSACTIONS (the broker is still writing the previous markers) and waits out one retry delay.
const RETRY = { retries: 8, initialRetryTime: 200, maxRetryTime: 5000 };
const kafka = new Kafka({ clientId: 'bench-kafka-clients', brokers, logLevel: logLevel.NOTHING, connectionTimeout: 5000, requestTimeout: 30000, retry: RETRY });

interface Msg {
  key: string;
  value: Buffer;
  headers?: Record<string, string>;
}
/** Sent (in its own transaction for the transactional tests) before the clock starts: set-up stays out of the rate. */
const WARM: Msg = { key: 'warm-up', value: Buffer.alloc(60, 32) };

/** N messages shaped like a small SCADA record: a DUID-like string key, a ~60-byte value. */
function messages(n: number, withHeaders: boolean): Msg[] {
  const out: Msg[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const key = `DUID${String(i % 500).padStart(4, '0')}`;
    const value = Buffer.from(`{"d":"${key}","t":"2024-07-31T14:05:00Z","v":${(i * 0.137).toFixed(3).padStart(12, '0')}}`.padEnd(60, ' '));
    out[i] = { key, value };
    // As processor-runner stamps its outputs (source-topic, source-offset, source-ref).
    if (withHeaders) out[i]!.headers = { 'source-topic': 'raw.aemo.dispatch_scada', 'source-offset': `${i % 3}:${i}`, 'source-ref': `nemweb:PUBLIC_DISPATCHSCADA_202407311405_${i % 1000}.zip` };
  }
  return out;
}

const rate = (n: number, ms: number) => Math.round(n / (ms / 1000));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const spread = (xs: number[]) => (xs.length > 1 ? `${Math.min(...xs)}-${Math.max(...xs)}` : '');

// ---------- kafkajs ----------

async function kjsProduce(topic: string, msgs: Msg[]): Promise<number> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  await producer.send({ topic, acks: -1, messages: [WARM] });
  const t0 = performance.now();
  for (let i = 0; i < msgs.length; i += BATCH) await producer.send({ topic, acks: -1, messages: msgs.slice(i, i + BATCH) });
  const ms = performance.now() - t0;
  await producer.disconnect();
  return rate(msgs.length, ms);
}

/** Also the share of the time spent in each transaction's first send (which waits out CONCURRENT_TRANSACTIONS). */
async function kjsTxProduce(topic: string, msgs: Msg[]): Promise<{ rate: number; firstSendShare: number }> {
  const producer = kafka.producer({ transactionalId: kafkaName(`bench.kc.kjs.${randomBytes(4).toString('hex')}`), idempotent: true, maxInFlightRequests: 1, transactionTimeout: 60_000 });
  await producer.connect();
  const warm = await producer.transaction();
  await warm.send({ topic, acks: -1, messages: [WARM] });
  await warm.commit();
  const t0 = performance.now();
  let stalled = 0;
  for (let i = 0; i < msgs.length; i += TX_SIZE) {
    const tx = await producer.transaction();
    for (let j = i; j < Math.min(i + TX_SIZE, msgs.length); j += BATCH) {
      const s0 = performance.now();
      await tx.send({ topic, acks: -1, messages: msgs.slice(j, Math.min(j + BATCH, i + TX_SIZE)) });
      if (j === i) stalled += performance.now() - s0;
    }
    await tx.commit();
  }
  const ms = performance.now() - t0;
  await producer.disconnect();
  return { rate: rate(msgs.length, ms), firstSendShare: stalled / ms };
}

async function kjsConsume(topic: string, n: number): Promise<{ rate: number; joinMs: number }> {
  const groupId = kafkaName(`bench.kc.kjs.${randomBytes(4).toString('hex')}`);
  const consumer = kafka.consumer({
    groupId,
    readUncommitted: false,
    maxWaitTimeInMs: FETCH.maxWaitMs,
    maxBytesPerPartition: FETCH.maxBytesPerPartition,
    maxBytes: FETCH.maxBytes,
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const tStart = performance.now();
  let joined = 0;
  consumer.on(consumer.events.GROUP_JOIN, () => (joined ||= performance.now()));
  let first = 0;
  let last = 0;
  let seen = 0;
  let bytes = 0;
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        autoCommit: false,
        partitionsConsumedConcurrently: 3,
        eachBatch: async ({ batch }) => {
          if (!first) first = performance.now();
          for (const m of batch.messages) bytes += m.value?.length ?? 0;
          seen += batch.messages.length;
          if (seen >= n) {
            last = performance.now();
            resolve();
          }
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  if (bytes === 0) throw new Error('no bytes consumed');
  return { rate: rate(n, last - joined), joinMs: Math.round(joined - tStart) };
}

// ---------- @platformatic/kafka ----------

const pBase = {
  bootstrapBrokers: brokers,
  clientId: 'bench-kafka-clients-p',
  retries: RETRY.retries,
  retryDelay: (_c: unknown, _op: string, attempt: number) => Math.min(RETRY.maxRetryTime, RETRY.initialRetryTime * 2 ** Math.max(0, attempt - 1)),
};

async function pProduce(topic: string, msgs: Msg[]): Promise<number> {
  const producer = new PProducer({ ...pBase, idempotent: true, acks: ProduceAcks.ALL, serializers: { key: stringSerializers.key, headerKey: stringSerializers.headerKey, headerValue: stringSerializers.headerValue }, partitioner: compatibilityPartitioner });
  await producer.send({ messages: [{ topic, ...WARM }] });
  const t0 = performance.now();
  for (let i = 0; i < msgs.length; i += BATCH) {
    await producer.send({ messages: msgs.slice(i, i + BATCH).map((m) => ({ topic, key: m.key, value: m.value, headers: m.headers })) });
  }
  const ms = performance.now() - t0;
  await producer.close();
  return rate(msgs.length, ms);
}

async function pTxProduce(topic: string, msgs: Msg[]): Promise<{ rate: number; firstSendShare: number }> {
  const producer = new PProducer({
    ...pBase,
    idempotent: true,
    transactionalId: kafkaName(`bench.kc.p.${randomBytes(4).toString('hex')}`),
    acks: ProduceAcks.ALL,
    serializers: { key: stringSerializers.key, headerKey: stringSerializers.headerKey, headerValue: stringSerializers.headerValue },
    partitioner: compatibilityPartitioner,
  });
  const warm = await producer.beginTransaction();
  await warm.send({ messages: [{ topic, ...WARM }] });
  await warm.commit();
  const t0 = performance.now();
  let stalled = 0;
  for (let i = 0; i < msgs.length; i += TX_SIZE) {
    const tx = await producer.beginTransaction();
    for (let j = i; j < Math.min(i + TX_SIZE, msgs.length); j += BATCH) {
      const s0 = performance.now();
      await tx.send({ messages: msgs.slice(j, Math.min(j + BATCH, i + TX_SIZE)).map((m) => ({ topic, key: m.key, value: m.value, headers: m.headers })) });
      if (j === i) stalled += performance.now() - s0;
    }
    await tx.commit();
  }
  const ms = performance.now() - t0;
  await producer.close();
  return { rate: rate(msgs.length, ms), firstSendShare: stalled / ms };
}

async function pConsume(topic: string, n: number): Promise<{ rate: number; joinMs: number }> {
  const groupId = kafkaName(`bench.kc.p.${randomBytes(4).toString('hex')}`);
  const consumer = new PConsumer({
    ...pBase,
    groupId,
    isolationLevel: FetchIsolationLevels.READ_COMMITTED,
    maxBytes: FETCH.maxBytes,
    maxBytesPerPartition: FETCH.maxBytesPerPartition,
    maxWaitTime: FETCH.maxWaitMs,
  });
  const tStart = performance.now();
  let joined = 0;
  consumer.on('consumer:group:join', () => (joined ||= performance.now()));
  const stream = await consumer.consume({ topics: [topic], mode: MessagesStreamModes.EARLIEST, autocommit: false });
  joined ||= performance.now(); // consume() resolves once the group is joined
  let first = 0;
  let last = 0;
  let seen = 0;
  let bytes = 0;
  await new Promise<void>((resolve, reject) => {
    stream.on('data', (m) => {
      if (!first) first = performance.now();
      bytes += m.value?.length ?? 0;
      if (++seen === n) {
        last = performance.now();
        resolve();
      }
    });
    stream.on('error', reject);
  });
  await stream.close();
  await consumer.close(true);
  if (bytes === 0 || first === 0) throw new Error('no bytes consumed');
  return { rate: rate(n, last - joined), joinMs: Math.round(joined - tStart) };
}

// ---------- profile summary ----------

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const SPECIAL = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);

/** The package a frame belongs to; '' for V8 builtins with no script (attributed to their caller elsewhere). */
function packageOf(url: string, fn: string): string {
  if (SPECIAL.has(fn)) return fn;
  if (!url) return '';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 14).split('/');
    const name = rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
    if (name === 'pg' || name.startsWith('pg-')) return 'pg';
    if (name === 'pino' || name === 'thread-stream' || name === 'sonic-boom' || name.startsWith('pino-')) return 'pino';
    if (name === 'tsx' || name === 'esbuild') return 'tsx/esbuild';
    return name;
  }
  if (url.startsWith('node:')) return 'node internals';
  if (url.includes('/work/main/')) return 'gridstream (ours)';
  return 'other';
}

function summariseOne(file: string, marks: { us: number; text: string }[]) {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // Per node: own package, package attributed to the nearest scripted caller, whether kafkajs is on the stack.
  const attributed = new Map<number, string>();
  const kafkajsFileOnStack = new Map<number, string | undefined>();
  const own = (id: number) => {
    const n = byId.get(id)!;
    return packageOf(n.callFrame.url, n.callFrame.functionName);
  };
  const attribute = (id: number): string => {
    const hit = attributed.get(id);
    if (hit !== undefined) return hit;
    const pkg = own(id);
    let out = pkg;
    if (pkg === '' || pkg === 'node internals') {
      const up = parent.get(id);
      const via = up === undefined ? '' : attribute(up);
      out = via === '' || via === '(root)' || SPECIAL.has(via) ? (pkg === '' ? 'V8 builtins (no JS caller)' : 'node internals') : via;
    }
    attributed.set(id, out);
    return out;
  };
  const kjsFile = (id: number): string | undefined => {
    if (kafkajsFileOnStack.has(id)) return kafkajsFileOnStack.get(id);
    const n = byId.get(id)!;
    const up = parent.get(id);
    const above = up === undefined ? undefined : kjsFile(up);
    const m = /node_modules\/kafkajs\/src\/(.*)$/.exec(n.callFrame.url);
    // The outermost kafkajs frame's caller side is not interesting; the innermost file tells what kafkajs does.
    const out = m ? m[1] : above;
    kafkajsFileOnStack.set(id, out);
    return out;
  };

  const dur = p.samples.map((_, i) => (p.timeDeltas[i + 1] ?? 0) / 1000); // ms until the next sample
  const times: number[] = [];
  let t = p.startTime;
  for (const d of p.timeDeltas) times.push((t += d));

  const windows: { name: string; from: number; to: number }[] = [{ name: 'whole run', from: -Infinity, to: Infinity }];
  for (let i = 0; i + 1 < marks.length; i++) windows.push({ name: marks[i + 1]!.text.slice(0, 60), from: marks[i]!.us, to: marks[i + 1]!.us });

  say(`\n=== ${file} (${((p.endTime - p.startTime) / 1e6).toFixed(1)} s, ${p.samples.length} samples)`);
  for (const w of windows) {
    const pkg = new Map<string, number>();
    const fnSelf = new Map<string, number>();
    const kjs = new Map<string, number>();
    let total = 0;
    let busy = 0;
    for (let i = 0; i < p.samples.length; i++) {
      if (times[i]! < w.from || times[i]! >= w.to) continue;
      const id = p.samples[i]!;
      const n = byId.get(id)!;
      const ms = dur[i]!;
      total += ms;
      const a = attribute(id);
      pkg.set(a, (pkg.get(a) ?? 0) + ms);
      if (a !== '(idle)') busy += ms;
      const f = `${n.callFrame.functionName || '(anonymous)'} [${own(id) || 'builtin'}${n.callFrame.url ? ` ${n.callFrame.url.split('/').slice(-2).join('/')}:${n.callFrame.lineNumber + 1}` : ''}]`;
      fnSelf.set(f, (fnSelf.get(f) ?? 0) + ms);
      const kf = kjsFile(id);
      if (kf) kjs.set(kf, (kjs.get(kf) ?? 0) + ms);
    }
    if (total === 0) continue;
    const pct = (x: number) => `${((100 * x) / total).toFixed(1).padStart(5)}%`;
    const pctBusy = (x: number) => `${((100 * x) / busy).toFixed(1).padStart(5)}%`;
    say(`\n--- ${w.name}: ${(total / 1000).toFixed(1)} s sampled, ${(busy / 1000).toFixed(1)} s on CPU (not idle)`);
    say('self time by package (builtins and node internals attributed to their nearest JS caller), % of wall / % of busy:');
    for (const [k, v] of [...pkg].sort((a, b) => b[1] - a[1]).slice(0, 14)) say(`  ${k.padEnd(34)} ${(v / 1000).toFixed(2).padStart(7)} s ${pct(v)} ${k === '(idle)' ? '' : pctBusy(v)}`);
    const kTotal = [...kjs.values()].reduce((s, x) => s + x, 0);
    say(`kafkajs on the stack (innermost kafkajs source file, inclusive of what it calls): ${(kTotal / 1000).toFixed(2)} s = ${pctBusy(kTotal)} of busy`);
    for (const [k, v] of [...kjs].sort((a, b) => b[1] - a[1]).slice(0, 12)) say(`  ${k.padEnd(50)} ${(v / 1000).toFixed(2).padStart(7)} s ${pctBusy(v)}`);
    say('hottest functions by self time:');
    for (const [k, v] of [...fnSelf].sort((a, b) => b[1] - a[1]).slice(0, w.name === 'whole run' ? 30 : 12)) say(`  ${(v / 1000).toFixed(2).padStart(6)} s ${pctBusy(v)}  ${k}`);
  }
}

function summariseProfiles(dir: string, marksFile?: string) {
  const marks = marksFile
    ? readFileSync(marksFile, 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('MARK '))
        .map((l) => {
          const [, us, ...text] = l.split(' ');
          return { us: Number(us), text: text.join(' ') };
        })
    : [];
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .sort();
  // The main thread's profile is the biggest; the others are helper threads (tsx's loader, pino's transport).
  const sized = files.map((f) => ({ f: join(dir, f), size: readFileSync(join(dir, f)).length })).sort((a, b) => b.size - a.size);
  sized.forEach(({ f }, i) => summariseOne(f, i === 0 ? marks : []));
}

/**
 * `--eos`: checks that @platformatic/kafka can do what processor-runner needs on this broker: read_committed
 * consume, produce + consumed offsets committed in one transaction (addConsumer/addOffset = sendOffsets), and list
 * offsets by timestamp (fetchTopicOffsetsByTimestamp). Batches of 3000, one offset per partition per transaction.
 */
async function pEosCheck(admin: ReturnType<Kafka['admin']>, n: number): Promise<void> {
  const sfx = randomBytes(3).toString('hex');
  const [inT, outT, groupId] = [kafkaName(`bench.kc.eos.in.${sfx}`), kafkaName(`bench.kc.eos.out.${sfx}`), kafkaName(`bench.kc.eos.${sfx}`)];
  await createTopicsWithLeaders(admin, [inT, outT].map((topic) => ({ topic, numPartitions: 3, replicationFactor: 1 })));
  try {
    const tBefore = Date.now() - 1000;
    const kp = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await kp.connect();
    const msgs = messages(n, false);
    for (let i = 0; i < n; i += BATCH) await kp.send({ topic: inT, acks: -1, messages: msgs.slice(i, i + BATCH) });
    await kp.disconnect();
    const producer = new PProducer({ ...pBase, idempotent: true, transactionalId: kafkaName(`bench.kc.eos.${sfx}`), acks: ProduceAcks.ALL, partitioner: compatibilityPartitioner });
    const consumer = new PConsumer({ ...pBase, groupId, isolationLevel: FetchIsolationLevels.READ_COMMITTED, maxWaitTime: FETCH.maxWaitMs, maxBytes: FETCH.maxBytes });
    const byTime = await consumer.listOffsetsWithTimestamps({ topics: [inT], timestamp: BigInt(tBefore) });
    const stream = await consumer.consume({ topics: [inT], mode: MessagesStreamModes.COMMITTED, fallbackMode: 'earliest', autocommit: false });
    const t0 = performance.now();
    let batch: Awaited<ReturnType<(typeof stream)['read']>>[] = [];
    let seen = 0;
    let txs = 0;
    for await (const m of stream) {
      batch.push(m);
      if (++seen % 3000 !== 0 && seen < n) continue;
      const tx = await producer.beginTransaction();
      await tx.send({ messages: batch.map((x) => ({ topic: outT, key: x.key, value: x.value })) });
      await tx.addConsumer(consumer);
      const lastPer = new Map<number, (typeof batch)[number]>();
      for (const x of batch) lastPer.set(x.partition, x);
      for (const x of lastPer.values()) await tx.addOffset(x);
      await tx.commit();
      txs++;
      batch = [];
      if (seen >= n) break;
    }
    const ms = performance.now() - t0;
    await stream.close().catch(() => undefined);
    await consumer.close(true);
    await producer.close();
    const committed = (await admin.fetchOffsets({ groupId, topics: [inT] }))[0]!.partitions.reduce((sum, x) => sum + Number(x.offset), 0);
    const starts = [...(byTime.get(inT)?.values() ?? [])].map((x) => x.offset.toString());
    say(
      `eos check (@platformatic/kafka, consume read_committed -> tx send + addOffset -> commit): ${n} records, ${txs} transactions, ${rate(n, ms)} rec/s; group offsets committed in the transactions sum to ${committed} (expected ${n}); listOffsetsWithTimestamps(before the data) -> ${starts.join('/')}`,
    );
    await admin.deleteGroups([groupId]).catch(() => undefined);
  } finally {
    await admin.deleteTopics({ topics: [inT, outT] }).catch(() => undefined);
  }
}

// ---------- main ----------

export async function main(args: string[]): Promise<void> {
  const opt = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
  const profileDir = opt('--profile');
  if (profileDir) {
    summariseProfiles(profileDir, opt('--marks'));
    return;
  }
  const n = Number(opt('--count') ?? 0) || 200_000;
  if (args.includes('--eos')) {
    const admin = kafka.admin();
    await admin.connect();
    try {
      await pEosCheck(admin, Math.min(n, 60_000));
    } finally {
      await admin.disconnect();
    }
    return;
  }
  const repeat = Number(opt('--repeat') ?? 0) || 3;
  const withHeaders = args.includes('--headers');
  const msgs = messages(n, withHeaders);
  say(
    `kafka-clients benchmark: ${n} messages (${msgs[0]!.value.length}-byte values, string keys${withHeaders ? ', 3 string headers each' : ''}), 3 partitions, ${repeat} runs, brokers ${brokers.join(',')}`,
  );
  const admin = kafka.admin();
  await admin.connect();
  const results: Record<string, number[]> = {};
  const joins: Record<string, number[]> = {};
  const stalls: Record<string, number[]> = {};
  const put = (k: string, v: number) => (results[k] ??= []).push(v);
  const topics: string[] = [];
  const fresh = async (tag: string) => {
    const topic = kafkaName(`bench.kc.${tag}.${randomBytes(3).toString('hex')}`);
    await createTopicsWithLeaders(admin, [{ topic, numPartitions: 3, replicationFactor: 1 }]);
    topics.push(topic);
    return topic;
  };
  try {
    for (let r = 0; r < repeat; r++) {
      const clients = r % 2 === 0 ? (['kafkajs', 'platformatic'] as const) : (['platformatic', 'kafkajs'] as const);
      const plain: Record<string, string> = {};
      const txd: Record<string, string> = {};
      for (const c of clients) {
        plain[c] = await fresh(`${c}.plain`);
        put(`${c} produce`, c === 'kafkajs' ? await kjsProduce(plain[c]!, msgs) : await pProduce(plain[c]!, msgs));
      }
      for (const c of clients) {
        txd[c] = await fresh(`${c}.tx`);
        const res = c === 'kafkajs' ? await kjsTxProduce(txd[c]!, msgs) : await pTxProduce(txd[c]!, msgs);
        put(`${c} tx produce`, res.rate);
        (stalls[c] ??= []).push(Math.round(100 * res.firstSendShare));
      }
      // Both clients read the same topics (written by kafkajs), so only the reader differs.
      for (const [what, topic] of [
        ['consume', plain.kafkajs!],
        ['tx consume', txd.kafkajs!],
      ] as const) {
        for (const c of clients) {
          const res = c === 'kafkajs' ? await kjsConsume(topic, n) : await pConsume(topic, n);
          put(`${c} ${what}`, res.rate);
          (joins[`${c} ${what}`] ??= []).push(res.joinMs);
        }
      }
      say(`run ${r + 1}: ${Object.entries(results)
        .map(([k, v]) => `${k} ${v[r]}`)
        .join(', ')}`);
      for (const t of topics.splice(0)) await admin.deleteTopics({ topics: [t] }).catch(() => undefined);
    }
  } finally {
    if (topics.length) await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.disconnect();
  }
  say('');
  say(`${'test'.padEnd(16)} ${'kafkajs rec/s'.padStart(14)} ${'(spread)'.padEnd(15)} ${'platformatic'.padStart(13)} ${'(spread)'.padEnd(15)} ratio`);
  for (const what of ['produce', 'consume', 'tx produce', 'tx consume']) {
    const a = results[`kafkajs ${what}`]!;
    const b = results[`platformatic ${what}`]!;
    say(`${what.padEnd(16)} ${String(median(a)).padStart(14)} ${spread(a).padEnd(15)} ${String(median(b)).padStart(13)} ${spread(b).padEnd(15)} ${(median(b) / median(a)).toFixed(2)}x`);
  }
  say(`tx produce, share of time in each transaction's first send (CONCURRENT_TRANSACTIONS retries after the previous commit): kafkajs ${stalls.kafkajs!.join('/')}%, platformatic ${stalls.platformatic!.join('/')}%`);
  for (const what of ['consume', 'tx consume']) {
    say(`group join / first fetch before ${what}: kafkajs ${median(joins[`kafkajs ${what}`]!)} ms, platformatic ${median(joins[`platformatic ${what}`]!)} ms (median)`);
  }
  say(
    `kafka-clients: kafkajs produce ${median(results['kafkajs produce']!)}, consume ${median(results['kafkajs consume']!)}; platformatic produce ${median(results['platformatic produce']!)}, consume ${median(results['platformatic consume']!)} rec/s`,
  );
}
