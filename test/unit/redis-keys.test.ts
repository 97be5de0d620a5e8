// Issue 11 #6: Redis keys built from names and values cannot collide with or address another view's keys.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keyPart, offsetsKey, versionsKey, viewKey, viewName } from '../../runtime/redis-views.js';
import { FUZZ_SEED } from './fuzz/params.js';

const hostile = fc.oneof(fc.string(), fc.constantFrom('a:b', '*', '?', '[a-z]', 'x\ny', '_offsets', '_version', 'by_duid:_version', '~YQ', 'v:1', ''));

describe('Redis view keys', () => {
  it('a view name holding ":" or a glob character is refused (it made viewKey("a:b", "c") equal viewKey("a", "b:c"))', () => {
    for (const bad of ['a:b', 'a*', 'a?', 'a[1]', 'a b', 'a\n', '', '_x']) expect(() => viewName(bad), JSON.stringify(bad)).toThrow(/^not a view name/);
    expect(viewKey('aemo_price_latest', 'by_region')).toBe('gs:view:aemo_price_latest:by_region');
    expect(viewKey('x', 'v', '1767000000000-ab12cd')).toBe('gs:view:x:v:1767000000000-ab12cd');
  });

  it('parts from records are encoded: distinct values give distinct keys, never a reserved key, never a glob', () => {
    fc.assert(
      fc.property(hostile, hostile, fc.constantFrom('v1', 'v2'), fc.constantFrom('v1', 'v2'), (a, b, v, w) => {
        const ka = viewKey(v, 'by_duid', a);
        const kb = viewKey(w, 'by_duid', b);
        expect(ka === kb).toBe(a === b && v === w);
        expect(ka).toMatch(/^gs:view:v[12]:by_duid:[A-Za-z0-9~][A-Za-z0-9_.~-]*$/);
        for (const reserved of [offsetsKey(v), offsetsKey(w), versionsKey(viewKey(v, 'by_duid')), versionsKey(viewKey(w, 'by_duid'))]) expect(ka).not.toBe(reserved);
        expect(viewKey(v, a)).not.toBe(offsetsKey(v));
        expect(keyPart(a).includes(':')).toBe(false);
      }),
      { seed: FUZZ_SEED, numRuns: 500 },
    );
  });
});
