// raw.aemo.interconnector -> clean.aemo.interconnector_flow. Empty flows/limits stay null (the legacy reference turned
// them into 0, which reads as a real zero flow).
import type { RawInterconnectorRes } from '../../schemas/aemo/raw.js';
import { decimal, normaliser, optionalTime, requiredInteger, requiredText, requiredTime } from './fields.js';
import type { CleanInterconnectorFlow } from '../../schemas/aemo/clean.js';

export const normaliseInterconnectorFlow = normaliser<RawInterconnectorRes, CleanInterconnectorFlow>(({ value: raw }) => {
  const t = requiredTime(raw.settlementdate, 'SETTLEMENTDATE');
  const interconnectorid = requiredText(raw.interconnectorid, 'INTERCONNECTORID');
  const intervention = requiredInteger(raw.intervention, 'INTERVENTION');
  const value: CleanInterconnectorFlow = {
    settlementdate: t.utc,
    settlementdate_nem: t.nem,
    interconnectorid,
    intervention,
    meteredmwflow: decimal(raw.meteredmwflow, 'METEREDMWFLOW'),
    mwflow: decimal(raw.mwflow, 'MWFLOW'),
    mwlosses: decimal(raw.mwlosses, 'MWLOSSES'),
    exportlimit: decimal(raw.exportlimit, 'EXPORTLIMIT'),
    importlimit: decimal(raw.importlimit, 'IMPORTLIMIT'),
    lastchanged: optionalTime(raw.lastchanged, 'LASTCHANGED'),
  };
  return [{ key: `${interconnectorid}|${t.nem}|${intervention}`, value, eventTime: t.utc }];
});
