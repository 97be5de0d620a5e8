// raw.aemo.rooftop_actual -> clean.aemo.rooftop_pv (30-min, both TYPEs, sub-regions as their own regions).
import type { RawRooftopActual } from '../../schemas/aemo/raw.js';
import { decimal, normaliser, optionalTime, requiredText, requiredTime } from './fields.js';
import type { CleanRooftopPv } from '../../schemas/aemo/clean.js';

export const normaliseRooftopPv = normaliser<RawRooftopActual, CleanRooftopPv>(({ value: raw }) => {
  const t = requiredTime(raw.interval_datetime, 'INTERVAL_DATETIME');
  const regionid = requiredText(raw.regionid, 'REGIONID');
  const type = requiredText(raw.type, 'TYPE');
  const value: CleanRooftopPv = {
    interval_datetime: t.utc,
    interval_datetime_nem: t.nem,
    regionid,
    type,
    power: decimal(raw.power, 'POWER'),
    qi: decimal(raw.qi, 'QI'),
    lastchanged: optionalTime(raw.lastchanged, 'LASTCHANGED'),
  };
  return [{ key: `${regionid}|${t.nem}|${type}`, value, eventTime: t.utc }];
});
