// Elexon curtailment end to end on the real stack: source -> raw topics -> processor -> clean topic -> Postgres
// (records, summaries, bitcoin) and Redis views. The API is the project's double, whose stack responses are BUILT
// FROM THE DOCUMENTED SHAPE (shared/specs/uk.md §1, OpenAPI SettlementStackResponse), not recorded: no real
// response is public. Its BMU reference list is the real bmuMapping.json fixture plus a few non-wind units.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closePool, pool } from '../../runtime/db.js';
import { readTopic } from '../../runtime/inspect.js';
import { runPgSink } from '../../runtime/pg-sink-runner.js';
import { runProcessor } from '../../runtime/processor-runner.js';
import { runSource } from '../../runtime/producer-runner.js';
import type { StackElement } from '../../schemas/elexon/raw.js';
import { readElexonView } from '../../sinks/elexon/views.js';
import { curtailEveryPeriod, dumpElexonTables, elexonTestFlow, generateDay, londonPeriodStarts, stackPath, startElexonApiDouble, type ElexonApiDouble, type ElexonTestFlow } from '../support/elexon-api-double.js';

const NORMAL = '2025-06-15';
const SPRING = '2025-03-30';
const AUTUMN = '2025-10-26';
const DATES = [NORMAL, SPRING, AUTUMN];
const DIFFICULTY = 146_715_888_000_000; // made-up but realistic order of magnitude
// Views are "today" relative to this instant: the autumn clock-change day.
const NOW = Date.parse('2025-10-26T15:00:00Z');

let api: ElexonApiDouble;
let f: ElexonTestFlow;
let produced = 0;

/** Sum of 3-dp volumes in thousandths: exact, so energy can be compared exactly. */
const thousandths = (rows: StackElement[], wind: Set<string>) =>
  rows.filter((r) => r.volume !== null && r.volume < 0 && (r.soFlag === true || r.cadlFlag === true) && r.id !== null && wind.has(r.id)).reduce((n, r) => n + Math.round(-r.volume! * 1000), 0);

beforeAll(async () => {
  api = await startElexonApiDouble({ days: DATES });
  for (const date of DATES) curtailEveryPeriod(api, date);
  // One element that cannot be typed (volume is text): it must reach the dead-letter topic, not stop the run.
  const slot = generateDay(NORMAL).find((s) => s.slot.period === 7 && s.slot.side === 'offer')!;
  api.setStack(NORMAL, 7, 'offer', [...slot.rows, { ...slot.rows[0]!, volume: 'lots' as unknown as number, sequenceNumber: 999 }]);
  api.inject429(stackPath('bid', NORMAL, 10), 1);
  api.inject500(stackPath('offer', AUTUMN, 49), 2);
  f = await elexonTestFlow('elx', api.baseUrl, () => NOW);
  await pool().query(`insert into ${f.tables.difficulty} (date, difficulty, source) values ($1, $2, 'test'), ($3, $2, 'test')`, [NORMAL, DIFFICULTY, AUTUMN]);
  for (const date of DATES) produced += (await runSource(f.source, { serde: f.serde, once: true, options: { date } })).records;
  await runProcessor(f.processor, { serde: f.serde, mode: 'drain' });
  await runPgSink(f.sink, { serde: f.serde, mode: 'drain' });
});
afterAll(async () => {
  await api?.close();
  await closePool();
});

