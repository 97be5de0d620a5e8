// The memory guard refuses a view on a Redis whose maxmemory leaves no room under the budget.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer } from '../../infra/stack/redis.js';
import { portOpen } from '../../infra/stack/proc.js';
import { closePool } from '../../runtime/db.js';
import { metrics } from '../../runtime/metrics.js';
import { runSource } from '../../runtime/producer-runner.js';
import { runProcessor } from '../../runtime/processor-runner.js';
import { guard, memoryState, redisClient, runKeyedView, ViewRefused, type ViewRedis } from '../../runtime/redis-views.js';
import { testFlow, type TestFlow } from '../support/flow.js';

let f: TestFlow;
let small: ViewRedis;
const port = 16400 + Math.floor(Math.random() * 500);

beforeAll(async () => {
  // A Redis of its own with 1 MB of maxmemory: an empty server already uses most of that.
  startRedisServer({ port, dir: mkdtempSync(join(tmpdir(), 'gs-redis-')), maxmemory: '1mb' });
  for (let i = 0; i < 50 && !(await portOpen(port)); i++) await new Promise((r) => setTimeout(r, 100));
  small = redisClient(`redis://127.0.0.1:${port}`);
  f = await testFlow('guard');
  await runSource(f.source, { serde: f.serde, once: true, options: { count: 500, units: 5 } });
  await runProcessor(f.processor, { serde: f.serde, mode: 'drain' });
});
afterAll(async () => {
  await small.shutdown('NOSAVE').catch(() => undefined);
  small.disconnect();
  await closePool();
});

describe('Redis memory guard', () => {
  it('refuses a view that would go past the budget, with a metric, and writes nothing', async () => {
    const mem = await memoryState(small);
    expect(mem.max).toBe(1024 * 1024);
    await expect(guard(small, f.view.name, f.view.priority, 1000)).rejects.toBeInstanceOf(ViewRefused);

    // A refused view never reaches the end offsets; the drain's silence timeout ends this run.
    process.env.GRIDSTREAM_DRAIN_IDLE_MS = '3000';
    const refusedBefore = (await metrics.viewRefused.get()).values.find((v) => v.labels.view === f.view.name)?.value ?? 0;
    await runKeyedView(f.view, { serde: f.serde, mode: 'drain', redis: small, groupId: `guard.${f.id}`, refusedBackoffMs: 60_000 });
    const refusedAfter = (await metrics.viewRefused.get()).values.find((v) => v.labels.view === f.view.name)?.value ?? 0;
    expect(refusedAfter).toBeGreaterThan(refusedBefore);
    delete process.env.GRIDSTREAM_DRAIN_IDLE_MS;
    expect(await small.exists(`gs:view:${f.view.name}:by_duid`)).toBe(0);
  });

  it('writes the same view on the stack Redis, which has room', async () => {
    const r = redisClient();
    try {
      await runKeyedView(f.view, { serde: f.serde, mode: 'drain', redis: r, groupId: `guard.big.${f.id}` });
      expect(Object.keys(await r.hgetall(`gs:view:${f.view.name}:by_duid`)).length).toBe(5);
    } finally {
      r.disconnect();
    }
  });
});
