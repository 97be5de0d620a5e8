// Replay on the real stack: a range of a raw topic runs through its processor and sinks again in a dedicated group,
// changes nothing when the data is unchanged, and leaves the live groups' offsets where they were.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closePool, pool } from '../../runtime/db.js';
import { kafka } from '../../runtime/kafka.js';
import { runPgSink } from '../../runtime/pg-sink-runner.js';
import { processorGroup, runProcessor } from '../../runtime/processor-runner.js';
import { runSource } from '../../runtime/producer-runner.js';
import { offsetsForDates, replay } from '../../runtime/replay.js';
import { sinkGroup } from '../../runtime/pg-sink-runner.js';
import { testFlow, type TestFlow } from '../support/flow.js';
import { expectedReadings, tableDump } from '../support/expect.js';

const COUNT = 2016; // one NEM day of 5-minute readings for 7 units, 2024-08-01
const UNITS = 7;
let f: TestFlow;

async function liveOffsets() {
  const admin = kafka().admin();
  await admin.connect();
  try {
    const proc = await admin.fetchOffsets({ groupId: processorGroup(f.processor.name), topics: [f.processor.input.name] });
    const sink = await admin.fetchOffsets({ groupId: sinkGroup(f.table.name), topics: [f.table.topic.name] });
    const stored = await pool().query('select topic, partition, next_offset from sink_offsets where consumer_group = $1 order by topic, partition', [sinkGroup(f.table.name)]);
    return { proc, sink, stored: stored.rows };
  } finally {
    await admin.disconnect();
  }
}

beforeAll(async () => {
  f = await testFlow('replay');
  await runSource(f.source, { serde: f.serde, once: true, options: { count: COUNT, units: UNITS } });
  await runProcessor(f.processor, { serde: f.serde, mode: 'drain' });
  await runPgSink(f.table, { serde: f.serde, mode: 'drain' });
});
afterAll(closePool);

describe('replay', () => {
  it('replays an offset range twice: the table is unchanged and the live groups did not move', async () => {
    const before = await tableDump(f.table.table);
    expect(before).toEqual(expectedReadings(COUNT, UNITS, []));
    const offsets = await liveOffsets();
    const admin = kafka().admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(f.processor.input.name);
    await admin.disconnect();
    const from = new Map(ends.map((e) => [e.partition, 0n]));
    const to = new Map(ends.map((e) => [e.partition, BigInt(e.high)]));
    for (let i = 0; i < 2; i++) {
      const r = await replay({ flow: f.flow, serde: f.serde, from, to });
      expect(r.read).toBe(COUNT);
      expect(r.rejected).toBe(0);
      expect(r.tables).toEqual([{ table: f.table.table, written: 0, deleted: 0 }]);
    }
    expect(await tableDump(f.table.table)).toEqual(before);
    expect(await liveOffsets()).toEqual(offsets);
  });

  it('replays by date with the event-time index, keeping only records of that date', async () => {
    // Event time is the interval end in UTC; the NEM day 2024-08-01 spans 2024-07-31T14:05Z .. 2024-08-01T14:00Z.
    await pool().query(`update ${f.table.table} set scadavalue = -999 where settlementdate = '2024-07-31T20:00:00Z'`);
    const r = await replay({ flow: f.flow, serde: f.serde, dates: { from: '2024-07-31', to: '2024-07-31', eventDate: (ms) => new Date(ms).toISOString().slice(0, 10) } });
    // 2024-07-31 UTC holds the intervals 14:05 .. 23:55, i.e. 119 intervals x 7 units.
    expect(r.kept).toBe(119 * UNITS);
    expect(r.tables[0]!.written).toBe(UNITS); // only the corrupted interval changed back
    expect(await tableDump(f.table.table)).toEqual(expectedReadings(COUNT, UNITS, []));
  });

  it('locates date ranges from message timestamps', async () => {
    const { from, to } = await offsetsForDates(f.processor.input.name, Date.parse('2030-01-01T00:00:00Z'), 0);
    // Nothing at or after 2030: every partition's range is empty.
    for (const [p, start] of from) expect(start).toBe(to.get(p));
  });
});