describe('Elexon source against the API double', () => {
  it('fetches both stacks for every period the calendar gives (48, 46, 50) and publishes every row', async () => {
    const stackRequests = api.requests.filter((r) => r.path.startsWith('/balancing/settlement/stack') && r.status === 200);
    for (const [date, n] of [[NORMAL, 48], [SPRING, 46], [AUTUMN, 50]] as const) {
      const paths = new Set(stackRequests.filter((r) => r.path.includes(`/${date}/`)).map((r) => r.path));
      expect(paths.size).toBe(2 * n);
    }
    const rows = DATES.reduce((n, d) => n + api.rowsFor(d).length, 0);
    expect(produced).toBe(rows - 1 + api.bmUnits.length); // all rows but the untypable one, plus the reference list
  });

  it('survives a 429 (Retry-After honoured) and two 500s', () => {
    const on = (path: string) => api.requests.filter((r) => r.path === path).map((r) => r.status);
    expect(on(stackPath('bid', NORMAL, 10))).toEqual([429, 200]);
    expect(on(stackPath('offer', AUTUMN, 49))).toEqual([500, 500, 200]);
    const [first, second] = api.requests.filter((r) => r.path === stackPath('bid', NORMAL, 10));
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(900);
  });

  it('dead-letters the element that cannot be typed, with the reason', async () => {
    const dead = await readTopic(`dlq.${f.topics.stack.name}`);
    expect(dead).toHaveLength(1);
    expect(dead[0]!.headers.reason).toMatch(/volume is not a number/);
    expect(dead[0]!.headers['source-ref']).toContain(stackPath('offer', NORMAL, 7));
  });
});

describe('curtailment in Postgres', () => {
  it('totals equal the sum of the qualifying rows, per date', async () => {
    const wind = new Set(api.bmUnits.filter((u) => u.fuelType === 'WIND').map((u) => u.elexonBmUnit));
    for (const date of DATES) {
      const want = api.expectedTotals(date);
      const r = await pool().query<{ e: string; p: string; n: number }>(
        `select total_curtailed_energy::text as e, total_payment::text as p, records as n from ${f.tables.daily} where summary_date = $1`,
        [date],
      );
      const got = r.rows[0]!;
      expect(got.n).toBe(want.records);
      expect(Number(got.e)).toBe(thousandths(api.rowsFor(date), wind) / 1000);
      expect(Number(got.p)).toBeCloseTo(want.paymentGbp, 6);
      // The detail rows agree with the summary.
      const d = await pool().query<{ e: string; n: number }>(`select sum(curtailed_mwh)::text as e, count(*)::int as n from ${f.tables.records} where settlement_date = $1`, [date]);
      expect(d.rows[0]).toEqual({ e: got.e, n: got.n });
    }
  });

  it('stores the UTC start of every period, right on both clock-change days', async () => {
    for (const date of DATES) {
      const r = await pool().query<{ p: number; start: Date }>(`select distinct settlement_period as p, period_start as start from ${f.tables.records} where settlement_date = $1 order by 1`, [date]);
      const starts = londonPeriodStarts(date);
      expect(r.rows.length).toBe(starts.length);
      for (const row of r.rows) expect(row.start.toISOString().replace('.000Z', 'Z')).toBe(starts[row.p - 1]);
    }
    const spring = await pool().query<{ first: Date; last: Date }>(`select min(period_start) as first, max(period_start) as last from ${f.tables.records} where settlement_date = $1`, [SPRING]);
    expect(spring.rows[0]!.first.toISOString()).toBe('2025-03-30T00:00:00.000Z');
    expect(spring.rows[0]!.last.toISOString()).toBe('2025-03-30T22:30:00.000Z'); // SP46 starts 23:30 BST
    const autumn = await pool().query<{ first: Date; last: Date }>(`select min(period_start) as first, max(period_start) as last from ${f.tables.records} where settlement_date = $1`, [AUTUMN]);
    expect(autumn.rows[0]!.first.toISOString()).toBe('2025-10-25T23:00:00.000Z'); // SP1 starts 00:00 BST
    expect(autumn.rows[0]!.last.toISOString()).toBe('2025-10-26T23:30:00.000Z'); // SP50 starts 23:30 GMT
  });

  it('keeps monthly and yearly summaries equal to the sums of the daily ones', async () => {
    const m = await pool().query<{ year_month: string; e: string; n: number }>(`select year_month, total_curtailed_energy::text as e, records as n from ${f.tables.monthly} order by 1`);
    expect(m.rows.map((r) => r.year_month)).toEqual(['2025-03', '2025-06', '2025-10']);
    const y = await pool().query<{ year: string; e: string; n: number; days: number }>(`select year, total_curtailed_energy::text as e, records as n, days from ${f.tables.yearly}`);
    const d = await pool().query<{ e: string; n: number }>(`select sum(total_curtailed_energy)::text as e, sum(records)::int as n from ${f.tables.daily}`);
    expect(y.rows).toEqual([{ year: '2025', e: d.rows[0]!.e, n: d.rows[0]!.n, days: 3 }]);
  });
});

