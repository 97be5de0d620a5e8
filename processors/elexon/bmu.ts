// BMU reference lookups for the curtailment processor.

import type { BmUnit } from '../../schemas/elexon/raw.js';
import type { BmuInfo, BmuLookup } from '../../schemas/elexon/clean.js';

export function bmuInfo(unit: BmUnit): BmuInfo {
  const capacity = unit.generationCapacity === null ? NaN : Number(unit.generationCapacity);
  return {
    elexonBmUnit: unit.elexonBmUnit,
    nationalGridBmUnit: unit.nationalGridBmUnit,
    name: unit.bmUnitName,
    fuelType: unit.fuelType,
    leadPartyName: unit.leadPartyName,
    capacityMw: Number.isFinite(capacity) ? capacity : null,
  };
}

/**
 * A lookup by Elexon BMU id. Later units replace earlier ones with the same id, so pass the API's reference list
 * first and a user override file after it.
 */
export function makeBmuLookup(...sources: Iterable<BmUnit>[]): BmuLookup {
  const byId = new Map<string, BmuInfo>();
  for (const units of sources) for (const u of units) byId.set(u.elexonBmUnit, bmuInfo(u));
  return (id) => byId.get(id);
}

export function isWind(info: BmuInfo): boolean {
  return info.fuelType?.trim().toUpperCase() === 'WIND';
}
