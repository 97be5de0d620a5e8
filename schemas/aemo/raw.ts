// Values of the raw AEMO topics (schemas/aemo/raw.aemo.*.avsc): the MMS fields exactly as written, as strings, under
// lower-case column names. null means the column is absent from that file's I row (e.g. LASTCHANGED in the Aug 2024
// SCADA archive); an empty field stays ''. Columns without a named field are kept in `extra` so nothing is lost when
// AEMO adds columns.

interface RawProvenance {
  /** Other columns of the row: lower-case name -> field as written. */
  extra: Record<string, string>;
  /** Source file name (the CSV inside the zip). */
  file: string;
  /** 1-based line of the row in that file. */
  row: number;
}

/** raw.aemo.unit_scada: DISPATCH,UNIT_SCADA. */
export interface RawUnitScada extends RawProvenance {
  settlementdate: string | null;
  duid: string | null;
  scadavalue: string | null;
  lastchanged: string | null;
}

/** raw.aemo.dispatch_price: DISPATCH,PRICE (the FCAS columns go to `extra`). */
export interface RawDispatchPrice extends RawProvenance {
  settlementdate: string | null;
  runno: string | null;
  regionid: string | null;
  dispatchinterval: string | null;
  intervention: string | null;
  rrp: string | null;
  eep: string | null;
  rop: string | null;
  apcflag: string | null;
  marketsuspendedflag: string | null;
  lastchanged: string | null;
  price_status: string | null;
}

/** raw.aemo.interconnector: DISPATCH,INTERCONNECTORRES. */
export interface RawInterconnectorRes extends RawProvenance {
  settlementdate: string | null;
  runno: string | null;
  interconnectorid: string | null;
  dispatchinterval: string | null;
  intervention: string | null;
  meteredmwflow: string | null;
  mwflow: string | null;
  mwlosses: string | null;
  marginalvalue: string | null;
  violationdegree: string | null;
  lastchanged: string | null;
  exportlimit: string | null;
  importlimit: string | null;
  marginalloss: string | null;
}

/** raw.aemo.rooftop_actual: ROOFTOP,ACTUAL (MEASUREMENT and SATELLITE alike; TYPE tells them apart). */
export interface RawRooftopActual extends RawProvenance {
  interval_datetime: string | null;
  regionid: string | null;
  power: string | null;
  qi: string | null;
  type: string | null;
  lastchanged: string | null;
}
