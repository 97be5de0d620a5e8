import { describe, expect, it } from 'vitest';
import { formatNem, nemDay, nemToUtc, parseNemTime } from '../../../schemas/aemo/nem-time.js';

describe('NEM time (fixed UTC+10)', () => {
  it('converts a quoted live timestamp to UTC ten hours earlier', () => {
    const t = parseNemTime('"2025/12/27 00:05:00"');
    expect(t?.utc).toBe(Date.parse('2025-12-26T14:05:00Z'));
    expect(t?.nem).toBe('2025-12-27T00:05:00');
  });

  it('reads unquoted archive timestamps the same way', () => {
    expect(parseNemTime('2024/08/01 00:05:00')?.utc).toBe(Date.parse('2024-07-31T14:05:00Z'));
  });

  it('applies no daylight saving: NSW summer and winter are both +10', () => {
    expect(parseNemTime('2025/01/15 12:00:00')?.utc).toBe(Date.parse('2025-01-15T02:00:00Z'));
    expect(parseNemTime('2025/07/15 12:00:00')?.utc).toBe(Date.parse('2025-07-15T02:00:00Z'));
  });

  it('keeps 00:00 as the end of the previous day interval (next day label)', () => {
    expect(parseNemTime('2024/09/01 00:00:00')?.nem).toBe('2024-09-01T00:00:00');
    expect(nemDay(Date.parse('2024-08-31T14:00:00Z'))).toBe('2024-09-01');
  });

  it('rejects malformed or impossible timestamps', () => {
    for (const bad of ['', '2025/02/30 00:00:00', '2025/12/27', '27/12/2025 00:05:00', '2025/12/27 25:00:00', 'x']) {
      expect(parseNemTime(bad), bad).toBeNull();
    }
  });

  it('formats and builds NEM times consistently', () => {
    const utc = nemToUtc(2025, 12, 27, 0, 5);
    expect(formatNem(utc)).toBe('2025-12-27T00:05:00');
    expect(parseNemTime('2025-12-27 00:05')?.utc).toBe(utc);
  });
});
