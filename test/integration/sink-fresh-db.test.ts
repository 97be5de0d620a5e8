// sink_offsets is the truth for Postgres (issue: a sink pointed at an empty database trusted the Kafka group's
// committed offset and left the new database empty). A database without positions is filled from the start of the
// compacted clean topic; a database restored from a backup resumes from its own positions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closePool, pool } from '../../runtime/db.js';
import { runPgSink, sinkGroup } from '../../runtime/pg-sink-runner.js';
import { runProcessor } from '../../runtime/processor-runner.js';
import { runSource } from '../../runtime/producer-runner.js';
import { testFlow, type TestFlow } from '../support/flow.js';
import { expectedReadings, tableDump } from '../support/expect.js';

let f: TestFlow;
const UNITS = 10;

async function positions(): Promise<{ partition: number; next_offset: string }[]> {
  const r = await pool().query<{ partition: number; next_offset: string }>('select partition, next_offset::text from sink_offsets where consumer_group = $1 order by partition', [sinkGroup(f.table.name)]);
  return r.rows;
}

beforeAll(async () => {
  f = await testFlow('fresh');
  await runSource(f.source, { serde: f.serde, once: true, options: { count: 500, units: UNITS } });
  await runProcessor(f.processor, { serde: f.serde, mode: 'drain' });
  await runPgSink(f.table, { serde: f.serde, mode: 'drain' });
});
afterAll(async () => {
  await pool().query(`drop table if exists ${f.table.table}`);
  await pool().query('delete from sink_offsets where consumer_group = $1', [sinkGroup(f.table.name)]);
  await closePool();
});

describe('a sink and the database it writes', () => {
  it('fills an empty database (no rows, no positions) from the start of the clean topic', async () => {
    const before = await tableDump(f.table.table);
    expect(before).toEqual(expectedReadings(500, UNITS, []));
    // A new database: the table is empty and sink_offsets knows nothing, while the Kafka group still has its offsets.
    await pool().query(`truncate ${f.table.table}`);
    await pool().query('delete from sink_offsets where consumer_group = $1', [sinkGroup(f.table.name)]);
    await runPgSink(f.table, { serde: f.serde, mode: 'drain' });
    expect(await tableDump(f.table.table)).toEqual(before);
  });

  it('resumes a database restored from a backup from the positions in that backup', async () => {
    // The backup: the rows and positions as they are now (500 readings).
    const backupRows = await tableDump(f.table.table);
    const backupPositions = await positions();
    // More data arrives and lands.
    await runSource(f.source, { serde: f.serde, once: true, options: { count: 800, units: UNITS } });
    await runProcessor(f.processor, { serde: f.serde, mode: 'drain' });
    await runPgSink(f.table, { serde: f.serde, mode: 'drain' });
    const latest = await tableDump(f.table.table);
    expect(latest.length).toBeGreaterThan(backupRows.length);
    // Restore the backup: rows and positions go back together.
    await pool().query(`truncate ${f.table.table}`);
    for (const r of backupRows) await pool().query(`insert into ${f.table.table} (duid, settlementdate, scadavalue) values ($1, $2, $3)`, [r.duid, r.settlementdate, r.scadavalue]);
    for (const p of backupPositions) await pool().query('update sink_offsets set next_offset = $1 where consumer_group = $2 and partition = $3', [p.next_offset, sinkGroup(f.table.name), p.partition]);
    await runPgSink(f.table, { serde: f.serde, mode: 'drain' });
    expect(await tableDump(f.table.table)).toEqual(latest);
  });
});
