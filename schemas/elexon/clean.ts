// Types of the clean Elexon topics and of the BMU reference the curtailment processor joins against.

import type { Curtailment } from './records.gen.js';

/** What the processor knows about a BMU, from /reference/bmunits/all and/or a user mapping file. */
export interface BmuInfo {
  elexonBmUnit: string;
  nationalGridBmUnit: string | null;
  name: string | null;
  /** As Elexon spells it: WIND, CCGT, NUCLEAR, ... */
  fuelType: string | null;
  leadPartyName: string | null;
  capacityMw: number | null;
}

export type BmuLookup = (elexonBmUnit: string) => BmuInfo | undefined;

/**
 * Value of `clean.elexon.curtailment` (schemas/elexon/clean.elexon.curtailment.avsc, generated into records.gen.ts).
 * Volume and prices keep the API's signs; `curtailed_mwh` and `payment_gbp` are the derived, sign-documented figures.
 */
export type CurtailmentValue = Curtailment;
