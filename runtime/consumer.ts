// The consumer loop every stage shares: a kafkajs consumer group (so more instances spread partitions with no other
// coordination), batches handed to the stage, graceful stop, and "drain" mode (`--once`, replays) that stops when
// the assigned partitions have reached the end offsets seen at start (or the range's end) and nothing more arrives.
import type { Batch, Consumer, EachBatchPayload } from 'kafkajs';
import { kafka } from './kafka.js';
import { log } from './log.js';
import { metrics } from './metrics.js';
import { onShutdown } from './shutdown.js';
import { readSetting } from './settings.js';

export interface BatchContext {
  batch: Batch;
  /** Marks offsets up to and including `offset` as processed (the stage has made them durable). */
  resolveOffset: (offset: string) => void;
  heartbeat: () => Promise<void>;
  isRunning: () => boolean;
  consumer: Consumer;
}

export interface ConsumeOptions {
  stage: string;
  groupId: string;
  topics: string[];
  /** `forever` (continuous), `drain` (stop once caught up with the end offsets at start). */
  mode: 'forever' | 'drain';
  /** Per topic and partition, the offset to stop before (replay ranges). Implies drain. */
  until?: Map<string, Map<number, bigint>>;
  /** Start offsets to seek to on assignment (replay ranges, sink offsets kept in Postgres). */
  startAt?: (topic: string, partition: number) => Promise<bigint | undefined>;
  fromBeginning?: boolean;
  partitionsConcurrently?: number;
  /** Bytes fetched per partition at a time (default: GRIDSTREAM_FETCH_MAX_BYTES). */
  maxBytesPerPartition?: number;
  /** Autocommit resolved offsets to the group (sinks, whose truth is elsewhere); processors commit in transactions. */
  autoCommit: boolean;
  handle: (ctx: BatchContext) => Promise<void>;
  onAssigned?: () => void;
  /** Stops the stage after its current batch (like SIGTERM, for this stage alone). */
  signal?: AbortSignal;
  /** Told when the stage did its job (a batch handled, caught up) and when kafkajs is retrying a failure itself. */
  health?: StageHealth;
}

/** How a runner tells its supervisor it is healthy or failing between restarts (runtime/supervisor.ts). */
export interface StageHealth {
  succeeded: () => void;
  troubled: (err: unknown) => void;
}

const key = (topic: string, partition: number) => `${topic}:${partition}`;

