import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { ELEXON_BASE_URL, bmUnitToRawRecord, bmUnitsUrl, stackUrl, toRawRecord } from '../../../producers/elexon/api.js';
import { NULL_KEY_PART, parseBmUnit, parseBmuMapping, parseStackElement, parseStackResponse, stackRecordKey } from '../../../schemas/elexon/raw.js';
import type { StackElement } from '../../../schemas/elexon/raw.js';

const fixtureText = (): string =>
  readFileSync(new URL('../../../../shared/fixtures/elexon/bmuMapping.json', import.meta.url), 'utf8');

// Built from the documented element shape (specs/uk.md §1, OpenAPI SettlementStackResponse), modelled on the one
// real element quoted there (SP20, E_LITRB-1, acceptance 49242, pair 1, 90.25 GBP/MWh, −0.00417 MWh).
const element = (over: Partial<StackElement> = {}): StackElement => ({
  settlementDate: '2025-10-26',
  settlementPeriod: 20,
  startTime: '2025-10-26T08:30:00Z',
  createdDateTime: '2025-10-27T09:03:18.74Z',
  sequenceNumber: 7,
  id: 'E_LITRB-1',
  acceptanceId: 49242,
  bidOfferPairId: 1,
  cadlFlag: null,
  soFlag: true,
  storProviderFlag: false,
  repricedIndicator: false,
  reserveScarcityPrice: null,
  originalPrice: 90.25,
  volume: -0.00417,
  dmatAdjustedVolume: null,
  arbitrageAdjustedVolume: null,
  nivAdjustedVolume: null,
  parAdjustedVolume: null,
  finalPrice: 90.25,
  transmissionLossMultiplier: 0.977241,
  tlmAdjustedVolume: null,
  tlmAdjustedCost: null,
  ...over,
});

describe('URLs', () => {
  it('builds the documented stack and reference paths', () => {
    expect(stackUrl(ELEXON_BASE_URL, 'bid', '2025-06-15', 1)).toBe(
      'https://data.elexon.co.uk/bmrs/api/v1/balancing/settlement/stack/all/bid/2025-06-15/1',
    );
    expect(stackUrl('http://127.0.0.1:9/x/', 'offer', '2025-10-26', 50)).toBe(
      'http://127.0.0.1:9/x/balancing/settlement/stack/all/offer/2025-10-26/50',
    );
    expect(bmUnitsUrl(ELEXON_BASE_URL)).toBe('https://data.elexon.co.uk/bmrs/api/v1/reference/bmunits/all');
  });

  it('refuses periods the day does not have', () => {
    expect(() => stackUrl(ELEXON_BASE_URL, 'bid', '2025-03-30', 47)).toThrow(RangeError);
    expect(() => stackUrl(ELEXON_BASE_URL, 'bid', '2025-13-01', 1)).toThrow(RangeError);
  });
});

describe('stackRecordKey', () => {
  it('joins the natural key and writes nulls as an explicit token', () => {
    expect(stackRecordKey(element(), 'bid')).toBe('2025-10-26|20|bid|E_LITRB-1|49242|1|7');
    expect(stackRecordKey(element({ acceptanceId: null }), 'offer')).toBe(`2025-10-26|20|offer|E_LITRB-1|${NULL_KEY_PART}|1|7`);
  });

  it('tells apart rows of one BMU that differ only by pair or sequence', () => {
    const keys = new Set([
      stackRecordKey(element(), 'bid'),
      stackRecordKey(element({ bidOfferPairId: -1 }), 'bid'),
      stackRecordKey(element({ sequenceNumber: 8 }), 'bid'),
      stackRecordKey(element(), 'offer'),
    ]);
    expect(keys.size).toBe(4);
  });
});

describe('toRawRecord', () => {
  it('keeps the fields, adds the side and stamps the period start from the calendar', () => {
    const row = element();
    const rec = toRawRecord(row, 'bid', 'https://example/x');
    expect(rec.value).toEqual({ ...row, side: 'bid' });
    expect(rec.key).toBe('2025-10-26|20|bid|E_LITRB-1|49242|1|7');
    // SP20 on the 50-period day: 2025-10-25T23:00Z + 19 × 30 min.
    expect(new Date(rec.eventTime).toISOString()).toBe('2025-10-26T08:30:00.000Z');
    expect(rec.sourceRef).toBe('https://example/x');
  });

  it('throws for a period outside the day, for the source to dead-letter', () => {
    expect(() => toRawRecord(element({ settlementDate: '2025-03-30', settlementPeriod: 48 }), 'bid', 'u')).toThrow(RangeError);
  });
});

