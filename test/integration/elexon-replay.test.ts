// Reconcile, replay and reingest of Elexon dates on the real stack. The API is the project's double, whose stack
// responses are BUILT FROM THE DOCUMENTED SHAPE (shared/specs/uk.md §1), not recorded: no real response is public.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closePool, pool } from '../../runtime/db.js';
import { kafka } from '../../runtime/kafka.js';
import { readTopic } from '../../runtime/inspect.js';
import { processorGroup, runProcessor } from '../../runtime/processor-runner.js';
import { runPgSink, sinkGroup } from '../../runtime/pg-sink-runner.js';
import { runSource } from '../../runtime/producer-runner.js';
import { replay } from '../../runtime/replay.js';
import { periodOf } from '../../schemas/elexon/calendar.js';
import { reingestDate } from '../../ops/elexon/reingest.js';
import { formatReport } from '../../ops/elexon/totals.js';
import { reconcileDate } from '../../ops/elexon/reconcile.js';
import { curtailEveryPeriod, dumpElexonTables, elexonTestFlow, type ElexonApiDouble, type ElexonTestFlow, startElexonApiDouble } from '../support/elexon-api-double.js';

const NORMAL = '2025-06-15';
const AUTUMN = '2025-10-26';
const eventDate = (ms: number) => periodOf(ms).date;

let api: ElexonApiDouble;
let f: ElexonTestFlow;

const expectedOf = (date: string) => ({ energyMwh: api.expectedTotals(date).energyMwh, paymentGbp: api.expectedTotals(date).paymentGbp });
const reconcileNow = (date: string) => reconcileDate({ date, topics: f.topics, tables: f.tables, serde: f.serde, expected: expectedOf(date) });
const replayDate = (date: string) => replay({ flow: f.flow, serde: f.serde, dates: { from: date, to: date, eventDate }, replace: true });

async function clearCurtailmentTables(): Promise<Record<string, string[]>> {
  const all = await dumpElexonTables(f.tables);
  return Object.fromEntries(Object.entries(all).filter(([t]) => t !== f.tables.difficulty));
}

beforeAll(async () => {
  api = await startElexonApiDouble({ days: [NORMAL, AUTUMN] });
  for (const d of [NORMAL, AUTUMN]) curtailEveryPeriod(api, d);
  f = await elexonTestFlow('elxr', api.baseUrl, () => Date.parse('2025-10-26T15:00:00Z'));
  await pool().query(`insert into ${f.tables.difficulty} (date, difficulty) values ($1, 1.2e14), ($2, 1.5e14)`, [NORMAL, AUTUMN]);
  for (const date of [NORMAL, AUTUMN]) await runSource(f.source, { serde: f.serde, once: true, options: { date } });
  await runProcessor(f.processor, { serde: f.serde, mode: 'drain' });
  await runPgSink(f.sink, { serde: f.serde, mode: 'drain' });
});
afterAll(async () => {
  await api?.close();
  await closePool();
});

describe('reconcile elexon', () => {
  it('reports 50/50 on the autumn clock-change day, with Postgres, raw and expected figures equal', async () => {
    const r = await reconcileNow(AUTUMN);
    expect(r.problems).toEqual([]);
    expect(r.raw.fetchedPeriods).toHaveLength(50);
    expect(r.postgres.periods).toHaveLength(50);
    expect(r.postgres.records).toBe(api.expectedTotals(AUTUMN).records);
    expect(r.raw.unknownBmuRows).toBeGreaterThan(0); // the double serves rows on a unit nobody knows
    const text = formatReport(r).join('\n');
    expect(text).toContain('50/50');
    expect(text).toContain('result: OK');
  });

  it('reports a difference when Postgres lost a row', async () => {
    await pool().query(`delete from ${f.tables.records} where record_key = (select min(record_key) from ${f.tables.records} where settlement_date = $1)`, [AUTUMN]);
    const r = await reconcileNow(AUTUMN);
    expect(r.problems.join('; ')).toMatch(/records: Postgres \d+, raw \d+/);
    expect(formatReport(r).at(-1)).toMatch(/^result: DIFFERS/);
  });
});