describe('bitcoin potential', () => {
  it('matches a hand computation for one record', async () => {
    const one = await pool().query<{ date: string; period: number; bmu: string; mwh: string }>(
      `select to_char(settlement_date, 'YYYY-MM-DD') as date, settlement_period as period, bmu_id as bmu, min(curtailed_mwh)::text as mwh
         from ${f.tables.records} where settlement_date = $1 group by 1, 2, 3 having count(*) = 1 order by 2, 3 limit 1`,
      [NORMAL],
    );
    const rec = one.rows[0]!;
    // S19J_PRO: 100 TH/s at 3,050 W. 1 MWh = 3.6e9 J. Block reward 3.125 BTC after the April 2024 halving.
    const seconds = (Number(rec.mwh) * 3.6e9) / 3050;
    const want = ((100e12 * seconds) / (DIFFICULTY * 2 ** 32)) * 3.125;
    const got = await pool().query<{ btc: string; d: string }>(
      `select bitcoin_mined::text as btc, difficulty::text as d from ${f.tables.btcHistorical} where settlement_date = $1 and settlement_period = $2 and bmu_id = $3 and miner_model = 'S19J_PRO'`,
      [rec.date, rec.period, rec.bmu],
    );
    expect(Number(got.rows[0]!.d)).toBe(DIFFICULTY);
    expect(Number(got.rows[0]!.btc) / want).toBeCloseTo(1, 12);
  });

  it('computes every default model for dates with a difficulty, and reports the date without one', async () => {
    const models = await pool().query<{ date: string; models: string[] }>(
      `select to_char(summary_date, 'YYYY-MM-DD') as date, array_agg(miner_model order by miner_model) as models from ${f.tables.btcDaily} group by 1 order by 1`,
    );
    expect(models.rows).toEqual([NORMAL, AUTUMN].map((date) => ({ date, models: ['M20S', 'S19J_PRO', 'S9'] })));
    const missing = await pool().query<{ date: string; n: number }>(`select to_char(settlement_date, 'YYYY-MM-DD') as date, records as n from ${f.tables.btcMissing}`);
    expect(missing.rows).toEqual([{ date: SPRING, n: api.expectedTotals(SPRING).records }]);
    const none = await pool().query(`select 1 from ${f.tables.btcHistorical} where settlement_date = $1`, [SPRING]);
    expect(none.rowCount).toBe(0);
  });
});

describe('Redis views', () => {
  it('show today so far, the last 30 days and the top farms of the month, equal to the tables', async () => {
    const today = (await readElexonView(f.views, 'today')) as { date: string; energyMwh: number; periods: { period: number; start: string }[] };
    expect(today.date).toBe(AUTUMN);
    expect(today.periods).toHaveLength(50);
    expect(today.periods[49]!.start).toBe('2025-10-26T23:30:00.000Z');
    const daily = (await readElexonView(f.views, 'daily30')) as { days: { date: string; records: number }[] };
    expect(daily.days.map((d) => d.date)).toEqual([AUTUMN]); // June and March are outside the window
    expect(daily.days[0]!.records).toBe(api.expectedTotals(AUTUMN).records);
    const top = (await readElexonView(f.views, 'topFarmsMonth')) as { month: string; farms: { bmuId: string; energyMwh: number }[] };
    expect(top.month).toBe('2025-10');
    expect(top.farms.length).toBeGreaterThan(0);
    const energies = top.farms.map((x) => x.energyMwh);
    expect([...energies].sort((a, b) => b - a)).toEqual(energies);
  });
});

describe('consuming the clean topic again', () => {
  it('changes no table', async () => {
    const before = await dumpElexonTables(f.tables);
    await runPgSink(f.sink, { serde: f.serde, mode: 'drain', groupId: `again.${f.id}` });
    expect(await dumpElexonTables(f.tables)).toEqual(before);
  });
});
