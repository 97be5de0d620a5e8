// Values of the clean AEMO topics (schemas/aemo/clean.aemo.*.avsc). Instants are UTC epoch ms (Avro long,
// timestamp-millis); each also keeps the market's own label as `*_nem` (`2025-12-27T00:05:00`, NEM time = UTC+10, no
// zone) because that is what AEMO, and every user of its data, calls the interval. Times label the END of the interval.

export type { RawDispatchPrice, RawInterconnectorRes, RawRooftopActual, RawUnitScada } from './raw.js';

/** clean.aemo.unit_scada, key `duid|settlementdate_nem`. */
export interface CleanUnitScada {
  settlementdate: number;
  settlementdate_nem: string;
  duid: string;
  /** MW; negative for charging batteries, auxiliary load or sensor noise. null when AEMO left it empty. */
  scadavalue: number | null;
  lastchanged: number | null;
}

/** clean.aemo.region_price, key `regionid|settlementdate_nem|intervention`. Both intervention 0 and 1 rows are kept. */
export interface CleanRegionPrice {
  settlementdate: number;
  settlementdate_nem: string;
  regionid: string;
  intervention: number;
  /** $/MWh. */
  rrp: number;
  eep: number | null;
  rop: number | null;
  apcflag: number | null;
  marketsuspendedflag: number | null;
  lastchanged: number | null;
}

/** clean.aemo.interconnector_flow, key `interconnectorid|settlementdate_nem|intervention`. MW. */
export interface CleanInterconnectorFlow {
  settlementdate: number;
  settlementdate_nem: string;
  interconnectorid: string;
  intervention: number;
  meteredmwflow: number | null;
  mwflow: number | null;
  mwlosses: number | null;
  exportlimit: number | null;
  importlimit: number | null;
  lastchanged: number | null;
}

/** clean.aemo.rooftop_pv (30-min), key `regionid|interval_datetime_nem|type`. */
export interface CleanRooftopPv {
  interval_datetime: number;
  interval_datetime_nem: string;
  /** NSW1 QLD1 SA1 TAS1 VIC1 and the sub-regions QLDC QLDN QLDS TASN TASS (never summed into their state). */
  regionid: string;
  /** MEASUREMENT or SATELLITE: separate estimates, never mixed. */
  type: string;
  /** MW. */
  power: number | null;
  /** Quality indicator: 1 measured, <1 estimated (SATELLITE 0.6). */
  qi: number | null;
  lastchanged: number | null;
}

/** clean.aemo.rooftop_pv_5min, key `regionid|settlementdate_nem`: MEASUREMENT rooftop spread to 5-min slots. */
export interface RooftopPv5Min {
  settlementdate: number;
  settlementdate_nem: string;
  regionid: string;
  power: number;
  /** Flat copy of the last 30-min value, to be replaced when the next 30-min value arrives. */
  provisional: boolean;
}
