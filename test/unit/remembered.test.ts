// schemas/remembered.ts: a parser asked once per distinct text, its answers kept within a bound.
import { describe, expect, it } from 'vitest';
import { remembered } from '../../schemas/remembered.js';
import { parseNemTime } from '../../schemas/aemo/nem-time.js';

describe('remembered', () => {
  it('asks the parser once per distinct text, remembers "no answer" too, and forgets everything when full', () => {
    const asked: string[] = [];
    const parse = remembered((t: string) => {
      asked.push(t);
      return t === 'bad' ? undefined : t.length;
    }, 3);
    expect([parse('a'), parse('bb'), parse('a'), parse('bad'), parse('bad')]).toEqual([1, 2, 1, undefined, undefined]);
    expect(asked).toEqual(['a', 'bb', 'bad']);
    parse('cccc'); // a fourth distinct text: the memory is full, so it starts again with this one
    parse('a');
    expect(asked).toEqual(['a', 'bb', 'bad', 'cccc', 'a']);
  });

  it('gives NEM times that callers share and so cannot change', () => {
    const a = parseNemTime('2024/08/01 00:05:00')!;
    expect(parseNemTime('2024/08/01 00:05:00')).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
    expect(a).toEqual({ utc: Date.parse('2024-07-31T14:05:00Z'), nem: '2024-08-01T00:05:00' });
    expect(parseNemTime('2025/02/30 00:00:00')).toBeNull();
  });
});
