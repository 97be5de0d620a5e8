// Redis views. Keyed views apply each record to a hash field only when its version is newer than the stored one,
// together with the view's consumed offsets in one MULTI/EXEC, so replays and restarts never move a view backwards
// or apply a batch twice. Whole views are built under a new version key and switched atomically.
// A memory guard refuses a write that would take Redis past its budget, lowest-priority views first.
import { Redis } from 'ioredis';
import type { KeyedViewComponent, ViewPriority } from './components.js';
import { config } from './config.js';
import { consume, type ConsumeOptions, type StageHealth } from './consumer.js';
import { deadLetterMessage } from './dlq.js';
import { kafka } from './kafka.js';
import { log } from './log.js';
import { metrics } from './metrics.js';
import { decodeValue, Undecodable } from './registry-wait.js';
import { namespace } from './namespace.js';
import type { Serde } from './serde.js';

export const VIEW_PREFIX = 'gs:view:';

// Keys are `gs:view:<view>:<part>[:<part>…]`, plus the reserved `<view>:_offsets` and `<hash>:_version`. A view's
// name comes from code; it may not hold ':' (viewKey('a:b', 'c') was viewKey('a', 'b:c'), and redisUsage counts a
// key under the name before its first ':') nor a SCAN glob character. A part may come from a record (a DUID, a
// region): a plain one is kept as it is, anything else (':' '*' '?' '[' a newline, a leading '_') is written as '~'
// and its UTF-8 in base64url, so no value can split into two parts, reach a reserved key or another view's keys, or
// act as a pattern.
const PLAIN = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** A view's name, checked: it goes into every key of the view. */
export function viewName(view: string): string {
  if (!PLAIN.test(view)) throw new Error(`not a view name (letters, digits, _ . - only): ${JSON.stringify(view)}`);
  return view;
}

/** One part of a view's key: as it is when plain, else `~<base64url of its UTF-8>` (never equal to a plain part). */
export const keyPart = (part: string): string => (PLAIN.test(part) ? part : `~${Buffer.from(part, 'utf8').toString('base64url')}`);

export const viewKey = (view: string, ...parts: string[]): string => `${VIEW_PREFIX}${viewName(view)}:${parts.map(keyPart).join(':')}`;
export const offsetsKey = (view: string): string => `${VIEW_PREFIX}${viewName(view)}:_offsets`;
export const versionsKey = (hash: string): string => `${hash}:_version`;

// KEYS[1] = hash, KEYS[2] = its version hash; ARGV = field, version, value.
const SET_IF_NEWER = `
local cur = redis.call('HGET', KEYS[2], ARGV[1])
if cur and tonumber(cur) >= tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
return 1`;

export type ViewRedis = Redis & { setIfNewer(hash: string, versions: string, field: string, version: number, value: string): Promise<number> };

/**
 * A Redis client in the process's namespace: ioredis puts `keyPrefix` before every command's keys and the Lua
 * script's KEYS, but not before SCAN/KEYS patterns nor the keys SCAN returns (redisUsage handles those).
 */
export function redisClient(url = config().redisUrl, keyPrefix = namespace().redisPrefix): ViewRedis {
  const r = new Redis(url, { maxRetriesPerRequest: 5, lazyConnect: false, keyPrefix }) as ViewRedis;
  r.defineCommand('setIfNewer', { numberOfKeys: 2, lua: SET_IF_NEWER });
  r.on('error', (err) => log.warn({ err: err.message }, 'redis connection error'));
  return r;
}

let shared: ViewRedis | undefined;

/**
 * The process's one Redis client for code that publishes views outside a view runner (e.g. whole views rebuilt after
 * a sink commit). The runtime owns it: a command closes it when it ends (closeSharedRedis), so no open connection
 * keeps a finished process alive; the next use after that connects again.
 */
export function sharedRedis(): ViewRedis {
  shared ??= redisClient();
  return shared;
}

export function closeSharedRedis(): void {
  shared?.disconnect();
  shared = undefined;
}

export interface MemoryState {
  used: number;
  max: number;
}

export async function memoryState(r: Redis): Promise<MemoryState> {
  const info = await r.info('memory');
  const field = (name: string) => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)?.[1] ?? 0);
  return { used: field('used_memory'), max: field('maxmemory') };
}

/** Lower priorities must leave more headroom, so they are the first refused as memory fills. */
const priorityShare: Record<ViewPriority, number> = { high: 1, normal: 0.9, low: 0.8 };

