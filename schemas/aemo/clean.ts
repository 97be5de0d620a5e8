// Values of the clean AEMO topics (schemas/aemo/clean.aemo.*.avsc). Instants are UTC epoch ms (Avro long,
// timestamp-millis); each also keeps the market's own label as `*_nem` (`2025-12-27T00:05:00`, NEM time = UTC+10, no
// zone) because that is what AEMO, and every user of its data, calls the interval. Times label the END of the interval.
// The types are generated from the .avsc files (records.gen.ts, `npm run gen:types`); the names here are the ones the
// code uses, the Avro record names being fixed by the registered schemas.
import type { InterconnectorFlow, RegionPrice, RooftopPv, RooftopPv5Min, UnitScada } from './records.gen.js';

export type { RawDispatchPrice, RawInterconnectorRes, RawRooftopActual, RawUnitScada } from './raw.js';

/** clean.aemo.unit_scada, key `duid|settlementdate_nem`. */
export type CleanUnitScada = UnitScada;

/** clean.aemo.region_price, key `regionid|settlementdate_nem|intervention`. Both intervention 0 and 1 rows are kept. */
export type CleanRegionPrice = RegionPrice;

/** clean.aemo.interconnector_flow, key `interconnectorid|settlementdate_nem|intervention`. MW. */
export type CleanInterconnectorFlow = InterconnectorFlow;

/** clean.aemo.rooftop_pv (30-min), key `regionid|interval_datetime_nem|type`. */
export type CleanRooftopPv = RooftopPv;

// clean.aemo.rooftop_pv_5min, key `regionid|settlementdate_nem`: MEASUREMENT rooftop spread to 5-min slots.
export type { RooftopPv5Min };