export async function consume(o: ConsumeOptions): Promise<void> {
  const consumer = kafka().consumer({
    groupId: o.groupId,
    readUncommitted: false, // read_committed: aborted transactions (a killed processor's) are never seen
    // A member that died holds its partitions until its session expires; tests that kill stages shorten it.
    sessionTimeout: readSetting('GRIDSTREAM_SESSION_TIMEOUT_MS'),
    rebalanceTimeout: 2 * readSetting('GRIDSTREAM_SESSION_TIMEOUT_MS'),
    heartbeatInterval: Math.min(3_000, readSetting('GRIDSTREAM_SESSION_TIMEOUT_MS') / 5),
    maxWaitTimeInMs: 250,
    // Smaller fetches make smaller batches (tests use this to land kills mid-stream).
    maxBytesPerPartition: o.maxBytesPerPartition ?? readSetting('GRIDSTREAM_FETCH_MAX_BYTES'),
    maxBytes: Math.max(16 * 1024 * 1024, o.maxBytesPerPartition ?? 0),
    retry: { retries: 10 },
  });
  const drain = o.mode === 'drain' || o.until !== undefined;
  const position = new Map<string, bigint>(); // next offset to process, per topic:partition
  let end = new Map<string, bigint>(); // where drain stops
  let assigned: { topic: string; partition: number }[] = [];
  let lastActivity = Date.now();
  let joined = false;

  await consumer.connect();
  for (const topic of o.topics) await consumer.subscribe({ topic, fromBeginning: o.fromBeginning ?? true });

  const admin = kafka().admin();
  if (drain) {
    await admin.connect();
    end = new Map();
    for (const topic of o.topics) {
      for (const p of await admin.fetchTopicOffsets(topic)) {
        const limit = o.until?.get(topic)?.get(p.partition);
        end.set(key(topic, p.partition), limit ?? BigInt(p.high));
      }
    }
    await admin.disconnect();
  }

  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    assigned = Object.entries(e.payload.memberAssignment).flatMap(([topic, ps]) => ps.map((partition) => ({ topic, partition })));
    joined = false;
    lastActivity = Date.now();
    o.onAssigned?.();
    // Where each assigned partition starts: the stage's own record (e.g. sink_offsets) wins and is sought to;
    // otherwise the group's committed offset. Drain mode needs both to know when a partition is already done.
    void (async () => {
      const committed = new Map<string, bigint>();
      if (drain) {
        const a = kafka().admin();
        await a.connect();
        try {
          for (const t of await a.fetchOffsets({ groupId: o.groupId, topics: [...new Set(assigned.map((x) => x.topic))] })) {
            for (const p of t.partitions) if (Number(p.offset) >= 0) committed.set(key(t.topic, p.partition), BigInt(p.offset));
          }
        } finally {
          await a.disconnect();
        }
      }
      for (const { topic, partition } of assigned) {
        const at = o.startAt ? await o.startAt(topic, partition) : undefined;
        if (at !== undefined) consumer.seek({ topic, partition, offset: at.toString() });
        const start = at ?? committed.get(key(topic, partition));
        if (start !== undefined && !position.has(key(topic, partition))) position.set(key(topic, partition), start);
      }
    })()
      .catch((err: unknown) => log.error({ err, stage: o.stage }, 'reading start offsets on assignment failed'))
      .finally(() => {
        joined = true;
        lastActivity = Date.now();
      });
  });

  // kafkajs skips batches that hold only transaction markers (or aborted records) but reports them here; once the
  // stage has handled everything before such a batch, the position moves past it, so drain ends exactly.
  // A fetch that brought nothing means the stage is caught up: healthy, with nothing to do. A read_committed fetch
  // that brings nothing also means no committed record is left to read, whatever the offsets say (the offsets count
  // transaction markers): the lag sampler relies on that.
  let lastFetchEmpty = false;
  consumer.on(consumer.events.FETCH, (e) => {
    lastFetchEmpty = e.payload.numberOfBatches === 0;
    if (joined && lastFetchEmpty) o.health?.succeeded();
  });

  // Lag on a timer, not per batch, so an idle consumer's gauge does not freeze at its last batch's value.
  const lagAdmin = kafka().admin();
  let lagAdminConnected = false;
  const sampleLag = async () => {
    if (!joined || assigned.length === 0) return;
    if (!lagAdminConnected) {
      await lagAdmin.connect();
      lagAdminConnected = true;
    }
    for (const topic of new Set(assigned.map((a) => a.topic))) {
      const highs = await lagAdmin.fetchTopicOffsets(topic);
      for (const { partition } of assigned.filter((a) => a.topic === topic)) {
        const at = position.get(key(topic, partition));
        const high = highs.find((h) => h.partition === partition);
        if (at === undefined || !high) continue;
        const lag = lastFetchEmpty ? 0 : Math.max(0, Number(BigInt(high.high) - at));
        metrics.consumerLag.set({ stage: o.stage, topic, partition: String(partition) }, lag);
      }
    }
  };
  const lagTimer = setInterval(() => {
    sampleLag().catch((err: unknown) => log.debug({ stage: o.stage, err: (err as Error).message }, 'lag sample failed'));
  }, readSetting('GRIDSTREAM_LAG_SAMPLE_MS'));
  lagTimer.unref(); // never what keeps a process alive

  consumer.on(consumer.events.END_BATCH_PROCESS, (e) => {
    const { topic, partition, batchSize, firstOffset, lastOffset } = e.payload as { topic: string; partition: number; batchSize: number; firstOffset: string | null; lastOffset: string };
    if (batchSize !== 0 || firstOffset === null) return;
    const k = key(topic, partition);
    const at = position.get(k);
    if (at !== undefined && at >= BigInt(firstOffset) && at <= BigInt(lastOffset)) position.set(k, BigInt(lastOffset) + 1n);
  });

  // Batches being handled right now: a drain never ends under one (a long batch — a month of rooftop slots on a
  // loaded machine — is work, not silence; it is bounded by its own I/O timeouts).
  let handling = 0;

  const finished = () => {
    if (!drain || !joined || handling > 0) return false;
    // Drained when every assigned partition reached its end. Transaction markers are counted in (batches resolve
    // through their trailing control records); a long silence is only a safety net (e.g. a compacted tail).
    // Every partition must be ours: a member that died mid-rebalance can hold some until its session expires, and
    // the drain is only complete once those have come back to us and been read too.
    const mine = new Set(assigned.map((a) => key(a.topic, a.partition)));
    if ([...end.keys()].some((k) => !mine.has(k))) return Date.now() - lastActivity > readSetting('GRIDSTREAM_DRAIN_IDLE_MS') * 4;
    // Only transaction markers can be left when a partition sits a few offsets short of its end and a
    // read_committed fetch has brought nothing for a while (committed data there would have come at once). That
    // happens when the group's committed offset points at a final marker kafkajs never reports.
    const quiet = Date.now() - lastActivity > 2000;
    const atEnd = assigned.every(({ topic, partition }) => {
      const e = end.get(key(topic, partition)) ?? 0n;
      const p = position.get(key(topic, partition));
      return e === 0n || (p !== undefined && (p >= e || (quiet && e - p <= 10n)));
    });
    if (atEnd) {
      log.debug({ stage: o.stage, assigned: assigned.map((a) => `${a.topic}:${a.partition}`), position: Object.fromEntries([...position].map(([k, v]) => [k, v.toString()])), end: Object.fromEntries([...end].map(([k, v]) => [k, v.toString()])) }, 'drained');
      return true;
    }
    if (Date.now() - lastActivity <= readSetting('GRIDSTREAM_DRAIN_IDLE_MS')) return false;
    log.warn({ stage: o.stage, position: Object.fromEntries([...position].map(([k, v]) => [k, v.toString()])), end: Object.fromEntries([...end].map(([k, v]) => [k, v.toString()])) }, 'drain ended by silence, not by reaching the end offsets');
    return true;
  };

  let stopped = false;
  let crashed: unknown;
  const done = new Promise<void>((resolve) => {
    const stop = async () => {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      clearInterval(lagTimer);
      if (lagAdminConnected) await lagAdmin.disconnect().catch(() => undefined);
      await consumer.stop().catch(() => undefined);
      await consumer.disconnect().catch(() => undefined);
      resolve();
    };
    const timer = setInterval(() => {
      if (finished()) void stop();
    }, 200);
    onShutdown(o.stage, stop);
    o.signal?.addEventListener('abort', () => void stop());
    consumer.on(consumer.events.CRASH, (e) => {
      // kafkajs restarts the consumer itself after most failures (a batch that threw, a broker away): the stage is
      // failing all the same, and its supervisor shows it.
      if (e.payload.restart) o.health?.troubled(e.payload.error);
      if (!e.payload.restart) {
        log.error({ stage: o.stage, err: e.payload.error }, 'consumer crashed');
        crashed = e.payload.error;
        void stop();
      }
    });
  });

  await consumer.run({
    autoCommit: o.autoCommit,
    autoCommitInterval: 2000,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: o.partitionsConcurrently ?? 1,
    eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload) => {
      if (!isRunning() || isStale()) return;
      const k = key(batch.topic, batch.partition);
      const stopBefore = o.until?.get(batch.topic)?.get(batch.partition);
      // The batch's last offset counts control records (transaction markers), which carry no data: once the stage
      // has handled the messages before them, the position moves past them too.
      const through = BigInt(batch.lastOffset());
      const advance = () => {
        const next = stopBefore !== undefined && through + 1n > stopBefore ? stopBefore : through + 1n;
        if ((position.get(k) ?? -1n) < next) position.set(k, next);
        if (stopBefore === undefined || through < stopBefore) resolveOffset(through.toString());
      };
      if (stopBefore !== undefined) batch.messages = batch.messages.filter((m) => BigInt(m.offset) < stopBefore);
      if (batch.messages.length === 0) {
        advance();
        return;
      }
      lastActivity = Date.now();
      const t0 = process.hrtime.bigint();
      handling++;
      try {
        await o.handle({
          batch,
          resolveOffset: (offset) => {
            resolveOffset(offset);
            position.set(k, BigInt(offset) + 1n);
          },
          heartbeat,
          isRunning,
          consumer,
        });
      } catch (err) {
        // kafkajs retries a batch that threw by itself (up to `retry.retries` times, with backoff: minutes in all)
        // before it reports a CRASH; a dependency that is away (Redis, Postgres) must show the stage failing from
        // the first failed attempt, not after those minutes.
        if (isRunning()) o.health?.troubled(err);
        throw err;
      } finally {
        handling--;
        lastActivity = Date.now();
      }
      if (position.get(k) === BigInt(batch.messages[batch.messages.length - 1]!.offset) + 1n) advance();
      metrics.batchDuration.observe({ stage: o.stage }, Number(process.hrtime.bigint() - t0) / 1e9);
      lastActivity = Date.now();
      o.health?.succeeded();
      await heartbeat();
    },
  });
  await done;
  // A stage that stopped because its consumer crashed must fail loudly, never look like a finished drain.
  if (crashed) throw crashed;
}
