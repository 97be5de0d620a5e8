import { describe, expect, it } from 'vitest';
import { comparePeriods, latestSettled, nextPeriod, pruneSeen, rangeOf, windowStart } from '../../../producers/elexon/cursor.js';
import { addDays } from '../../../schemas/elexon/calendar.js';

describe('Elexon cursor arithmetic', () => {
  it('steps through the clock-change days by their own period counts', () => {
    expect(nextPeriod({ date: '2025-10-26', period: 48 })).toEqual({ date: '2025-10-26', period: 49 });
    expect(nextPeriod({ date: '2025-10-26', period: 50 })).toEqual({ date: '2025-10-27', period: 1 });
    expect(nextPeriod({ date: '2025-03-30', period: 46 })).toEqual({ date: '2025-03-31', period: 1 });
    expect(addDays('2025-03-01', -1)).toBe('2025-02-28');
    expect(comparePeriods({ date: '2025-01-01', period: 48 }, { date: '2025-01-02', period: 1 })).toBeLessThan(0);
  });

  it('knows the latest settled period and the revision window in London time', () => {
    // 00:40 UTC on 2025-06-16 = 01:40 BST: SP2 (00:30-01:00 BST) ended 40 minutes ago.
    expect(latestSettled(Date.parse('2025-06-16T00:40:00Z'), 30 * 60_000)).toEqual({ date: '2025-06-16', period: 2 });
    // 23:10 UTC on the 15th is already the 16th in London.
    expect(windowStart(Date.parse('2025-06-15T23:10:00Z'), 7)).toBe('2025-06-10');
  });

  it('drops fingerprints of dates before the window, and reads run options', () => {
    expect(pruneSeen({ 'bid/2025-06-01/1': { h: 'a' }, 'offer/2025-06-09/2': { h: 'b' } }, '2025-06-05')).toEqual({ 'offer/2025-06-09/2': { h: 'b' } });
    expect(rangeOf({}, '2025-06-10')).toBeUndefined();
    expect(rangeOf({ date: '2025-06-01', from: '2025-06-01', to: '2025-06-01' }, '2025-06-10')).toEqual({ from: '2025-06-01', to: '2025-06-01' });
    expect(rangeOf({ from: '2025-06-01' }, '2025-06-10')).toEqual({ from: '2025-06-01', to: '2025-06-10' });
  });
});
