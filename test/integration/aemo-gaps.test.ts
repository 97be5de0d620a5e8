// `gridstream gaps aemo --from --to [--repair]` on the real stack: a real MMSDM day (2024-08-01, the fixture NEMWEB
// server) is loaded through source -> processors -> sinks into tables of this file's own, known intervals are
// deleted, the gap finder the CLI uses (sinks/aemo/gaps.ts findGaps) must name exactly those, and the repair the
// CLI runs (gaps.ts repairPlan -> one backfill run of the AEMO source per day) must make them disappear once the
// process and sink stages have run.
//
// The CLI action cannot be pointed at other tables or topics (findGaps(pool(), from, to) uses the real table names,
// aemoSource() the real topics and cursor), so `cliRepair` below is its repair loop line for line, on this file's
// own source; see the report for the proposed `repairGaps` export that would let the test call the CLI's own code.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnySource, Flow } from '../../runtime/components.js';
import { closePool, pool } from '../../runtime/db.js';
import { runSource } from '../../runtime/producer-runner.js';
import { Serde } from '../../runtime/serde.js';
import { runStages } from '../../runtime/stages.js';
import { applyTopics } from '../../runtime/topics-apply.js';
import { catalogue } from '../../schemas/catalogue.js';
import { aemoSource } from '../../producers/aemo/source.js';
import { aemoRawTopicSpecs } from '../../schemas/aemo/topics.js';
import { aemoPipelineFlows } from '../../pipeline/aemo.js';
import type { AemoTableNames } from '../../sinks/aemo/index.js';
import { findGaps, gapChecks, repairPlan } from '../../ops/aemo/gaps.js';
import { repairGaps } from '../../cli/aemo.js';
import type { TableGaps } from '../../ops/aemo/gaps.js';
import { startFixtureNemweb } from '../support/nemweb-server.js';
import type { FixtureNemweb } from '../support/nemweb-server.js';

const FAST_HTTP = { minDelayMs: 20, maxDelayMs: 100, requestsPerSecond: 1000 };
const DAY = '2024-08-01';
const serde = Serde.fromConfig();
/** NEM wall time on DAY (or the next day's 00:00 as `24:00`) -> UTC ms, computed here (UTC+10, no DST). */
const at = (hhmm: string): number => Date.parse(`${DAY}T00:00:00+10:00`) + (Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5))) * 60_000;

const id = `t_aemogap_${randomBytes(3).toString('hex')}`;
const tables: AemoTableNames = { scada: `${id}_scada`, price: `${id}_price`, interconnector: `${id}_ic`, rooftop: `${id}_rooftop`, rooftop5: `${id}_rooftop5`, registry: `${id}_duids` };
let server: FixtureNemweb;
let source: AnySource;
let flows: Flow[];

/** The CLI's `--repair` code (cli/aemo.ts repairGaps), handed this test's source. */
const cliRepair = (gaps: TableGaps[], out: (s: string) => void) => repairGaps(gaps, source, serde, out);

const processAndSink = () => runStages(flows, serde, { kinds: ['process', 'sink'], once: true });

/** Deletes rows at the given NEM times (plus an optional filter); returns the distinct instants deleted. */
async function remove(table: string, column: string, times: number[], where = 'true'): Promise<number[]> {
  const r = await pool().query<{ t: Date }>(`delete from ${table} where ${column} = any($1::timestamptz[]) and ${where} returning ${column} as t`, [times.map((t) => new Date(t))]);
  return [...new Set(r.rows.map((x) => x.t.getTime()))].sort((a, b) => a - b);
}

const missingOf = (gaps: TableGaps[], table: string): number[] => gaps.find((g) => g.check.table === table)!.missing;

beforeAll(async () => {
  server = await startFixtureNemweb({ browserOnly: true });
  const prefix = `raw.${id}`;
  source = aemoSource({ name: id, topicPrefix: prefix, baseUrl: server.url, http: FAST_HTTP });
  const built = aemoPipelineFlows(aemoRawTopicSpecs(prefix), { id, tables, views: false, source });
  flows = built.flows;
  const like: AemoTableNames = { scada: 'aemo_unit_scada', price: 'aemo_region_price', interconnector: 'aemo_interconnector_flow', rooftop: 'aemo_rooftop_pv', rooftop5: 'aemo_rooftop_pv_5min', registry: 'aemo_duid_registry' };
  for (const k of Object.keys(tables) as (keyof AemoTableNames)[]) await pool().query(`create table ${tables[k]} (like ${like[k]} including all)`);
  await applyTopics(catalogue(flows), serde);
  await runSource(source, { serde, once: true, options: { from: DAY, to: DAY } });
  await processAndSink();
});

afterAll(async () => {
  await server?.close();
  for (const t of Object.values(tables)) await pool().query(`drop table if exists ${t}`);
  await closePool();
});

