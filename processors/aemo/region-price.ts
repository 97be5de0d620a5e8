// raw.aemo.dispatch_price -> clean.aemo.region_price. Intervention rows (INTERVENTION=1) are kept next to the market
// rows (0) with the flag in the key; readers wanting the market price filter intervention = 0.
import type { RawDispatchPrice } from '../../schemas/aemo/raw.js';
import { decimal, integer, normaliser, optionalTime, requiredDecimal, requiredInteger, requiredText, requiredTime } from './fields.js';
import type { CleanRegionPrice } from '../../schemas/aemo/clean.js';

export const normaliseRegionPrice = normaliser<RawDispatchPrice, CleanRegionPrice>(({ value: raw }) => {
  const t = requiredTime(raw.settlementdate, 'SETTLEMENTDATE');
  const regionid = requiredText(raw.regionid, 'REGIONID');
  const intervention = requiredInteger(raw.intervention, 'INTERVENTION');
  const value: CleanRegionPrice = {
    settlementdate: t.utc,
    settlementdate_nem: t.nem,
    regionid,
    intervention,
    // A price row without a price is useless downstream; EEP/ROP/flags are secondary and may vanish in new versions.
    rrp: requiredDecimal(raw.rrp, 'RRP'),
    eep: decimal(raw.eep, 'EEP'),
    rop: decimal(raw.rop, 'ROP'),
    apcflag: integer(raw.apcflag, 'APCFLAG'),
    marketsuspendedflag: integer(raw.marketsuspendedflag, 'MARKETSUSPENDEDFLAG'),
    lastchanged: optionalTime(raw.lastchanged, 'LASTCHANGED'),
  };
  return [{ key: `${regionid}|${t.nem}|${intervention}`, value, eventTime: t.utc }];
});
