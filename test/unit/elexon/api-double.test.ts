// The Elexon API double serves responses BUILT FROM THE DOCUMENTED SHAPE (specs/uk.md §1, OpenAPI
// SettlementStackResponse): no real settlement-stack response is public to record from.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stackUrl, toRawRecord, bmUnitsUrl } from '../../../producers/elexon/api.js';
import { parseStackElement, parseStackResponse, parseBmUnit } from '../../../schemas/elexon/raw.js';
import type { BmUnit, StackElement } from '../../../schemas/elexon/raw.js';
import { periodStartUtc, settlementPeriods } from '../../../schemas/elexon/calendar.js';
import { makeBmuLookup } from '../../../processors/elexon/bmu.js';
import { makeCurtailmentTransform } from '../../../processors/elexon/curtailment.js';
import { isRejection } from '../../../runtime/types.js';
import {
  GENERATOR_WIND_IDS,
  UNKNOWN_BMU_ID,
  expectedCurtailmentTotals,
  generateDay,
  londonPeriodStarts,
  stackPath,
  startElexonApiDouble,
} from '../../support/elexon-api-double.js';
import type { ElexonApiDouble } from '../../support/elexon-api-double.js';

let api: ElexonApiDouble;

beforeAll(async () => {
  api = await startElexonApiDouble({ days: ['2025-06-15', '2025-10-26'] });
});
afterAll(async () => {
  await api.close();
});

/** A minimal client for the test: retries 429 (honouring Retry-After) and 5xx, a few times. */
async function getJson(url: string): Promise<unknown> {
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(url, { headers: { accept: 'application/json' } });
    if (res.ok) return res.json();
    if (attempt >= 4 || (res.status !== 429 && res.status < 500)) throw new Error(`${res.status} for ${url}`);
    const wait = Number(res.headers.get('retry-after') ?? '0');
    await new Promise((r) => setTimeout(r, wait * 1000));
  }
}

describe('independent calendar of the double', () => {
  it('agrees with producers/elexon/calendar on both clock-change days', () => {
    for (const date of ['2025-03-30', '2025-10-26', '2025-06-15', '2024-10-27']) {
      const starts = londonPeriodStarts(date);
      expect(starts).toHaveLength(settlementPeriods(date));
      starts.forEach((s, i) => expect(Date.parse(s)).toBe(periodStartUtc(date, i + 1).getTime()));
    }
  });
});

describe('generated rows', () => {
  const day = generateDay('2025-06-15');
  const all = day.flatMap(({ slot, rows }) => rows.map((r) => ({ side: slot.side, r })));

  it('are deterministic and cover every period of both sides', () => {
    expect(generateDay('2025-06-15')).toEqual(day);
    expect(day).toHaveLength(96);
    expect(generateDay('2025-10-26')).toHaveLength(100);
  });

  it('look like a settlement stack', () => {
    for (const { r } of all) expect(parseStackElement(r)).toEqual({ ok: true, value: r });
    expect(all.filter(({ r }) => r.soFlag === null).length).toBeGreaterThan(0);
    expect(all.filter(({ r }) => r.cadlFlag === null).length).toBeGreaterThan(0);
    expect(all.filter(({ r }) => r.acceptanceId === null).length).toBeGreaterThan(0);
    expect(all.filter(({ side, r }) => side === 'bid' && (r.volume ?? 0) >= 0)).toHaveLength(0);
    expect(all.filter(({ side, r }) => side === 'offer' && (r.volume ?? 0) > 0).length).toBeGreaterThan(0);
    expect(all.filter(({ side, r }) => side === 'offer' && (r.volume ?? 0) < 0).length).toBeGreaterThan(0);
    expect(all.filter(({ r }) => r.id === UNKNOWN_BMU_ID).length).toBeGreaterThan(0);
    expect(all.filter(({ r }) => r.id === 'T_DRAXX-1').length).toBeGreaterThan(0);
    // Several rows for one BMU in one period and side.
    const perSlotBmu = new Map<string, number>();
    for (const { slot, rows } of day) for (const r of rows) perSlotBmu.set(`${slot.side}/${slot.period}/${r.id}`, (perSlotBmu.get(`${slot.side}/${slot.period}/${r.id}`) ?? 0) + 1);
    expect(Math.max(...perSlotBmu.values())).toBeGreaterThan(1);
    // Natural keys are unique.
    const keys = new Set(day.flatMap(({ slot, rows }) => rows.map((r) => toRawRecord(r, slot.side, '').key)));
    expect(keys.size).toBe(all.length);
  });
});

describe('expectedCurtailmentTotals', () => {
  it('applies the definition by hand', () => {
    const base = { settlementDate: '2025-06-15', settlementPeriod: 1, id: 'W', soFlag: true, cadlFlag: null, originalPrice: -50, volume: -10 };
    const rows = [
      base, // counts: 10 MWh, +500
      { ...base, soFlag: null, cadlFlag: true, volume: -2, originalPrice: 20 }, // counts: 2 MWh, −40
      { ...base, soFlag: null }, // null flags: no
      { ...base, volume: 5 }, // positive: no
      { ...base, id: 'C' }, // not wind: no
    ] as unknown as StackElement[];
    expect(expectedCurtailmentTotals(rows, new Set(['W']))).toEqual({ energyMwh: 12, paymentGbp: 460, records: 2 });
  });
});