describe('gaps aemo', () => {
  it('a whole loaded day has no gaps (the fixture day is complete: 288 dispatch and 48 rooftop intervals)', async () => {
    const n = await pool().query<{ n: number }>(`select count(distinct settlementdate)::int as n from ${tables.scada}`);
    expect(n.rows[0]!.n).toBe(288);
    const gaps = await findGaps(pool(), DAY, DAY, gapChecks(tables));
    expect(gaps.map((g) => [g.check.table, g.missing.length])).toEqual([
      [tables.scada, 0],
      [tables.price, 0],
      [tables.interconnector, 0],
      [tables.rooftop, 0],
    ]);
  });

  it('names exactly the deleted 5-minute and 30-minute intervals; partial intervals and other row kinds are not gaps', async () => {
    // SCADA: both DUIDs at 10:05 and 10:10 (a gap), one DUID only at 11:00 (not a gap: the interval has a row).
    const scada = await remove(tables.scada, 'settlementdate', [at('10:05'), at('10:10')]);
    await remove(tables.scada, 'settlementdate', [at('11:00')], "duid = 'AGLHAL'");
    // Price: 12:00 for both regions; interconnector: the first (00:05) and the last (24:00) interval of the day.
    const price = await remove(tables.price, 'settlementdate', [at('12:00')]);
    const ic = await remove(tables.interconnector, 'settlementdate', [at('00:05'), at('24:00')]);
    // Rooftop: MEASUREMENT at 13:30 (SATELLITE stays: it does not count), SATELLITE only at 14:00 (not a gap).
    const rooftop = await remove(tables.rooftop, 'interval_datetime', [at('13:30')], "type = 'MEASUREMENT'");
    await remove(tables.rooftop, 'interval_datetime', [at('14:00')], "type = 'SATELLITE'");
    expect([scada, price, ic, rooftop]).toEqual([[at('10:05'), at('10:10')], [at('12:00')], [at('00:05'), at('24:00')], [at('13:30')]]);

    const gaps = await findGaps(pool(), DAY, DAY, gapChecks(tables));
    expect(missingOf(gaps, tables.scada)).toEqual(scada);
    expect(missingOf(gaps, tables.price)).toEqual(price);
    expect(missingOf(gaps, tables.interconnector)).toEqual(ic);
    expect(missingOf(gaps, tables.rooftop)).toEqual(rooftop);
    expect(gaps.map((g) => g.check.stepMinutes)).toEqual([5, 5, 5, 30]);
    // The next day is not loaded at all: every interval missing, 00:05 .. 24:00 of 2024-08-02.
    const next = await findGaps(pool(), '2024-08-02', '2024-08-02', gapChecks(tables));
    expect(next.map((g) => g.missing.length)).toEqual([288, 288, 288, 48]);
    expect(missingOf(next, tables.scada).at(0)).toBe(at('24:05'));
    expect(missingOf(next, tables.rooftop).at(-1)).toBe(at('24:00') + 24 * 3600_000);
  });

  it('the repair plan names the day and the datasets of the gapped tables', async () => {
    const plan = repairPlan(await findGaps(pool(), DAY, DAY, gapChecks(tables)));
    expect([...plan].map(([d, s]) => [d, [...s].sort()])).toEqual([[DAY, ['interconnector', 'price', 'rooftop', 'scada']]]);
  });

  it('--repair of the SCADA and rooftop gaps, through the CLI loop, refills them', async () => {
    const checks = gapChecks(tables).filter((c) => c.table === tables.scada || c.table === tables.rooftop);
    const lines: string[] = [];
    await cliRepair(await findGaps(pool(), DAY, DAY, checks), (l) => lines.push(l));
    expect(lines).toHaveLength(1);
    // The whole day of both tables is published again: 288 intervals x 2 DUIDs, 48 x 2 regions x 2 types.
    expect(lines[0]).toMatch(new RegExp(`^repair ${DAY} \\.\\. ${DAY} (scada,rooftop|rooftop,scada): ${288 * 2 + 48 * 2 * 2} records published`));
    await processAndSink();
    const after = await findGaps(pool(), DAY, DAY, checks);
    expect(after.map((g) => g.missing)).toEqual([[], []]);
    // The refilled SCADA interval has both DUIDs again, with the file's values.
    const r = await pool().query<{ duid: string }>(`select duid from ${tables.scada} where settlementdate = $1 order by duid`, [new Date(at('10:05'))]);
    expect(r.rows.map((x) => x.duid)).toEqual(['AGLHAL', 'HDWF2']);
  });

  it('--repair of the price and interconnector gaps, through the CLI loop, refills them', async () => {
    const checks = gapChecks(tables);
    await cliRepair(await findGaps(pool(), DAY, DAY, checks), () => undefined);
    await processAndSink();
    expect((await findGaps(pool(), DAY, DAY, checks)).map((g) => g.missing)).toEqual([[], [], [], []]);
  });
});
