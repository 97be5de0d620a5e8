// The runtime end to end on the real stack: a synthetic source of 10,000 SCADA-shaped records, 3 of them malformed,
// through the transactional processor, the Postgres sink and a keyed Redis view.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closePool, pool } from '../../runtime/db.js';
import { readTopic } from '../../runtime/inspect.js';
import { runPgSink } from '../../runtime/pg-sink-runner.js';
import { runProcessor } from '../../runtime/processor-runner.js';
import { runSource } from '../../runtime/producer-runner.js';
import { redisClient, runKeyedView } from '../../runtime/redis-views.js';
import { syntheticReading } from '../../devkit/synthetic/source.js';
import { testFlow, type TestFlow } from '../support/flow.js';
import { expectedReadings, tableDump } from '../support/expect.js';

const COUNT = 10_000;
const UNITS = 50;
const MALFORMED = [17, 4242, 9999];
let f: TestFlow;

beforeAll(async () => {
  f = await testFlow('rt');
  const produced = await runSource(f.source, { serde: f.serde, once: true, options: { count: COUNT, units: UNITS, malformed: MALFORMED } });
  expect(produced.records).toBe(COUNT);
  await runProcessor(f.processor, { serde: f.serde, mode: 'drain' });
  await Promise.all([runPgSink(f.table, { serde: f.serde, mode: 'drain' }), runKeyedView(f.view, { serde: f.serde, mode: 'drain' })]);
});
afterAll(closePool);

describe('10,000 records with 3 malformed', () => {
  it('lands 9,997 rows in Postgres with the values the source wrote', async () => {
    const rows = await tableDump(f.table.table);
    const expected = expectedReadings(COUNT, UNITS, MALFORMED);
    expect(rows.length).toBe(9_997);
    expect(rows).toEqual(expected);
  });

  it('sends the 3 malformed records to the dead-letter topic with reason, position and raw bytes', async () => {
    const dead = await readTopic(`dlq.${f.source.topics[0]!.name}`);
    expect(dead.length).toBe(3);
    const reasons = dead.map((d) => d.headers.reason).sort();
    expect(reasons).toEqual(['duid is empty', 'scadavalue "n/a" is not a number', 'settlementdate "2024/13/45 99:99:99" is not a NEM time YYYY/MM/DD HH:MM:SS']);
    for (const d of dead) {
      expect(d.headers.stage).toBe(`process:${f.processor.name}`);
      expect(d.headers['source-topic']).toBe(f.source.topics[0]!.name);
      expect(Number(d.headers['source-offset'])).toBeGreaterThanOrEqual(0);
      // The raw record's own position header rides along (read from it only when it is dead-lettered).
      expect(d.headers['source-ref']).toBe(`synthetic:${f.source.name}`);
      // The value is the raw record's bytes as published: it decodes with the raw schema.
      const raw = (await f.serde.decode(d.value!)) as { duid: string };
      expect(typeof raw.duid).toBe('string');
    }
  });

  it('keeps the latest reading per unit in the Redis view', async () => {
    const r = redisClient();
    try {
      const view = await r.hgetall(`gs:view:${f.view.name}:by_duid`);
      expect(Object.keys(view).length).toBe(UNITS);
      const start = Date.parse('2024-07-31T14:05:00Z');
      for (let i = COUNT - UNITS; i < COUNT; i++) {
        if (MALFORMED.includes(i)) continue;
        const want = syntheticReading(i, UNITS, start);
        const got = JSON.parse(view[want.duid]!) as { settlementdate: string; scadavalue: number };
        expect(got.scadavalue).toBe(Number(want.scadavalue));
        expect(got.settlementdate).toBe(new Date(start + Math.floor(i / UNITS) * 300_000).toISOString());
      }
    } finally {
      r.disconnect();
    }
  });

  it('consuming the same offset range again, twice, changes nothing', async () => {
    const before = await tableDump(f.table.table);
    const xmins = await pool().query(`select count(distinct xmin::text)::int as n, max(xmin::text::bigint)::bigint as latest from ${f.table.table}`);
    for (const round of [1, 2]) {
      let written = 0;
      let read = 0;
      await runPgSink(f.table, { serde: f.serde, mode: 'drain', groupId: `replay.${f.id}.${round}`, onBatch: (s) => ((written += s.written), (read += s.read)) });
      expect(read).toBe(9_997);
      expect(written).toBe(0);
    }
    expect(await tableDump(f.table.table)).toEqual(before);
    // No row was rewritten: the newest writing transaction is still the original one.
    const after = await pool().query(`select count(distinct xmin::text)::int as n, max(xmin::text::bigint)::bigint as latest from ${f.table.table}`);
    expect(after.rows[0]).toEqual(xmins.rows[0]);
  });
});
