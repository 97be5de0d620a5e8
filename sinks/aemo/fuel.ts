// DUID -> region and fuel. The registry (aemo_duid_registry, effective-dated) is the truth; for DUIDs it does not know,
// the fuel is guessed from the name with the same patterns as the reference updater's `classify_duid_fuel`
// (davidleitch1/aemo-data-updater), and the region from a region-id suffix (DG_NSW1, RT_VIC1). Pure.

export type FuelConfidence = 'high' | 'medium' | 'low';

export interface FuelGuess {
  fuel: string;
  confidence: FuelConfidence;
}

// Ordered: the first rule that matches wins (battery patterns before solar: `SFB1` is a solar farm's battery).
const RULES: [test: (d: string) => boolean, fuel: string, confidence: FuelConfidence][] = [
  [(d) => d.startsWith('RT_'), 'Rooftop Solar', 'high'],
  [(d) => d.startsWith('DG_'), 'Distributed Gen', 'high'],
  [(d) => d.includes('BESS') || d.includes('BATTERY') || d.includes('BATRY'), 'Battery Storage', 'high'],
  [(d) => /BA\d+[GL]$/.test(d), 'Battery Storage', 'high'], // ADPBA1G, BOWWBA1L
  [(d) => /BES\d*[GL]\d*$/.test(d), 'Battery Storage', 'high'], // BULBESG1, CAPBES1G
  [(d) => /ESS\d*[GL]\d*$/.test(d), 'Battery Storage', 'high'], // HBESSG1, RESS1G
  [(d) => /B[GL]\d+$/.test(d), 'Battery Storage', 'medium'], // VBBG1, LBBL1
  [(d) => /HPR[GL]\d*$/.test(d), 'Battery Storage', 'high'], // Hornsdale Power Reserve
  [(d) => d.includes('PBS') || d.includes('BBF'), 'Battery Storage', 'medium'],
  [(d) => /SFB\d/.test(d), 'Battery Storage', 'medium'],
  [(d) => /SF\d/.test(d) || d.includes('SOLAR') || /PV\d/.test(d), 'Solar', 'high'],
  [(d) => /SP\d+$/.test(d) && !d.includes('PH'), 'Solar', 'medium'],
  [(d) => d.includes('WF') || d.includes('WIND'), 'Wind', 'high'],
  [(d) => d.includes('PUMP') || /PH[GL]\d/.test(d) || d === 'SNOWYP' || d === 'SHOAL1', 'Water', 'high'],
];

export const UNKNOWN = 'Unknown';

/** The reference's name-based fuel guess; `Unknown` (low) when no pattern matches. */
export function guessFuel(duid: string): FuelGuess {
  const d = duid.toUpperCase();
  for (const [test, fuel, confidence] of RULES) if (test(d)) return { fuel, confidence };
  return { fuel: UNKNOWN, confidence: 'low' };
}

/** The region a pseudo-DUID names (`DG_NSW1`, `RT_VIC1`), else null. */
export function guessRegion(duid: string): string | null {
  const m = /_(NSW1|QLD1|SA1|TAS1|VIC1)$/.exec(duid.toUpperCase());
  return m?.[1] ?? null;
}

/** One row of aemo_duid_registry; times as UTC ms, null = open-ended. */
export interface DuidEntry {
  duid: string;
  regionid: string | null;
  fuel: string | null;
  validFrom: number | null;
  validTo: number | null;
}

export interface UnitInfo {
  regionid: string;
  fuel: string;
  /** Whether the registry knew the DUID at that time (false = guessed from the name). */
  known: boolean;
}

/** Region and fuel of a DUID at instant `at`: the registry entry valid then, or the name-based guesses. */
export function unitAt(duid: string, at: number, entries: readonly DuidEntry[]): UnitInfo {
  const e = entries.find((x) => x.duid === duid && (x.validFrom === null || x.validFrom <= at) && (x.validTo === null || at < x.validTo));
  const guessedRegion = guessRegion(duid) ?? UNKNOWN;
  if (!e) return { regionid: guessedRegion, fuel: guessFuel(duid).fuel, known: false };
  return { regionid: e.regionid ?? guessedRegion, fuel: e.fuel ?? guessFuel(duid).fuel, known: true };
}
