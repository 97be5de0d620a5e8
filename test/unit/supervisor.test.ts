import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../runtime/config.js';
import { backoffDelay, isFatal, StageBoard, supervise } from '../../runtime/supervisor.js';
import { formatOutcomes } from '../../cli/outcomes.js';

const fast = { minMs: 5, maxMs: 20 };

describe('supervise', () => {
  it('restarts a failing stage with backoff, shows it backing off, and marks it running once it succeeds', async () => {
    const board = new StageBoard();
    const states: string[] = [];
    board.onChange((r, prev) => {
      if (r.state !== prev) states.push(r.state);
    });
    let calls = 0;
    const outcome = await supervise(
      'produce:x',
      async (ctx) => {
        calls++;
        if (calls < 3) throw new Error(`ECONNREFUSED ${calls}`);
        ctx.succeeded();
      },
      { mode: 'forever', backoff: fast, board },
    );
    expect(calls).toBe(3);
    expect(outcome.state).toBe('done');
    expect(states).toEqual(['starting', 'running', 'backing-off', 'running', 'done']);
    const r = board.get('produce:x')!;
    expect(r).toMatchObject({ failures: 2, restarts: 2, lastError: 'ECONNREFUSED 2' });
    expect(r.lastSuccess).not.toBeNull();
  });

  it('gives up after its attempts with --once and reports the stage failed, without throwing', async () => {
    const board = new StageBoard();
    let calls = 0;
    const outcome = await supervise('produce:y', async () => { calls++; throw new Error('down'); }, { mode: 'once', attempts: 2, backoff: fast, board });
    expect(calls).toBe(2);
    expect(outcome).toMatchObject({ state: 'failed', error: 'down', attempts: 2 });
    expect(board.get('produce:y')!.state).toBe('failed');
  });

  it('stops at once on a configuration or programming error', async () => {
    const board = new StageBoard();
    let calls = 0;
    await expect(supervise('sink:z', async () => { calls++; throw new ConfigError('X', 'bad'); }, { mode: 'forever', backoff: fast, board })).rejects.toThrow(/X: bad/);
    expect(calls).toBe(1);
    expect(board.get('sink:z')!.state).toBe('failed');
  });

  it('a stop during backoff ends the stage as stopped', async () => {
    const board = new StageBoard();
    const stop = new AbortController();
    const p = supervise('process:w', async () => { throw new Error('broker away'); }, { mode: 'forever', backoff: { minMs: 60_000, maxMs: 60_000 }, board, signal: stop.signal });
    await new Promise((r) => setTimeout(r, 20));
    expect(board.get('process:w')!.state).toBe('backing-off');
    stop.abort();
    expect((await p).state).toBe('stopped');
  });
});

describe('isFatal', () => {
  it('tells bugs and configuration from outages', () => {
    expect(isFatal(new ConfigError('A', 'b'))).toBe(true);
    expect(isFatal(new ReferenceError('x is not defined'))).toBe(true);
    expect(isFatal(new TypeError("Cannot read properties of undefined (reading 'a')"))).toBe(true);
    expect(isFatal(new TypeError('fetch failed'))).toBe(false);
    expect(isFatal(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe(false);
  });
});

describe('backoffDelay', () => {
  it('grows exponentially to its cap, jittered below the ceiling', () => {
    const o = { minMs: 1000, maxMs: 8000 };
    expect(backoffDelay(1, o, () => 1)).toBe(1000);
    expect(backoffDelay(3, o, () => 1)).toBe(4000);
    expect(backoffDelay(10, o, () => 1)).toBe(8000);
    expect(backoffDelay(10, o, () => 0)).toBe(800);
  });
});

describe('formatOutcomes', () => {
  it('lists every stage with its outcome and error', () => {
    const lines = formatOutcomes([
      { name: 'produce:elexon', state: 'failed', error: 'fetch failed', attempts: 3, ms: 4200 },
      { name: 'sink:aemo_scada', state: 'done', error: null, attempts: 1, ms: 800 },
    ]);
    expect(lines[0]).toMatch(/^stage\s+outcome/);
    expect(lines[1]).toMatch(/^produce:elexon\s+failed\s+3\s+4\.2\s+fetch failed$/);
    expect(lines[2]).toMatch(/^sink:aemo_scada\s+done\s+1\s+0\.8$/);
  });
});
