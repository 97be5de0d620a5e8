import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { isRejection } from '../../../runtime/types.js';
import type { InputMessage, OutputRecord } from '../../../runtime/types.js';
import { toRawRecord } from '../../../producers/elexon/api.js';
import { parseBmuMapping } from '../../../schemas/elexon/raw.js';
import type { BmUnit, RawStackValue, StackElement, StackSide } from '../../../schemas/elexon/raw.js';
import { makeBmuLookup } from '../../../processors/elexon/bmu.js';
import { checkStackRow, classify, makeCurtailmentTransform } from '../../../processors/elexon/curtailment.js';
import type { CurtailmentValue } from '../../../schemas/elexon/clean.js';

const fixture = parseBmuMapping(readFileSync(new URL('../../../../shared/fixtures/elexon/bmuMapping.json', import.meta.url), 'utf8'));
const drax: BmUnit = { elexonBmUnit: 'T_DRAXX-1', nationalGridBmUnit: 'DRAXX-1', bmUnitName: 'Drax 1', fuelType: 'BIOMASS', leadPartyName: 'Drax Power Ltd', generationCapacity: '645.000' };
const lookup = makeBmuLookup(fixture, [drax]);

// Stack rows below are built from the documented element shape (no real response is public).
const row = (over: Partial<StackElement> = {}): StackElement => ({
  settlementDate: '2025-06-15',
  settlementPeriod: 3,
  startTime: '2025-06-15T00:00:00Z',
  createdDateTime: '2025-06-16T09:03:18.74Z',
  sequenceNumber: 4,
  id: 'T_SGRWO-1',
  acceptanceId: 123456,
  bidOfferPairId: -1,
  cadlFlag: null,
  soFlag: true,
  storProviderFlag: false,
  repricedIndicator: false,
  reserveScarcityPrice: null,
  originalPrice: -45.5,
  volume: -12.25,
  dmatAdjustedVolume: -12.25,
  arbitrageAdjustedVolume: null,
  nivAdjustedVolume: null,
  parAdjustedVolume: null,
  finalPrice: -44,
  transmissionLossMultiplier: 0.98,
  tlmAdjustedVolume: null,
  tlmAdjustedCost: null,
  ...over,
});

const message = (r: StackElement, side: StackSide = 'bid'): InputMessage<RawStackValue> => {
  const raw = toRawRecord(r, side, 'test');
  return { topic: 'raw.elexon.stack', partition: 0, offset: '0', key: raw.key, value: raw.value, timestamp: raw.eventTime, headers: {} };
};

const transform = makeCurtailmentTransform(lookup);
const run = (r: StackElement, side: StackSide = 'bid'): OutputRecord<CurtailmentValue>[] => {
  const out = transform(message(r, side));
  if (isRejection(out)) throw new Error(out.reject);
  return out;
};

describe('classify', () => {
  it.each<[string, Partial<StackElement>, string]>([
    ['SO-flagged bid on a wind unit', {}, 'curtailment'],
    ['CADL-flagged bid, soFlag null', { soFlag: null, cadlFlag: true }, 'curtailment'],
    ['CADL-flagged bid, soFlag false', { soFlag: false, cadlFlag: true }, 'curtailment'],
    ['both flags null (null = false)', { soFlag: null, cadlFlag: null }, 'not-curtailment'],
    ['soFlag false, cadlFlag null', { soFlag: false, cadlFlag: null }, 'not-curtailment'],
    ['positive volume', { volume: 3 }, 'not-curtailment'],
    ['zero volume', { volume: 0 }, 'not-curtailment'],
    ['non-wind unit', { id: 'T_DRAXX-1' }, 'not-curtailment'],
    ['unit missing from the reference data', { id: 'T_NOTIN-1' }, 'unknown-bmu'],
    ['unknown unit that would not qualify anyway', { id: 'T_NOTIN-1', soFlag: null }, 'not-curtailment'],
  ])('%s', (_name, over, expected) => {
    expect(classify(row(over), lookup)).toBe(expected);
  });
});

