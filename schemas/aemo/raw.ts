// Values of the raw AEMO topics (schemas/aemo/raw.aemo.*.avsc): the MMS fields exactly as written, as strings, under
// lower-case column names. null means the column is absent from that file's I row (e.g. LASTCHANGED in the Aug 2024
// SCADA archive); an empty field stays ''. Columns without a named field are kept in `extra` so nothing is lost when
// AEMO adds columns; `file` and `row` say where the row came from. The types are generated from the .avsc files
// (records.gen.ts, `npm run gen:types`).

export type { RawDispatchPrice, RawInterconnectorRes, RawRooftopActual, RawUnitScada } from './records.gen.js';