describe('the HTTP double', () => {
  it('serves stack rows as {"data": [...]} and empty data for dates it has none for', async () => {
    const body = await getJson(stackUrl(api.baseUrl, 'bid', '2025-06-15', 3));
    const { rows, bad } = parseStackResponse(body);
    expect(bad).toEqual([]);
    expect(rows.length).toBeGreaterThan(3);
    expect(rows.every((r) => r.settlementDate === '2025-06-15' && r.settlementPeriod === 3 && r.startTime === '2025-06-15T00:00:00Z')).toBe(true);
    expect(await getJson(stackUrl(api.baseUrl, 'offer', '2024-01-01', 1))).toEqual({ data: [] });
  });

  it('serves configured rows', async () => {
    const row = generateDay('2025-01-01')[0]?.rows[0] as StackElement;
    api.setStack('2025-01-01', 7, 'offer', [row]);
    expect(await getJson(stackUrl(api.baseUrl, 'offer', '2025-01-01', 7))).toEqual({ data: [row] });
  });

  it('answers 400 for a period outside 1..50 and 404 elsewhere', async () => {
    expect((await fetch(`${api.baseUrl}${stackPath('bid', '2025-06-15', 51)}`)).status).toBe(400);
    expect((await fetch(`${api.baseUrl}/nope`)).status).toBe(404);
  });

  it('serves the fixture BMU list plus non-wind units', async () => {
    const body = (await getJson(bmUnitsUrl(api.baseUrl))) as unknown[];
    const units = body.map((x) => parseBmUnit(x)).flatMap((r) => (r.ok ? [r.value] : []));
    expect(units).toHaveLength(body.length);
    expect(units.filter((u) => u.fuelType === 'WIND')).toHaveLength(212);
    expect(units.filter((u) => u.fuelType !== 'WIND').map((u) => u.fuelType)).toEqual(['BIOMASS', 'NUCLEAR', 'CCGT', 'PS']);
    for (const id of GENERATOR_WIND_IDS) expect(units.some((u) => u.elexonBmUnit === id)).toBe(true);
  });

  it('injects a 429 with Retry-After, then succeeds', async () => {
    const path = stackPath('bid', '2025-06-15', 10);
    api.inject429(path, 2);
    const first = await fetch(`${api.baseUrl}${path}`);
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('2');
    const second = await fetch(`${api.baseUrl}${path}`);
    expect(second.status).toBe(200);
    expect(api.requests.filter((r) => r.path === path).map((r) => r.status)).toEqual([429, 200]);
  });

  it('injects two 500s, then succeeds, and logs every request', async () => {
    const path = stackPath('offer', '2025-06-15', 11);
    api.inject500(path, 2);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await fetch(`${api.baseUrl}${path}?format=json`)).status);
    expect(statuses).toEqual([500, 500, 200]);
    const logged = api.requests.filter((r) => r.path === path);
    expect(logged.map((r) => [r.method, r.status, r.query])).toEqual([
      ['GET', 500, '?format=json'],
      ['GET', 500, '?format=json'],
      ['GET', 200, '?format=json'],
    ]);
  });
});

describe('stack → raw → curtailment over a whole day, against the double’s own totals', () => {
  it.each(['2025-06-15', '2025-10-26'])('%s', async (date) => {
    const units = ((await getJson(bmUnitsUrl(api.baseUrl))) as unknown[]).map((x) => parseBmUnit(x)).flatMap((r) => (r.ok ? [r.value] : [])) as BmUnit[];
    let unknown = 0;
    const transform = makeCurtailmentTransform(makeBmuLookup(units), { onUnknownBmu: () => unknown++ });
    // Faults on the way must not change the result.
    api.inject429(stackPath('bid', date, 2), 0);
    api.inject500(stackPath('offer', date, settlementPeriods(date)), 2);

    let energy = 0;
    let payment = 0;
    let records = 0;
    for (let period = 1; period <= settlementPeriods(date); period++) {
      for (const side of ['bid', 'offer'] as const) {
        const url = stackUrl(api.baseUrl, side, date, period);
        for (const row of parseStackResponse(await getJson(url)).rows) {
          const raw = toRawRecord(row, side, url);
          const out = transform({ topic: 'raw.elexon.stack', partition: 0, offset: '0', key: raw.key, value: raw.value, timestamp: raw.eventTime, headers: {} });
          if (isRejection(out)) throw new Error(out.reject);
          for (const rec of out) {
            energy += rec.value.curtailed_mwh;
            payment += rec.value.payment_gbp;
            records++;
          }
        }
      }
    }
    const expected = api.expectedTotals(date);
    expect(records).toBe(expected.records);
    expect(records).toBeGreaterThan(50);
    expect(energy).toBeCloseTo(expected.energyMwh, 6);
    expect(payment).toBeCloseTo(expected.paymentGbp, 6);
    expect(unknown).toBeGreaterThan(0);
  });
});
