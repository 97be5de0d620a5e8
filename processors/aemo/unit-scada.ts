// raw.aemo.unit_scada -> clean.aemo.unit_scada.
import type { RawUnitScada } from '../../schemas/aemo/raw.js';
import { decimal, normaliser, optionalTime, requiredText, requiredTime } from './fields.js';
import type { CleanUnitScada } from '../../schemas/aemo/clean.js';

export const normaliseUnitScada = normaliser<RawUnitScada, CleanUnitScada>(({ value: raw }) => {
  const t = requiredTime(raw.settlementdate, 'SETTLEMENTDATE');
  const duid = requiredText(raw.duid, 'DUID');
  const value: CleanUnitScada = {
    settlementdate: t.utc,
    settlementdate_nem: t.nem,
    duid,
    scadavalue: decimal(raw.scadavalue, 'SCADAVALUE'),
    lastchanged: optionalTime(raw.lastchanged, 'LASTCHANGED'),
  };
  return [{ key: `${duid}|${t.nem}`, value, eventTime: t.utc }];
});