/**
 * Whether writing `estimate` more bytes keeps Redis within the budget (a share of maxmemory, default 80 %).
 * With no maxmemory set, Redis has no limit to protect and everything passes.
 */
export function withinBudget(mem: MemoryState, estimate: number, priority: ViewPriority, budget = config().redisMemoryBudget): boolean {
  if (mem.max === 0) return true;
  return mem.used + estimate <= mem.max * budget * priorityShare[priority];
}

export class ViewRefused extends Error {}

export async function guard(r: Redis, view: string, priority: ViewPriority, estimate: number): Promise<void> {
  const mem = await memoryState(r);
  if (withinBudget(mem, estimate, priority)) return;
  metrics.viewRefused.inc({ view });
  const msg = `view ${view} (${priority}) refused: ${mem.used} B used + ~${estimate} B would exceed ${Math.round(config().redisMemoryBudget * priorityShare[priority] * 100)} % of maxmemory ${mem.max} B`;
  log.error({ view, priority, used: mem.used, max: mem.max, estimate }, msg);
  throw new ViewRefused(msg);
}

export interface ViewRunOptions {
  serde: Serde;
  mode: 'forever' | 'drain';
  groupId?: string;
  until?: ConsumeOptions['until'];
  from?: ConsumeOptions['startAt'];
  redis?: ViewRedis;
  /** How long to hold a refused view before trying again (ms). */
  refusedBackoffMs?: number;
  /** Stops the view after its current batch. */
  signal?: AbortSignal;
  /** The stage's supervisor, told how the stage is doing (runtime/supervisor.ts). */
  health?: StageHealth;
}

export const viewGroup = (name: string) => `gridstream.view.${name}`;

export async function runKeyedView<V>(view: KeyedViewComponent<V>, o: ViewRunOptions): Promise<void> {
  const stage = `view:${view.name}`;
  const groupId = o.groupId ?? viewGroup(view.name);
  const r = o.redis ?? redisClient();
  const storedOffset = async (partition: number) => {
    const v = await r.hget(offsetsKey(view.name), `${groupId}:${view.topic.name}:${partition}`);
    return v === null ? undefined : BigInt(v);
  };
  const floor = new Map<number, bigint>();
  let dlqProducer: ReturnType<ReturnType<typeof kafka>['producer']> | undefined;
  try {
    await consume({
      stage,
      groupId,
      topics: [view.topic.name],
      mode: o.mode,
      health: o.health,
      signal: o.signal,
      until: o.until,
      autoCommit: true,
      // Redis keeps nothing on disk: when the view's offsets are gone, so is the view, and it is rebuilt from the
      // start of the compacted clean topic rather than from the group's committed offset.
      startAt: async (_topic, partition) => (await storedOffset(partition)) ?? (await o.from?.(_topic, partition)) ?? 0n,
      onAssigned: () => floor.clear(),
      handle: async ({ batch, resolveOffset, consumer, heartbeat, isRunning }) => {
        const p = batch.partition;
        const stored = await storedOffset(p);
        if (!floor.has(p)) floor.set(p, stored ?? -1n);
        else if (stored === undefined && floor.get(p)! >= 0n) {
          // This runner wrote offsets here and Redis no longer has them: it restarted without its data (it keeps
          // nothing on disk), and the view went with them. Rebuild it from the start of the compacted clean topic,
          // as a new runner would; going on from here would leave out every key not written again since.
          // Every partition this runner holds lost its keys too, not only the one whose batch noticed: rebuild them all.
          log.warn({ stage, partitions: [...floor.keys()] }, 'Redis lost the view (restarted empty): rebuilding it from the start of its topic');
          for (const q of [...floor.keys()]) {
            floor.set(q, -1n);
            consumer.seek({ topic: batch.topic, partition: q, offset: '0' });
          }
          return;
        }
        const min = floor.get(p)!;
        const entries = new Map<string, { hash: string; field: string; version: number; value: string }>();
        const dead: ReturnType<typeof deadLetterMessage>[] = [];
        for (const m of batch.messages) {
          if (BigInt(m.offset) < min || !m.value) continue;
          let value: V;
          try {
            value = (await decodeValue(o.serde, m.value, { stage, heartbeat, isRunning })) as V;
          } catch (err) {
            // Anything but bad bytes (stopping while the registry is away, a rebalance) leaves the batch for later.
            if (!(err instanceof Undecodable)) throw err;
            dead.push(deadLetterMessage({ topic: batch.topic, stage, reason: `undecodable: ${err.message}`, bytes: m.value, key: m.key, partition: p, offset: m.offset }));
            continue;
          }
          for (const e of view.entries(value)) {
            const k = `${e.hash}\u0000${e.field}`;
            const prev = entries.get(k);
            if (!prev || e.version >= prev.version) entries.set(k, e);
          }
        }
        const last = batch.messages[batch.messages.length - 1]!.offset;
        const estimate = [...entries.values()].reduce((n, e) => n + e.hash.length + e.field.length * 2 + e.value.length + 48, 0);
        try {
          await guard(r, view.name, view.priority, estimate);
        } catch (err) {
          if (!(err instanceof ViewRefused)) throw err;
          // Hold this partition and come back to the same batch later: the view falls behind rather than breaking Redis.
          consumer.pause([{ topic: batch.topic, partitions: [p] }]);
          consumer.seek({ topic: batch.topic, partition: p, offset: batch.messages[0]!.offset });
          setTimeout(() => consumer.resume([{ topic: batch.topic, partitions: [p] }]), o.refusedBackoffMs ?? 30_000).unref();
          return;
        }
        if (dead.length) {
          // Durable before the offsets that pass them.
          dlqProducer ??= kafka().producer({ idempotent: true });
          await dlqProducer.connect();
          for (const d of dead) await dlqProducer.send({ topic: d.topic, messages: [d.message] });
        }
        const tx = r.multi();
        for (const e of entries.values()) void (tx as unknown as ViewRedis).setIfNewer(e.hash, versionsKey(e.hash), e.field, e.version, e.value);
        tx.hset(offsetsKey(view.name), `${groupId}:${view.topic.name}:${p}`, (BigInt(last) + 1n).toString());
        const res = await tx.exec();
        const failed = res?.find(([err]) => err);
        if (!res || failed) throw new Error(`view ${view.name}: MULTI/EXEC failed: ${failed?.[0]?.message ?? 'aborted'}`);
        floor.set(p, BigInt(last) + 1n);
        metrics.recordsOut.inc({ stage }, entries.size);
        resolveOffset(last);
      },
    });
  } finally {
    if (!o.redis) r.disconnect();
    await dlqProducer?.disconnect().catch(() => undefined);
  }
}