describe('replay of a date', () => {
  it('restores what Postgres lost, and replaying it twice leaves every table byte-identical', async () => {
    const first = await replayDate(AUTUMN);
    expect(first.tables[0]!.written).toBe(1); // the lost row
    expect((await reconcileNow(AUTUMN)).problems).toEqual([]);
    const once = await clearCurtailmentTables();
    const second = await replayDate(AUTUMN);
    expect(second.tables[0]).toEqual({ table: f.tables.records, written: 0, deleted: 0 });
    expect(await clearCurtailmentTables()).toEqual(once);
  });

  it('does not move the live consumer groups while they run', async () => {
    const admin = kafka().admin();
    await admin.connect();
    const stop = new AbortController();
    const live = Promise.all([
      runProcessor(f.processor, { serde: f.serde, mode: 'forever', signal: stop.signal }),
      runPgSink(f.sink, { serde: f.serde, mode: 'forever', signal: stop.signal }),
    ]);
    const sinkOffsets = async () =>
      (await pool().query<{ consumer_group: string; partition: number; next_offset: number }>(`select consumer_group, partition, next_offset from sink_offsets where topic = $1 order by 1, 2`, [f.topics.curtailment.name])).rows;
    const committed = async (group: string, topic: string) =>
      Object.fromEntries((await admin.fetchOffsets({ groupId: group, topics: [topic] }))[0]!.partitions.map((p) => [p.partition, Number(p.offset)]));
    try {
      await new Promise((r) => setTimeout(r, 4000)); // both live stages have joined and are idle at the end
      const processorBefore = await committed(processorGroup(f.processor.name), f.topics.stack.name);
      const sinkBefore = await sinkOffsets();
      expect(sinkBefore.every((r) => r.consumer_group === sinkGroup(f.sink.name))).toBe(true);
      const samples: typeof sinkBefore[] = [];
      const sampler = setInterval(() => void sinkOffsets().then((s) => samples.push(s)), 100);
      const result = await replayDate(AUTUMN);
      clearInterval(sampler);
      expect(result.produced).toBe(api.expectedTotals(AUTUMN).records);
      // The live processor's position on the raw topic is where it was: replay read with a group of its own.
      expect(await committed(processorGroup(f.processor.name), f.topics.stack.name)).toEqual(processorBefore);
      // The live sink only ever moved forward from where it stood (consuming the replay's corrected values on the
      // clean topic like any new records); nothing rewound it to the replayed range, and no other group appeared.
      const at = (rows: typeof sinkBefore, p: number) => rows.find((r) => r.partition === p)?.next_offset ?? 0;
      for (const s of samples) for (const b of sinkBefore) expect(at(s, b.partition)).toBeGreaterThanOrEqual(b.next_offset);
      await new Promise((r) => setTimeout(r, 3000));
      const ends = await admin.fetchTopicOffsets(f.topics.curtailment.name);
      const after = await sinkOffsets();
      expect(after.every((r) => r.consumer_group === sinkGroup(f.sink.name))).toBe(true);
      for (const e of ends) expect(at(after, e.partition)).toBeGreaterThanOrEqual(Number(e.high) - 1); // -1: the commit marker
      const groups = (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.includes(f.topics.stack.name));
      expect(groups).toEqual([]);
    } finally {
      stop.abort();
      await live;
      await admin.disconnect();
    }
  });
});

describe('reingest elexon', () => {
  it('with --replace removes a row the source no longer reports (rows, summaries and bitcoin)', async () => {
    const rows = api.rowsFor(NORMAL).filter((r) => r.settlementPeriod === 20);
    const bids = rows.filter((r) => (r.bidOfferPairId ?? 0) < 0 && r.volume !== null && r.volume < 0 && r.soFlag === true && r.id !== null && api.bmUnits.some((u) => u.elexonBmUnit === r.id && u.fuelType === 'WIND'));
    const gone = bids[0]!;
    const key = [NORMAL, '20', 'bid', gone.id, gone.acceptanceId ?? 'none', gone.bidOfferPairId ?? 'none', gone.sequenceNumber ?? 'none'].join('|');
    expect((await pool().query(`select 1 from ${f.tables.records} where record_key = $1`, [key])).rowCount).toBe(1);
    const dailyBefore = (await pool().query<{ n: number }>(`select records as n from ${f.tables.daily} where summary_date = $1`, [NORMAL])).rows[0]!.n;
    // The generator gives bid rows negative pair ids: the bid stack of period 20 without the one row.
    api.setStack(NORMAL, 20, 'bid', rows.filter((r) => (r.bidOfferPairId ?? 0) < 0 && r !== gone));
    const r = await reingestDate(f, f.serde, NORMAL, { expected: expectedOf(NORMAL) });
    expect(r.replay.tables[0]!.deleted).toBe(1);
    expect(r.report.problems).toEqual([]);
    expect((await pool().query(`select 1 from ${f.tables.records} where record_key = $1`, [key])).rowCount).toBe(0);
    expect((await pool().query<{ n: number }>(`select records as n from ${f.tables.daily} where summary_date = $1`, [NORMAL])).rows[0]!.n).toBe(dailyBefore - 1);
    const btc = await pool().query<{ e: string }>(`select sum(curtailed_mwh)::text as e from ${f.tables.btcDaily} where summary_date = $1 and miner_model = 'S9'`, [NORMAL]);
    const rec = await pool().query<{ e: string }>(`select sum(curtailed_mwh)::text as e from ${f.tables.records} where settlement_date = $1`, [NORMAL]);
    expect(btc.rows[0]!.e).toBe(rec.rows[0]!.e);
    // The deleted row became a tombstone on the clean topic, so a consumer bootstrapping from it does not see it.
    const clean = await readTopic(f.topics.curtailment.name);
    const last = clean.filter((m) => m.key === key).at(-1);
    expect(last?.value).toBeNull();
  });

  it('of 2025-10-26 reports 50/50 and the double\'s totals; running it twice changes nothing', async () => {
    const first = await reingestDate(f, f.serde, AUTUMN, { expected: expectedOf(AUTUMN) });
    expect(first.report.problems).toEqual([]);
    const text = formatReport(first.report).join('\n');
    expect(text).toMatch(/postgres\s+50\/50/);
    expect(first.report.postgres.records).toBe(api.expectedTotals(AUTUMN).records);
    expect(first.report.postgres.energyMwh).toBeCloseTo(api.expectedTotals(AUTUMN).energyMwh, 6);
    expect(first.report.postgres.paymentGbp).toBeCloseTo(api.expectedTotals(AUTUMN).paymentGbp, 6);
    const before = await clearCurtailmentTables();
    const second = await reingestDate(f, f.serde, AUTUMN, { expected: expectedOf(AUTUMN) });
    expect(second.report.problems).toEqual([]);
    expect(second.replay.tables[0]).toMatchObject({ written: 0, deleted: 0 });
    expect(await clearCurtailmentTables()).toEqual(before);
  });
});
