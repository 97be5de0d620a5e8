// ComparePower end to end on the real stack: the API double (the real Arlington fixture under Oncor and TNMP,
// generated format-true plans for the other TDSPs) -> source -> raw topic -> normaliser -> clean topic ->
// electricity_plans, price history, syncs and the Redis views. Checks of issue 14: the fixture lands with exact
// rates; a plan under two TDSPs is two rows; a second sync missing one plan deactivates exactly that plan (and it
// comes back when it returns); replay changes nothing; 429 with Retry-After is waited out.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closePool, pool } from '../../runtime/db.js';
import { readTopic } from '../../runtime/inspect.js';
import { runPgSink } from '../../runtime/pg-sink-runner.js';
import { runProcessor } from '../../runtime/processor-runner.js';
import { runSource } from '../../runtime/producer-runner.js';
import { closeSharedRedis, sharedRedis } from '../../runtime/redis-views.js';
import { TDSPS } from '../../schemas/comparepower/tdsp.js';
import { readCitiesView, readTdspView } from '../../sinks/comparepower/views.js';
import { comparePowerTestFlow, dumpPlanTables, fixtureLiterals, fixturePlans, startComparePowerApiDouble, toApiPlan, type ComparePowerApiDouble, type ComparePowerTestFlow } from '../support/comparepower.js';

const ONCOR = '1039940674000';
const TNMP = '007929441';
let api: ComparePowerApiDouble;
let f: ComparePowerTestFlow;
const fixture = fixturePlans();

async function syncOnce(datasets?: string[]): Promise<void> {
  await runSource(f.source, { serde: f.serde, once: true, ...(datasets ? { options: { datasets } } : {}) });
  await runProcessor(f.processor, { serde: f.serde, mode: 'drain' });
  await runPgSink(f.sink, { serde: f.serde, mode: 'drain' });
}

beforeAll(async () => {
  api = await startComparePowerApiDouble({ plansPerTdsp: 140 });
  api.setPlans(ONCOR, fixture.map((p) => toApiPlan(p, ONCOR)));
  // The same listings under a second TDSP: same _id, two rows.
  // Two bad elements beside them: one without _id (the source cannot key it), one whose term is text (the
  // normaliser rejects it). Both must reach the raw topic's dead-letter topic with the reason.
  const badTerm = { ...toApiPlan(fixture[6]!, TNMP), _id: 'bad-term', product: { ...(toApiPlan(fixture[6]!, TNMP).product as object), term: 'twelve' } };
  api.setPlans(TNMP, [...fixture.slice(0, 5).map((p) => toApiPlan(p, TNMP)), badTerm, { name: 'no id at all' }]);
  api.inject429(1, 1);
  f = await comparePowerTestFlow('cp', api.baseUrl);
  await syncOnce();
});
afterAll(async () => {
  await api?.close();
  closeSharedRedis();
  await closePool();
});

