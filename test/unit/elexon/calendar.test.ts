import { describe, expect, it } from 'vitest';
import { datesBetween, periodOf, periodStartUtc, periodsBetween, settlementPeriods } from '../../../schemas/elexon/calendar.js';

const iso = (d: Date): string => d.toISOString().replace('.000Z', 'Z');

describe('settlementPeriods', () => {
  it.each([
    ['2025-03-30', 46],
    ['2025-10-26', 50],
    ['2025-06-15', 48],
    ['2024-03-31', 46],
    ['2024-10-27', 50],
    ['2025-01-01', 48],
    ['2025-03-29', 48],
    ['2025-03-31', 48],
    ['2025-10-25', 48],
    ['2025-10-27', 48],
    ['2024-02-29', 48],
  ])('%s has %i periods', (date, n) => {
    expect(settlementPeriods(date)).toBe(n);
  });

  it('finds exactly one short and one long day in each year', () => {
    for (const year of [2016, 2020, 2023, 2026, 2030]) {
      const days = datesBetween(`${year}-01-01`, `${year}-12-31`);
      const counts = days.map((d) => settlementPeriods(d));
      expect(counts.filter((n) => n === 46)).toHaveLength(1);
      expect(counts.filter((n) => n === 50)).toHaveLength(1);
      expect(counts.filter((n) => n !== 46 && n !== 48 && n !== 50)).toHaveLength(0);
    }
  });

  it('rejects dates that do not exist', () => {
    expect(() => settlementPeriods('2025-02-30')).toThrow(RangeError);
    expect(() => settlementPeriods('2025-6-1')).toThrow(RangeError);
    expect(() => settlementPeriods('')).toThrow(RangeError);
  });
});

describe('periodStartUtc on the spring-forward day 2025-03-30 (46 periods)', () => {
  it('walks real 30-minute steps from local midnight (still GMT)', () => {
    const date = '2025-03-30';
    expect(iso(periodStartUtc(date, 1))).toBe('2025-03-30T00:00:00Z');
    expect(iso(periodStartUtc(date, 2))).toBe('2025-03-30T00:30:00Z');
    // 01:00 UTC is 02:00 BST: local clocks skip an hour, the periods do not.
    expect(iso(periodStartUtc(date, 3))).toBe('2025-03-30T01:00:00Z');
    expect(iso(periodStartUtc(date, 4))).toBe('2025-03-30T01:30:00Z');
    expect(iso(periodStartUtc(date, 46))).toBe('2025-03-30T22:30:00Z');
    for (let p = 1; p <= 46; p++) {
      expect(periodStartUtc(date, p).getTime()).toBe(Date.UTC(2025, 2, 30, 0, 0) + (p - 1) * 1800_000);
    }
  });

  it('has no period 47 or 0', () => {
    expect(() => periodStartUtc('2025-03-30', 47)).toThrow(/outside 1\.\.46/);
    expect(() => periodStartUtc('2025-03-30', 0)).toThrow(RangeError);
    expect(() => periodStartUtc('2025-03-30', 1.5)).toThrow(RangeError);
  });
});

describe('periodStartUtc on the fall-back day 2025-10-26 (50 periods)', () => {
  it('starts at 23:00 UTC the day before and repeats the 01:00 local hour', () => {
    const date = '2025-10-26';
    expect(iso(periodStartUtc(date, 1))).toBe('2025-10-25T23:00:00Z');
    expect(iso(periodStartUtc(date, 2))).toBe('2025-10-25T23:30:00Z');
    expect(iso(periodStartUtc(date, 3))).toBe('2025-10-26T00:00:00Z'); // 01:00 BST
    expect(iso(periodStartUtc(date, 5))).toBe('2025-10-26T01:00:00Z'); // 01:00 GMT, the second 01:00
    expect(iso(periodStartUtc(date, 50))).toBe('2025-10-26T23:30:00Z');
    for (let p = 1; p <= 50; p++) {
      expect(periodStartUtc(date, p).getTime()).toBe(Date.UTC(2025, 9, 25, 23, 0) + (p - 1) * 1800_000);
    }
    expect(() => periodStartUtc(date, 51)).toThrow(/outside 1\.\.50/);
  });
});

describe('periodStartUtc on ordinary days', () => {
  it('is local midnight in BST and in GMT', () => {
    expect(iso(periodStartUtc('2025-06-15', 1))).toBe('2025-06-14T23:00:00Z');
    expect(iso(periodStartUtc('2025-06-15', 48))).toBe('2025-06-15T22:30:00Z');
    expect(iso(periodStartUtc('2025-01-15', 1))).toBe('2025-01-15T00:00:00Z');
    expect(iso(periodStartUtc('2025-01-15', 48))).toBe('2025-01-15T23:30:00Z');
  });
});

describe('periodOf', () => {
  it('inverts periodStartUtc for every period of a range crossing both clock changes', () => {
    for (const { date, period } of [...periodsBetween('2025-03-29', '2025-03-31'), ...periodsBetween('2025-10-25', '2025-10-27')]) {
      const start = periodStartUtc(date, period);
      expect(periodOf(start)).toEqual({ date, period });
      expect(periodOf(start.getTime() + 29 * 60_000 + 59_999)).toEqual({ date, period });
    }
  });

  it('places the repeated local hour in different periods', () => {
    expect(periodOf(new Date('2025-10-26T00:10:00Z'))).toEqual({ date: '2025-10-26', period: 3 });
    expect(periodOf(new Date('2025-10-26T01:10:00Z'))).toEqual({ date: '2025-10-26', period: 5 });
    expect(periodOf(new Date('2025-06-14T23:00:00Z'))).toEqual({ date: '2025-06-15', period: 1 });
    expect(periodOf(new Date('2025-06-14T22:59:59Z'))).toEqual({ date: '2025-06-14', period: 48 });
  });
});

describe('datesBetween', () => {
  it('includes both ends and crosses months and leap days', () => {
    expect(datesBetween('2024-02-28', '2024-03-01')).toEqual(['2024-02-28', '2024-02-29', '2024-03-01']);
    expect(datesBetween('2025-06-15', '2025-06-15')).toEqual(['2025-06-15']);
    expect(datesBetween('2025-06-16', '2025-06-15')).toEqual([]);
  });

  it('is not disturbed by clock changes', () => {
    expect(datesBetween('2025-10-25', '2025-10-27')).toEqual(['2025-10-25', '2025-10-26', '2025-10-27']);
  });

  it('counts the periods of a year', () => {
    expect(periodsBetween('2025-01-01', '2025-12-31')).toHaveLength(365 * 48);
  });
});