describe('curtailment transform', () => {
  it('emits one clean record for a curtailment bid', () => {
    const out = run(row());
    expect(out).toHaveLength(1);
    const [rec] = out;
    expect(rec?.key).toBe('2025-06-15|3|bid|T_SGRWO-1|123456|-1|4');
    // SP3 of a BST day: 2025-06-14T23:00Z + 2 × 30 min.
    expect(rec?.eventTime).toBe(Date.parse('2025-06-15T00:00:00Z'));
    expect(rec?.value).toEqual({
      settlement_date: '2025-06-15',
      settlement_period: 3,
      period_start: Date.parse('2025-06-15T00:00:00Z'),
      side: 'bid',
      bmu_id: 'T_SGRWO-1',
      // T_SGRWO-1 is one of the fixture's 32 entries without national grid id or name.
      national_grid_id: null,
      farm_name: null,
      lead_party_name: 'Seagreen Wind Energy Limited',
      fuel: 'WIND',
      acceptance_id: 123456,
      bid_offer_pair_id: -1,
      sequence_number: 4,
      volume: -12.25,
      curtailed_mwh: 12.25,
      original_price: -45.5,
      final_price: -44,
      // −12.25 MWh × −45.50 £/MWh = +557.375: the unit is paid to turn down.
      payment_gbp: 557.375,
      so_flag: true,
      cadl_flag: false,
      created_datetime: Date.parse('2025-06-16T09:03:18.740Z'),
    });
  });

  it('counts a negative offer and keeps a null acceptance id', () => {
    const [rec] = run(row({ volume: -2, bidOfferPairId: 1, acceptanceId: null, originalPrice: 10 }), 'offer');
    expect(rec?.value.side).toBe('offer');
    expect(rec?.value.payment_gbp).toBe(-20);
    expect(rec?.key).toBe('2025-06-15|3|offer|T_SGRWO-1|none|1|4');
  });

  it('skips non-qualifying rows without rejecting them', () => {
    expect(run(row({ soFlag: null }))).toEqual([]);
    expect(run(row({ volume: 5 }), 'offer')).toEqual([]);
    expect(run(row({ id: 'T_DRAXX-1' }))).toEqual([]);
    expect(run(row({ id: 'T_NOTIN-1' }))).toEqual([]);
  });

  it('reports unknown units that would have counted', () => {
    const seen: string[] = [];
    const t = makeCurtailmentTransform(lookup, { onUnknownBmu: (id) => seen.push(id) });
    t(message(row({ id: 'T_NOTIN-1' })));
    t(message(row({ id: 'T_NOTIN-2', soFlag: null })));
    t(message(row()));
    expect(seen).toEqual(['T_NOTIN-1']);
  });

  it('rejects malformed rows with a reason', () => {
    const reason = (value: Record<string, unknown>): string => {
      const base = message(row()).value;
      const out = transform({ ...message(row()), value: { ...base, ...value } as RawStackValue });
      return isRejection(out) ? out.reject : 'not rejected';
    };
    expect(reason({ id: null })).toMatch(/id \(BMU\) is missing/);
    expect(reason({ id: '  ' })).toMatch(/id \(BMU\) is missing/);
    expect(reason({ volume: null })).toMatch(/volume is not a number/);
    expect(reason({ volume: 'x' })).toMatch(/volume is not a number/);
    expect(reason({ volume: NaN })).toMatch(/volume is not a number/);
    expect(reason({ settlementDate: '2025-02-30' })).toMatch(/settlementDate/);
    expect(reason({ settlementDate: '2025-03-30', settlementPeriod: 47 })).toMatch(/outside 1\.\.46/);
    expect(reason({ settlementPeriod: 0 })).toMatch(/outside/);
    expect(reason({ side: 'both' })).toMatch(/side/);
    expect(reason({ soFlag: 'Y' })).toMatch(/soFlag/);
    expect(reason({ createdDateTime: '2025-06-16 09:03' })).toMatch(/createdDateTime/);
    expect(reason({ originalPrice: null })).toMatch(/originalPrice is missing/);
    // A row that does not qualify needs no price.
    expect(reason({ originalPrice: null, soFlag: null })).toBe('not rejected');
  });

  // Issue 11 #5, found by the fuzz tests: both used to be emitted (NaN failed to encode; Infinity reached the sums).
  it('rejects a createdDateTime shaped like an instant but not one, and a payment that overflows', () => {
    const out = transform(message(row({ createdDateTime: '2025-13-45T99:99:99Z' })));
    expect(isRejection(out) && out.reject).toBe('createdDateTime is not an ISO instant with a zone: "2025-13-45T99:99:99Z"');
    const big = transform(message(row({ volume: -1e308, originalPrice: -10 })));
    expect(isRejection(big) && big.reject).toMatch(/^payment \(volume -1e\+308 × originalPrice -10\) is not a finite number$/);
  });

  it('joins national grid id and farm name where the mapping has them', () => {
    const [rec] = run(row({ id: '2__PENEC001' }));
    expect(rec?.value).toMatchObject({ national_grid_id: 'ROTHW-1', farm_name: 'Rothes Windfarm', lead_party_name: 'Eneco Energy Trade' });
  });

  it('accepts period 49 and 50 on the long day', () => {
    const [rec] = run(row({ settlementDate: '2025-10-26', settlementPeriod: 50 }));
    expect(new Date(rec?.value.period_start ?? 0).toISOString()).toBe('2025-10-26T23:30:00.000Z');
  });

  it('checkStackRow passes a good row through unchanged', () => {
    const value = message(row()).value;
    expect(checkStackRow(value)).toBe(value);
  });
});

describe('makeBmuLookup', () => {
  it('lets a later source override an earlier one', () => {
    const l = makeBmuLookup([drax], [{ ...drax, fuelType: 'WIND' }]);
    expect(l('T_DRAXX-1')?.fuelType).toBe('WIND');
    expect(l('T_SGRWO-1')).toBeUndefined();
    expect(lookup('2__PENEC001')?.capacityMw).toBe(50.6);
  });
});
