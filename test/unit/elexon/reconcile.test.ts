import { describe, expect, it } from 'vitest';
import type { RawStackValue } from '../../../schemas/elexon/raw.js';
import { makeBmuLookup } from '../../../processors/elexon/bmu.js';
import { formatReport, latestFetchRows, rawTotals, reconcile, type RawStackMessage } from '../../../ops/elexon/totals.js';
import { parseDifficultyCsv } from '../../../ops/elexon/difficulty.js';

// Rows built from the documented element shape (no real response is public).
const row = (period: number, seq: number, volume: number, over: Partial<RawStackValue> = {}): RawStackValue => ({
  side: 'bid', settlementDate: '2025-06-15', settlementPeriod: period, startTime: null, createdDateTime: null, sequenceNumber: seq, id: 'T_WIND-1',
  acceptanceId: 100 + seq, bidOfferPairId: -1, cadlFlag: null, soFlag: true, storProviderFlag: null, repricedIndicator: null, reserveScarcityPrice: null,
  originalPrice: -50, volume, dmatAdjustedVolume: null, arbitrageAdjustedVolume: null, nivAdjustedVolume: null, parAdjustedVolume: null, finalPrice: null,
  transmissionLossMultiplier: null, tlmAdjustedVolume: null, tlmAdjustedCost: null, ...over,
});
const lookup = makeBmuLookup([{ elexonBmUnit: 'T_WIND-1', nationalGridBmUnit: 'WIND-1', bmUnitName: 'Wind', fuelType: 'WIND', leadPartyName: 'X', generationCapacity: '10' }]);
let seq = 0;
const msg = (value: RawStackValue, fetchedAt: number): RawStackMessage => ({ key: `${value.settlementPeriod}|${value.side}|${value.sequenceNumber}`, value, fetchedAt, seq: seq++ });

describe('reconcile (pure)', () => {
  it('counts only the latest fetch of each slot: a row the API dropped no longer counts', () => {
    const messages = [msg(row(1, 1, -10), 1000), msg(row(1, 2, -5), 1000), msg(row(2, 1, -1), 1000), msg(row(1, 1, -12), 2000), msg(row(3, 1, -1, { settlementDate: '2025-06-16' }), 1000)];
    const rows = latestFetchRows(messages, '2025-06-15');
    expect(rows.map((r) => [r.settlementPeriod, r.volume])).toEqual([[2, -1], [1, -12]]);
    const t = rawTotals(rows, lookup);
    expect(t).toMatchObject({ records: 2, energyMwh: 13, paymentGbp: 650, periods: [1, 2], fetchedPeriods: [1, 2] });
  });

  it('flags missing periods and differences beyond the tolerance, and prints n/n', () => {
    const raw = { records: 2, energyMwh: 13, paymentGbp: 650, periods: [1, 2], fetchedPeriods: Array.from({ length: 50 }, (_, i) => i + 1), unknownBmuRows: 0, invalidRows: 0 };
    const ok = reconcile('2025-10-26', { records: 2, energyMwh: 13.0004, paymentGbp: 650.004, periods: [1, 2] }, raw, {}, { mwh: 0.001, gbp: 0.01 });
    expect(ok.problems).toEqual([]);
    expect(formatReport(ok).join('\n')).toContain('periods fetched: 50/50');
    const bad = reconcile('2025-10-26', { records: 1, energyMwh: 12, paymentGbp: 600, periods: [1] }, { ...raw, fetchedPeriods: [1, 2] }, { energyMwh: 20 }, { mwh: 0.001, gbp: 0.01 });
    expect(bad.problems).toHaveLength(6);
    expect(formatReport(bad).join('\n')).toContain('missing 3, 4, 5');
  });
});

describe('difficulty CSV', () => {
  it('reads date,difficulty and Timestamp,Value, keeping the digits as written', () => {
    expect(parseDifficultyCsv('date,difficulty\n2025-06-15,126411437451912.2\n2025-06-16,1.2641e14\n')).toEqual([
      { date: '2025-06-15', difficulty: '126411437451912.2' },
      { date: '2025-06-16', difficulty: '1.2641e14' },
    ]);
    expect(parseDifficultyCsv('Timestamp,Value\n2025-06-15 00:00:00,5\n')).toEqual([{ date: '2025-06-15', difficulty: '5' }]);
  });

  it('lists every bad line', () => {
    expect(() => parseDifficultyCsv('date,difficulty\n2025-02-30,5\n2025-06-15,-1\n2025-06-16,7\n2025-06-16,8\n')).toThrow(/3 problem\(s\)[\s\S]*line 2[\s\S]*line 3[\s\S]*line 5/);
  });
});
