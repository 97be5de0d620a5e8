// The ComparePower source against a failing API double: the circuit breaker opens after 5 consecutive failures
// (no request reaches the API while it is open), half-opens after its reset time and closes on a good trial; a
// stalled API times out and is retried. The source is read directly (no Kafka needed to see its HTTP behaviour).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { comparePowerSourceComponent, SyncFailed } from '../../producers/comparepower/source.js';
import { closeSharedRedis } from '../../runtime/redis-views.js';
import { TDSPS } from '../../schemas/comparepower/tdsp.js';
import { comparePowerTopics } from '../../schemas/comparepower/topics.js';
import { startComparePowerApiDouble, type ComparePowerApiDouble } from '../support/comparepower.js';

let api: ComparePowerApiDouble;
const RESET_MS = 1500;

beforeAll(async () => {
  api = await startComparePowerApiDouble({ plansPerTdsp: 10 });
});
afterAll(async () => {
  await api?.close();
  closeSharedRedis();
});

/** One poll of the source: how many TDSPs completed, and the error it ended with. */
async function poll(source: ReturnType<typeof comparePowerSourceComponent>): Promise<{ synced: string[]; error?: Error }> {
  const synced: string[] = [];
  try {
    for await (const b of source.source.read(undefined, { datasets: TDSPS.map((t) => t.duns) }, { signal: new AbortController().signal })) {
      synced.push(...b.records.filter((r) => r.value.kind === 'sync_complete').map((r) => r.value.tdsp_duns));
    }
    return { synced };
  } catch (err) {
    return { synced, error: err as Error };
  }
}

describe('circuit breaker', () => {
  it('opens after 5 consecutive failures, fails fast while open, and recovers through a half-open trial', async () => {
    const source = comparePowerSourceComponent({ name: 'cp-breaker', topics: comparePowerTopics('cp_breaker'), baseUrl: api.baseUrl, http: { retries: 0, circuitBreaker: { failureThreshold: 5, resetMs: RESET_MS } } });
    api.down();
    const first = await poll(source);
    expect(first.error).toBeInstanceOf(SyncFailed);
    expect(first.synced).toEqual([]);
    expect(api.requests.filter((r) => r.status === 500)).toHaveLength(5);

    // Open: the API is not called at all.
    const calls = api.requests.length;
    const open = await poll(source);
    expect(open.error?.message).toMatch(/5 of 5 TDSP/);
    expect(api.requests.length).toBe(calls);

    // Half-open after the reset time; the API is back: the trial succeeds, the circuit closes, every TDSP syncs.
    api.recover();
    await new Promise((r) => setTimeout(r, RESET_MS + 100));
    const back = await poll(source);
    expect(back.error).toBeUndefined();
    expect(back.synced).toEqual(TDSPS.map((t) => t.duns));
  });

  it('a failed half-open trial opens the circuit again for another reset time', async () => {
    const source = comparePowerSourceComponent({ name: 'cp-breaker2', topics: comparePowerTopics('cp_breaker2'), baseUrl: api.baseUrl, http: { retries: 0, circuitBreaker: { failureThreshold: 5, resetMs: RESET_MS } } });
    api.down();
    await poll(source);
    await new Promise((r) => setTimeout(r, RESET_MS + 100));
    const before = api.requests.length;
    const trial = await poll(source);
    expect(api.requests.length - before).toBe(1); // one trial, then fail fast again
    expect(trial.error).toBeInstanceOf(SyncFailed);
    api.recover();
  });
});

describe('stall and retry', () => {
  it('times out a stalled call, retries with backoff, and completes once the API recovers', async () => {
    const source = comparePowerSourceComponent({ name: 'cp-stall', topics: comparePowerTopics('cp_stall'), baseUrl: api.baseUrl, http: { timeoutMs: 300, retries: 4, minDelayMs: 200, maxDelayMs: 400 } });
    api.stall();
    setTimeout(() => api.recover(), 700);
    const r = await poll(source);
    expect(r.error).toBeUndefined();
    expect(r.synced).toHaveLength(5);
    expect(api.requests.some((x) => x.status === 'stalled')).toBe(true);
  });

  it('retries 500s and succeeds within the retry budget', async () => {
    const source = comparePowerSourceComponent({ name: 'cp-500', topics: comparePowerTopics('cp_500'), baseUrl: api.baseUrl, http: { retries: 3, minDelayMs: 50, maxDelayMs: 100 } });
    const before = api.requests.length;
    api.inject500(2);
    const r = await poll(source);
    expect(r.error).toBeUndefined();
    expect(api.requests.slice(before).map((x) => x.status).slice(0, 3)).toEqual([500, 500, 200]);
  });
});
