// "What if" conversion of curtailed energy into bitcoin, the old system's formula: the energy runs a miner of a
// given efficiency, and the hashes it computes find blocks at the network's difficulty.
//   hashes = hashrate_TH × 1e12 × seconds, seconds = MWh × 3.6e9 J / power_W
//   BTC    = hashes / (difficulty × 2^32) × block reward

export interface MinerModel {
  name: string;
  hashrateTh: number;
  powerW: number;
}

export const DEFAULT_MINER_MODELS: readonly MinerModel[] = Object.freeze([
  { name: 'S19J_PRO', hashrateTh: 100, powerW: 3050 },
  { name: 'S9', hashrateTh: 13.5, powerW: 1323 },
  { name: 'M20S', hashrateTh: 68, powerW: 3360 },
]);

const JOULES_PER_MWH = 3.6e9;
const HASHES_PER_DIFFICULTY = 2 ** 32;

/**
 * Subsidy per block on a UTC date. The old system used 6.25 before 2024-04-20 for every date; the earlier halvings
 * are kept here so that backfills before 2020-05-11 are not overstated. No later halving date is known yet.
 */
const HALVINGS: readonly { from: string; reward: number }[] = [
  { from: '2024-04-20', reward: 3.125 },
  { from: '2020-05-11', reward: 6.25 },
  { from: '2016-07-09', reward: 12.5 },
  { from: '2012-11-28', reward: 25 },
];

export function blockReward(date: string): number {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new RangeError(`blockReward: not a YYYY-MM-DD date: ${JSON.stringify(date)}`);
  // ISO dates compare correctly as strings.
  for (const h of HALVINGS) if (date >= h.from) return h.reward;
  return 50;
}

/** Bitcoin a miner would have mined with `mwh` of energy at network `difficulty` on `date` (YYYY-MM-DD, UTC). */
export function bitcoinMined(mwh: number, difficulty: number, model: MinerModel, date: string): number {
  if (!Number.isFinite(mwh) || mwh < 0) throw new RangeError(`bitcoinMined: energy must be >= 0 MWh, got ${mwh}`);
  if (!Number.isFinite(difficulty) || difficulty <= 0) throw new RangeError(`bitcoinMined: difficulty must be > 0, got ${difficulty}`);
  const seconds = (mwh * JOULES_PER_MWH) / model.powerW;
  const hashes = model.hashrateTh * 1e12 * seconds;
  return (hashes / (difficulty * HASHES_PER_DIFFICULTY)) * blockReward(date);
}

function checkModel(m: MinerModel, where: string): MinerModel {
  if (!/^[A-Za-z0-9_.-]+$/.test(m.name)) throw new Error(`${where}: miner name must be letters, digits, _ . -: ${JSON.stringify(m.name)}`);
  if (!Number.isFinite(m.hashrateTh) || m.hashrateTh <= 0) throw new Error(`${where}: hashrateTh must be > 0`);
  if (!Number.isFinite(m.powerW) || m.powerW <= 0) throw new Error(`${where}: powerW must be > 0`);
  return { name: m.name, hashrateTh: m.hashrateTh, powerW: m.powerW };
}

/**
 * Reads a custom miner list, either JSON (`[{"name":"S21","hashrateTh":200,"powerW":3500}]`) or the compact form
 * an environment variable can hold (`S21:200:3500,S19J_PRO:100:3050`). Names must be unique. Empty input gives
 * the defaults.
 */
export function parseMinerModels(input: string | unknown): MinerModel[] {
  if (typeof input === 'string' && input.trim() === '') return [...DEFAULT_MINER_MODELS];
  let entries: MinerModel[];
  if (typeof input === 'string' && !input.trim().startsWith('[')) {
    entries = input.split(',').map((part, i) => {
      const bits = part.trim().split(':');
      if (bits.length !== 3) throw new Error(`miner models [${i}]: expected NAME:TH:W, got ${JSON.stringify(part.trim())}`);
      return checkModel({ name: bits[0] ?? '', hashrateTh: Number(bits[1]), powerW: Number(bits[2]) }, `miner models [${i}]`);
    });
  } else {
    const data = typeof input === 'string' ? (JSON.parse(input) as unknown) : input;
    if (!Array.isArray(data)) throw new Error('miner models: expected an array');
    entries = data.map((x: unknown, i) => {
      if (typeof x !== 'object' || x === null) throw new Error(`miner models [${i}]: not an object`);
      const o = x as Record<string, unknown>;
      if (typeof o.name !== 'string' || typeof o.hashrateTh !== 'number' || typeof o.powerW !== 'number') {
        throw new Error(`miner models [${i}]: expected {name: string, hashrateTh: number, powerW: number}`);
      }
      return checkModel({ name: o.name, hashrateTh: o.hashrateTh, powerW: o.powerW }, `miner models [${i}]`);
    });
  }
  if (entries.length === 0) throw new Error('miner models: the list is empty');
  const names = new Set<string>();
  for (const m of entries) {
    if (names.has(m.name)) throw new Error(`miner models: duplicate name ${m.name}`);
    names.add(m.name);
  }
  return entries;
}
