// Types of the clean Elexon topics and of the BMU reference the curtailment processor joins against.

import type { StackSide } from './raw.js';

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
 * Value of `clean.elexon.curtailment` (schemas/elexon/clean.elexon.curtailment.avsc). Volume and prices keep the
 * API's signs; `curtailed_mwh` and `payment_gbp` are the derived, sign-documented figures.
 */
export interface CurtailmentValue {
  /** London settlement day, YYYY-MM-DD. */
  settlement_date: string;
  settlement_period: number;
  /** UTC ms of the period start (timestamp-millis). */
  period_start: number;
  side: StackSide;
  /** Elexon BMU id (the stack's `id`). */
  bmu_id: string;
  national_grid_id: string | null;
  farm_name: string | null;
  lead_party_name: string | null;
  fuel: string;
  acceptance_id: number | null;
  bid_offer_pair_id: number | null;
  sequence_number: number | null;
  /** MWh as in the stack: negative for a curtailment. */
  volume: number;
  /** Energy not generated, MWh: −volume, so positive. */
  curtailed_mwh: number;
  /** GBP/MWh as bid. */
  original_price: number;
  final_price: number | null;
  /**
   * volume × original_price, GBP. Positive = paid to the unit (a wind bid at −£50/MWh for −10 MWh earns £500).
   * The old system stored the opposite sign.
   */
  payment_gbp: number;
  /** null in the API is read as false. */
  so_flag: boolean;
  cadl_flag: boolean;
  /** UTC ms (timestamp-millis) of the API's createdDateTime. */
  created_datetime: number | null;
}