describe('parseStackElement / parseStackResponse', () => {
  it('turns absent fields into null', () => {
    const r = parseStackElement({ settlementDate: '2025-06-15', settlementPeriod: 3, id: 'T_SGRWO-1', volume: -5 });
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.value.soFlag).toBeNull();
      expect(r.value.acceptanceId).toBeNull();
      expect(r.value.volume).toBe(-5);
    }
  });

  it('fails only on JSON type errors', () => {
    expect(parseStackElement({ settlementDate: '2025-06-15', settlementPeriod: 3, volume: '-5' })).toEqual({
      ok: false,
      error: 'volume is not a number: "-5"',
    });
    expect(parseStackElement({ settlementDate: '2025-06-15', settlementPeriod: 3.5 }).ok).toBe(false);
    expect(parseStackElement({ settlementDate: '2025-06-15', settlementPeriod: 3, sequenceNumber: 2 ** 31 }).ok).toBe(false);
    expect(parseStackElement(null).ok).toBe(false);
    // A row the processor will reject (no id) is still well typed and goes to the raw topic.
    expect(parseStackElement({ settlementDate: '2025-06-15', settlementPeriod: 3, id: null, volume: -1 }).ok).toBe(true);
  });

  it('splits a response body into rows and bad elements', () => {
    const { rows, bad } = parseStackResponse({ data: [element(), { settlementDate: 1 }] });
    expect(rows).toHaveLength(1);
    // The index is the element's position in `data`, which its dead letter names.
    expect(bad).toEqual([{ element: { settlementDate: 1 }, index: 1, error: 'settlementDate is not a string' }]);
    expect(() => parseStackResponse([])).toThrow(/data/);
  });
});

describe('BMU reference', () => {
  it('keeps the used fields of an API unit and drops the rest', () => {
    const r = parseBmUnit({ elexonBmUnit: 'T_DRAXX-1', nationalGridBmUnit: 'DRAXX-1', fuelType: 'BIOMASS', eic: '48W0000000DRAXX1', fpnFlag: true });
    expect(r).toEqual({
      ok: true,
      value: { elexonBmUnit: 'T_DRAXX-1', nationalGridBmUnit: 'DRAXX-1', bmUnitName: null, fuelType: 'BIOMASS', leadPartyName: null, generationCapacity: null },
    });
    expect(parseBmUnit({ elexonBmUnit: null, nationalGridBmUnit: 'X' }).ok).toBe(false);
  });

  it('makes a raw record keyed by the Elexon id', () => {
    const r = parseBmUnit({ elexonBmUnit: 'T_SGRWO-1', fuelType: 'WIND' });
    if (!r.ok) throw new Error(r.error);
    const rec = bmUnitToRawRecord(r.value, 'https://example/ref', 1_750_000_000_000);
    expect(rec).toMatchObject({ key: 'T_SGRWO-1', eventTime: 1_750_000_000_000, sourceRef: 'https://example/ref' });
  });
});

describe('parseBmuMapping', () => {
  it('reads the real fixture: 212 wind units, 32 of them without national grid id, name or capacity', () => {
    const units = parseBmuMapping(fixtureText());
    expect(units).toHaveLength(212);
    expect(units.every((u) => u.fuelType === 'WIND')).toBe(true);
    expect(new Set(units.map((u) => u.elexonBmUnit)).size).toBe(212);
    expect(units.filter((u) => u.nationalGridBmUnit === null)).toHaveLength(32);
    expect(units.find((u) => u.elexonBmUnit === '2__PENEC001')).toEqual({
      elexonBmUnit: '2__PENEC001',
      nationalGridBmUnit: 'ROTHW-1',
      bmUnitName: 'Rothes Windfarm',
      generationCapacity: '50.600',
      fuelType: 'WIND',
      leadPartyName: 'Eneco Energy Trade',
    });
  });

  it('accepts already-parsed JSON', () => {
    expect(parseBmuMapping(JSON.parse(fixtureText()) as unknown)).toHaveLength(212);
  });

  it('lists every problem of a bad file at once', () => {
    const bad = [
      { elexonBmUnit: 'T_A-1', fuelType: 'WIND', leadPartyName: 'A' },
      { elexonBmUnit: 'T_A-1', fuelType: 'WIND', leadPartyName: 'A' },
      { elexonBmUnit: 'T_B-1', leadPartyName: 'B' },
      { elexonBmUnit: 'T_C-1', fuelType: 'WIND', leadPartyName: 'C', generationCapacity: 'lots' },
      { nationalGridBmUnit: 'D-1' },
      'nope',
    ];
    let message = '';
    try {
      parseBmuMapping(bad);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('5 problem(s)');
    expect(message).toContain('[1] T_A-1: duplicate of entry [0]');
    expect(message).toContain('[2] T_B-1: fuelType is missing');
    expect(message).toContain('[3] T_C-1: generationCapacity');
    expect(message).toContain('[4] elexonBmUnit is missing');
    expect(message).toContain('[5] BMU is not an object');
    expect(() => parseBmuMapping({})).toThrow(/array/);
    expect(() => parseBmuMapping('not json')).toThrow(SyntaxError);
  });
});
