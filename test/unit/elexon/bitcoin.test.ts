import { describe, expect, it } from 'vitest';
import { DEFAULT_MINER_MODELS, bitcoinMined, blockReward, parseMinerModels } from '../../../sinks/elexon/bitcoin.js';
import type { MinerModel } from '../../../sinks/elexon/bitcoin.js';

const S19J_PRO: MinerModel = { name: 'S19J_PRO', hashrateTh: 100, powerW: 3050 };

describe('blockReward', () => {
  it('halves on 2024-04-20', () => {
    expect(blockReward('2024-04-19')).toBe(6.25);
    expect(blockReward('2024-04-20')).toBe(3.125);
    expect(blockReward('2025-06-15')).toBe(3.125);
  });

  it('follows the earlier halvings instead of 6.25 for every older date', () => {
    expect(blockReward('2020-05-11')).toBe(6.25);
    expect(blockReward('2020-05-10')).toBe(12.5);
    expect(blockReward('2016-07-08')).toBe(25);
  });
});

describe('bitcoinMined', () => {
  it('matches a hand computation for one curtailment record', () => {
    // One record: 10 MWh curtailed on 2024-05-01, S19J_PRO, difficulty 108,105,433,845,147 (the old default).
    //   energy   = 10 MWh × 3.6e9 J/MWh                     = 3.6e10 J
    //   run time = 3.6e10 J / 3050 W                        = 11,803,278.688524590 s
    //   hashes   = 100 TH/s × 1e12 × 11,803,278.688524590 s = 1.180327868852459e21
    //   per block= 108,105,433,845,147 × 2^32 (4,294,967,296)= 464,309,302,884,797,893,312,512 ≈ 4.643093028847979e23
    //   blocks   = 1.180327868852459e21 / 4.643093028847979e23 = 0.002542115485343433
    //   BTC      = 0.002542115485343433 × 3.125 (after the 2024-04-20 halving) = 0.007944110891698228
    const btc = bitcoinMined(10, 108105433845147, S19J_PRO, '2024-05-01');
    expect(btc).toBeCloseTo(0.007944110891698228, 15);
    // Same energy before the halving earns twice as much.
    expect(bitcoinMined(10, 108105433845147, S19J_PRO, '2024-04-19')).toBeCloseTo(0.015888221783396456, 15);
  });

  it('is linear in energy and zero for zero energy', () => {
    const one = bitcoinMined(1, 1e14, S19J_PRO, '2025-01-01');
    expect(bitcoinMined(7.5, 1e14, S19J_PRO, '2025-01-01') / (7.5 * one)).toBeCloseTo(1, 12);
    expect(bitcoinMined(0, 1e14, S19J_PRO, '2025-01-01')).toBe(0);
  });

  it('ranks the default models by efficiency (TH per W)', () => {
    const [s19, s9, m20s] = DEFAULT_MINER_MODELS.map((m) => bitcoinMined(1, 1e14, m, '2025-01-01'));
    expect(s19).toBeGreaterThan(m20s ?? Infinity);
    expect(m20s).toBeGreaterThan(s9 ?? Infinity);
  });

  it('refuses negative energy and non-positive difficulty', () => {
    expect(() => bitcoinMined(-1, 1e14, S19J_PRO, '2025-01-01')).toThrow(RangeError);
    expect(() => bitcoinMined(1, 0, S19J_PRO, '2025-01-01')).toThrow(RangeError);
  });
});

describe('parseMinerModels', () => {
  it('reads JSON and the compact NAME:TH:W form', () => {
    expect(parseMinerModels('[{"name":"S21","hashrateTh":200,"powerW":3500}]')).toEqual([{ name: 'S21', hashrateTh: 200, powerW: 3500 }]);
    expect(parseMinerModels('S21:200:3500, S9:13.5:1323')).toEqual([
      { name: 'S21', hashrateTh: 200, powerW: 3500 },
      { name: 'S9', hashrateTh: 13.5, powerW: 1323 },
    ]);
    expect(parseMinerModels([{ name: 'X', hashrateTh: 1, powerW: 2 }])).toHaveLength(1);
  });

  it('gives the defaults for empty input', () => {
    expect(parseMinerModels('  ')).toEqual(DEFAULT_MINER_MODELS);
  });

  it('rejects bad entries', () => {
    expect(() => parseMinerModels('S21:200')).toThrow(/NAME:TH:W/);
    expect(() => parseMinerModels('S21:-1:3500')).toThrow(/hashrateTh/);
    expect(() => parseMinerModels('S21:1:1,S21:2:2')).toThrow(/duplicate/);
    expect(() => parseMinerModels('[{"name":"S21"}]')).toThrow(/expected/);
    expect(() => parseMinerModels('[]')).toThrow(/empty/);
    expect(() => parseMinerModels('{"name":"S21"}')).toThrow(/NAME:TH:W|array/);
  });
});