describe('first sync of every TDSP', () => {
  it('calls each TDSP once, waiting out a 429 for its Retry-After', () => {
    const ok = api.requests.filter((r) => r.status === 200);
    expect(new Set(ok.map((r) => r.tdsp))).toEqual(new Set(TDSPS.map((t) => t.duns)));
    const [first, second] = api.requests;
    expect(first!.status).toBe(429);
    expect(second!.tdsp).toBe(first!.tdsp);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(950);
  });

  it('lands the fixture with its rates exactly as written, and its terms, providers, green shares and ETFs', async () => {
    const rows = (
      await pool().query<{ id: string; r500: string; r1000: string; r2000: string; term: number; provider: string; green: string; etf: string; rate_type: string; tou: boolean; efl: string }>(
        `select external_id as id, rate_500kwh::text as r500, rate_1000kwh::text as r1000, rate_2000kwh::text as r2000, term_months as term,
                provider_name as provider, percent_green::text as green, early_termination_fee::text as etf, rate_type, is_time_of_use as tou, efl_url as efl
           from ${f.tables.plans} where tdsp_duns = $1`,
        [ONCOR],
      )
    ).rows;
    expect(rows).toHaveLength(fixture.length);
    const byId = new Map(rows.map((r) => [r.id, r]));
    const [r500, r1000, r2000, etf, green] = [fixtureLiterals('rate500kWh'), fixtureLiterals('rate1000kWh'), fixtureLiterals('rate2000kWh'), fixtureLiterals('earlyTerminationFee'), fixtureLiterals('greenEnergy')];
    fixture.forEach((p, i) => {
      const row = byId.get(p.id)!;
      expect({ id: p.id, r500: row.r500, r1000: row.r1000, r2000: row.r2000, etf: row.etf, green: row.green }).toEqual({ id: p.id, r500: r500[i], r1000: r1000[i], r2000: r2000[i], etf: etf[i], green: green[i] });
      expect(row.term).toBe(p.contract.length);
      expect(row.provider).toBe(p.provider.name);
      expect(row.efl).toBe(`https://example.test/efl/${p.id}.pdf`);
    });
    // Derived rate types: TXU Flex Forward is month to month; Cirro's plan says variable; bill-credit curve kept.
    expect(rows.find((r) => r.term === 1)!.rate_type).toBe('variable');
    expect(byId.get('68b528c39df7fc01f8e66894')!.rate_type).toBe('variable');
    expect(byId.get('68b5a47c206770f7c563208a')!.tou).toBe(true);
    expect(byId.get('68b5a4f4206770f7c5632094')).toMatchObject({ r500: '0.214', r1000: '0.135', r2000: '0.171' });
  });

  it('keeps a plan listed under two TDSPs as two rows', async () => {
    const r = await pool().query<{ tdsp_duns: string }>(`select tdsp_duns from ${f.tables.plans} where external_id = $1 order by 1`, [fixture[0]!.id]);
    expect(r.rows.map((x) => x.tdsp_duns)).toEqual([TNMP, ONCOR].sort());
    const counts = (await pool().query<{ tdsp_duns: string; n: number }>(`select tdsp_duns, count(*)::int as n from ${f.tables.plans} where is_active group by 1 order by 1`)).rows;
    expect(Object.fromEntries(counts.map((c) => [c.tdsp_duns, c.n]))).toEqual({ [ONCOR]: 20, [TNMP]: 5, '957877905': 140, '007924772': 140, '007923311': 140 });
  });

  it('dead-letters the elements it cannot take, with the reason and where they came from', async () => {
    const dead = await readTopic(`dlq.${f.topics.raw.name}`);
    const reasons = dead.map((d) => d.headers.reason).sort();
    expect(reasons).toHaveLength(2);
    expect(reasons[0]).toMatch(/plan bad-term: term is not a whole number of months/);
    expect(reasons[1]).toMatch(/plans\[6\]: no _id/);
    expect(dead.every((d) => d.headers['source-ref']?.includes(`tdsp_duns=${TNMP}`) || d.key?.startsWith(TNMP))).toBe(true);
  });

  it('records each sync and publishes the views: plans sorted by the 1000 kWh rate, facets, cities', async () => {
    const syncs = (await pool().query<{ tdsp_duns: string; plan_count: number }>(`select tdsp_duns, plan_count from ${f.tables.syncs} order by 1`)).rows;
    expect(syncs).toHaveLength(5);
    expect(syncs.find((s) => s.tdsp_duns === ONCOR)!.plan_count).toBe(20);
    const view = (await readTdspView(sharedRedis(), f.views, ONCOR))!;
    expect(view.plans.map((p) => p.id)).toHaveLength(20);
    const rates = view.plans.map((p) => p.rates.kwh1000);
    expect(rates).toEqual([...rates].sort((a, b) => Number(a) - Number(b)));
    expect(rates[0]).toBe('0.108'); // Just Energy Power Plus 12: a bill-credit plan, cheapest at 1000 kWh
    expect(Object.values(view.facets.term).reduce((a, b) => a + b, 0)).toBe(20);
    expect(view.facets.rateType).toEqual({ fixed: 18, variable: 2 });
    const cities = (await readCitiesView(sharedRedis(), f.views))!;
    expect(cities.arlington).toMatchObject({ deregulated: true, tdsps: [ONCOR], plans: 20 });
    expect(cities.austin).toMatchObject({ deregulated: false, tdsps: [], plans: 0 });
  });
});

describe('a later sync', () => {
  const dropped = fixture[3]!.id;
  const repriced = fixture[1]!.id;

  it('missing one plan deactivates exactly that plan (never deletes it); a repricing adds one history row', async () => {
    const before = (await pool().query<{ n: number }>(`select count(*)::int as n from ${f.tables.prices}`)).rows[0]!.n;
    const plans = fixture.filter((p) => p.id !== dropped).map((p) => toApiPlan(p, ONCOR));
    const r = plans.find((p) => p._id === repriced)! as { display_pricing_1000: { avg: number } };
    r.display_pricing_1000.avg = 0.151;
    api.setPlans(ONCOR, plans);
    await syncOnce(['oncor']);
    const inactive = (await pool().query<{ id: string; tdsp: string }>(`select external_id as id, tdsp_duns as tdsp from ${f.tables.plans} where not is_active`)).rows;
    expect(inactive).toEqual([{ id: dropped, tdsp: ONCOR }]);
    expect((await pool().query(`select 1 from ${f.tables.plans}`)).rowCount).toBe(20 + 5 + 3 * 140);
    const history = (await pool().query<{ r1000: string }>(`select rate_1000kwh::text as r1000 from ${f.tables.prices} where external_id = $1 and tdsp_duns = $2 order by observed_at`, [repriced, ONCOR])).rows;
    expect(history.map((h) => h.r1000)).toEqual([fixtureLiterals('rate1000kWh')[1], '0.151']);
    expect((await pool().query<{ n: number }>(`select count(*)::int as n from ${f.tables.prices}`)).rows[0]!.n).toBe(before + 1);
    const view = (await readTdspView(sharedRedis(), f.views, ONCOR))!;
    expect(view.plans.map((p) => p.id)).not.toContain(dropped);
    expect(view.plans).toHaveLength(19);
  });

  it('reactivates the plan when it returns', async () => {
    api.setPlans(ONCOR, fixture.map((p) => toApiPlan(p, ONCOR)));
    await syncOnce(['oncor']);
    const r = await pool().query<{ active: boolean; deactivated_at: Date | null }>(`select is_active as active, deactivated_at from ${f.tables.plans} where external_id = $1 and tdsp_duns = $2`, [dropped, ONCOR]);
    expect(r.rows).toEqual([{ active: true, deactivated_at: null }]);
    expect((await pool().query(`select 1 from ${f.tables.plans} where not is_active`)).rowCount).toBe(0);
  });

  it('replaying the whole clean topic (a new sink group over the same tables) changes nothing', async () => {
    const before = await dumpPlanTables(f);
    await runPgSink(f.sink, { serde: f.serde, mode: 'drain', groupId: `${f.id}-replay` });
    expect(await dumpPlanTables(f)).toEqual(before);
  });
});