/**
 * A whole view: `build` makes the payload (e.g. from Postgres), written under a new version key; the pointer
 * `<view>:current` switches to it in one MULTI/EXEC and the old version is deleted after the switch.
 */
export async function publishWholeView(r: Redis, view: { name: string; priority: ViewPriority }, payload: string): Promise<string> {
  await guard(r, view.name, view.priority, payload.length + 64);
  const pointer = viewKey(view.name, 'current');
  const version = `${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
  const dataKey = viewKey(view.name, 'v', version);
  await r.set(dataKey, payload);
  const old = await r.get(pointer);
  await r.multi().set(pointer, dataKey).exec();
  if (old && old !== dataKey) await r.unlink(old);
  return dataKey;
}

/** True when the whole view has no current version (never published, or lost with Redis's memory). */
export async function wholeViewMissing(r: Redis, view: string): Promise<boolean> {
  const key = await r.get(viewKey(view, 'current'));
  return !key || (await r.exists(key)) === 0;
}

export async function readWholeView(r: Redis, view: string): Promise<string | null> {
  const key = await r.get(viewKey(view, 'current'));
  return key ? r.get(key) : null;
}

/** Bytes per view (MEMORY USAGE over its keys) and the headroom left under the budget. */
export async function redisUsage(r: Redis): Promise<{ views: Record<string, number>; used: number; max: number; budget: number; headroom: number | null }> {
  const views: Record<string, number> = {};
  // SCAN sees whole key names: match and strip the client's own prefix (that of its namespace) by hand.
  const prefix = r.options.keyPrefix ?? '';
  let cursor = '0';
  do {
    const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}${VIEW_PREFIX}*`, 'COUNT', 500);
    cursor = next;
    for (const full of keys) {
      const k = full.slice(prefix.length);
      const name = k.slice(VIEW_PREFIX.length).split(':')[0]!;
      views[name] = (views[name] ?? 0) + ((await r.memory('USAGE', k)) ?? 0);
    }
  } while (cursor !== '0');
  const mem = await memoryState(r);
  const budget = mem.max * config().redisMemoryBudget;
  return { views, used: mem.used, max: mem.max, budget, headroom: mem.max ? budget - mem.used : null };
}
