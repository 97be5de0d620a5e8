// The Elexon source's modes against the API double (stack responses BUILT FROM THE DOCUMENTED SHAPE, not recorded),
// driving the generator directly: no Kafka needed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StackElement } from '../../../schemas/elexon/raw.js';
import type { ElexonCursor } from '../../../producers/elexon/cursor.js';
import { elexonSourceComponent, type ElexonRawValue, type ElexonSourceOptions } from '../../../producers/elexon/source.js';
import { FETCH_HEADER } from '../../../schemas/elexon/topics.js';
import { elexonTopics } from '../../../schemas/elexon/topics.js';
import type { SourceBatch } from '../../../runtime/types.js';
import { generateDay, startElexonApiDouble, type ElexonApiDouble } from '../../support/elexon-api-double.js';

let api: ElexonApiDouble;
beforeAll(async () => {
  api = await startElexonApiDouble({ days: ['2025-06-15', '2025-06-16', '2025-10-26'] });
});
afterAll(async () => {
  await api.close();
});

type Batch = SourceBatch<ElexonRawValue, ElexonCursor>;

function source(now: () => number) {
  return elexonSourceComponent({ name: 'unit', topics: elexonTopics('unit'), baseUrl: api.baseUrl, requestsPerMinute: 600_000, windowDays: 2, now, http: { minDelayMs: 10, maxDelayMs: 50 } });
}

async function collect(s: ReturnType<typeof source>, cursor: ElexonCursor | undefined, options: ElexonSourceOptions, stopAfter = Infinity): Promise<Batch[]> {
  const out: Batch[] = [];
  for await (const b of s.source.read(cursor, options, { signal: new AbortController().signal })) {
    out.push(b);
    if (out.length >= stopAfter) break;
  }
  return out;
}

const stackRecords = (batches: Batch[]) => batches.flatMap((b) => b.records).filter((r) => 'side' in r.value);

describe('backfill', () => {
  it('fetches every period of the autumn day (50) in order, one batch each, and ends', async () => {
    const progress: number[] = [];
    const s = source(() => Date.parse('2025-10-30T12:00:00Z'));
    const batches: Batch[] = [];
    for await (const b of s.source.read({ bmunitsAt: Date.parse('2025-10-30T11:00:00Z') }, { date: '2025-10-26' }, { signal: new AbortController().signal, progress: (d) => progress.push(d) })) batches.push(b);
    expect(batches).toHaveLength(50);
    expect(progress).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    const periods = batches.map((b) => new Set(b.records.map((r) => (r.value as StackElement).settlementPeriod)));
    periods.forEach((p, i) => expect([...p]).toEqual([i + 1]));
    expect(stackRecords(batches)).toHaveLength(api.rowsFor('2025-10-26').length);
    expect(batches.at(-1)!.cursor.backfill).toBeUndefined();
    for (const r of stackRecords(batches)) expect(Number(r.headers?.[FETCH_HEADER])).toBeGreaterThan(0);
  });

  it('resumes an interrupted backfill of the same range, and starts a finished one again', async () => {
    const s = source(() => Date.parse('2025-10-30T12:00:00Z'));
    const opts = { from: '2025-06-15', to: '2025-06-15' };
    const part = await collect(s, { bmunitsAt: Date.parse('2025-10-30T11:00:00Z') }, opts, 3);
    expect(part.at(-1)!.cursor.backfill).toEqual({ ...opts, next: 3 });
    const rest = await collect(s, part.at(-1)!.cursor, opts);
    expect(rest).toHaveLength(45);
    expect((rest[0]!.records[0]!.value as StackElement).settlementPeriod).toBe(4);
    const again = await collect(s, rest.at(-1)!.cursor, opts);
    expect(again).toHaveLength(48);
  });
});

describe('continuous', () => {
  it('publishes the reference list, follows to the latest settled period, and re-polls only to publish revisions', async () => {
    let now = Date.parse('2025-06-16T02:00:00Z'); // 03:00 BST: SP5 of 2025-06-16 ended at 02:30 BST
    const s = source(() => now);
    const first = await collect(s, undefined, {});
    expect(first[0]!.records.every((r) => !('side' in r.value))).toBe(true);
    expect(first[0]!.records).toHaveLength(api.bmUnits.length);
    const cursor = first.at(-1)!.cursor;
    expect(cursor.latest).toEqual({ date: '2025-06-16', period: 5 });
    expect(cursor.sweptAt).toBe(now);
    // 48 + 5 periods followed from the window's first day; no sweep straight after fetching the whole window.
    const followed = stackRecords(first);
    expect(new Set(followed.map((r) => `${(r.value as StackElement).settlementDate}/${(r.value as StackElement).settlementPeriod}`)).size).toBe(53);
    expect(first.length).toBe(1 + 53);

    now += 10 * 60_000; // nothing settled since, sweep not due
    expect(await collect(s, cursor, {})).toEqual([]);

    // Elexon restates SP3 of the 15th; 40 minutes on, SP6 has settled and a sweep is due.
    const slot = generateDay('2025-06-15').find((x) => x.slot.period === 3 && x.slot.side === 'bid')!;
    api.setStack('2025-06-15', 3, 'bid', slot.rows.map((r) => ({ ...r, volume: r.volume === null ? null : r.volume * 2 })));
    now += 30 * 60_000;
    const later = await collect(s, cursor, {});
    const published = stackRecords(later).map((r) => r.value as StackElement & { side: string });
    const revised = published.filter((r) => r.settlementDate === '2025-06-15');
    expect(revised.length).toBe(slot.rows.length);
    expect(revised.every((r) => r.settlementPeriod === 3 && r.side === 'bid')).toBe(true);
    expect(published.filter((r) => r.settlementDate === '2025-06-16').every((r) => r.settlementPeriod === 6)).toBe(true);
    expect(later.at(-1)!.cursor.latest).toEqual({ date: '2025-06-16', period: 6 });
    expect(later.at(-1)!.cursor.sweep).toBeUndefined();
    expect(later.at(-1)!.cursor.sweptAt).toBe(now);
    // An unchanged sweep publishes nothing and writes a cursor only at each day's end and at the end.
    now += 31 * 60_000;
    const quiet = await collect(s, later.at(-1)!.cursor, {});
    const sweepOnly = quiet.filter((b) => b.records.length === 0);
    expect(sweepOnly).toHaveLength(2);
  });
});
