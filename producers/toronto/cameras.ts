// Camera locations (GeoJSON FeatureCollection, or CSV with a `geometry` column of GeoJSON text) and charges
// workbooks (XLSX, read with exceljs's streaming reader) -> raw records, cells kept as text. Interpretation (join
// codes, periods, wards) is the processor's: shared/specs/civic.md §3-4.
import { parse } from 'csv-parse/sync';
import type * as ExcelJS from 'exceljs';
import { Readable } from 'node:stream';
import type { CameraCharges, CameraDataset, CameraLocation } from '../../schemas/toronto/records.gen.js';

export interface Parsed<V> {
  values: V[];
  bad: { index: number; reason: string; raw: string }[];
}

const str = (x: unknown): string | undefined => (x === null || x === undefined || String(x).trim() === '' || String(x) === 'None' ? undefined : String(x).trim());

/** The location code of a row: RLC for red light; the ASE location code (several spellings), else ASE-<id>. */
export function cameraCode(dataset: CameraDataset, props: Record<string, unknown>, index: number): string | undefined {
  if (dataset === 'red_light') return str(props.RLC ?? props.rlc ?? props.locationCode);
  return str(props.Location_Code ?? props.LOCATION_CODE ?? props['Location Code'] ?? props.locationCode) ?? `ASE-${str(props['Site Code'] ?? props.FID ?? props.fid ?? props._id) ?? index + 1}`;
}

export function parseCameraLocations(dataset: CameraDataset, body: Buffer): Parsed<CameraLocation> {
  const text = body.toString('utf8').replace(/^\ufeff/, '');
  const out: Parsed<CameraLocation> = { values: [], bad: [] };
  let rows: { props: Record<string, unknown>; geometry: string | null }[];
  if (/^\s*\{/.test(text)) {
    const fc = JSON.parse(text) as { features?: { properties?: Record<string, unknown>; geometry?: unknown }[] };
    if (!Array.isArray(fc.features)) throw new Error('GeoJSON without features');
    rows = fc.features.map((f) => ({ props: f.properties ?? {}, geometry: f.geometry ? JSON.stringify(f.geometry) : null }));
  } else {
    const recs = parse(text, { columns: true, skip_empty_lines: true, relax_column_count: true }) as Record<string, string>[];
    rows = recs.map((r) => {
      const { geometry, ...props } = r;
      return { props, geometry: str(geometry) ?? null };
    });
  }
  rows.forEach((r, i) => {
    const code = cameraCode(dataset, r.props, i);
    if (!code) out.bad.push({ index: i, reason: `${dataset} location without a code`, raw: JSON.stringify(r) });
    else out.values.push({ dataset, code, properties: JSON.stringify(r.props), geometry: r.geometry });
  });
  return out;
}

const cellText = (v: ExcelJS.CellValue): string => {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if (typeof v === 'object') {
    if ('result' in v) return cellText(v.result as ExcelJS.CellValue);
    if ('richText' in v) return v.richText.map((t) => t.text).join('');
    if ('text' in v) return String(v.text);
    return JSON.stringify(v);
  }
  return String(v).trim();
};

/**
 * A charges workbook's first sheet: the header row is the first whose first cells name a location or site code
 * (the RLC sheet has title rows above it); every row below with a code is one record, its other cells keyed by header.
 */
export async function parseCameraCharges(dataset: CameraDataset, body: Buffer): Promise<Parsed<CameraCharges>> {
  const out: Parsed<CameraCharges> = { values: [], bad: [] };
  // Loaded on first use: exceljs takes seconds to import, and every CLI command loads the pipeline map.
  const excel = (await import('exceljs')).default;
  const reader = new excel.stream.xlsx.WorkbookReader(Readable.from([body]), { sharedStrings: 'cache', worksheets: 'emit', entries: 'ignore', hyperlinks: 'ignore', styles: 'ignore' });
  for await (const sheet of reader) {
    let header: string[] | undefined;
    let codeCol = -1;
    let nameCol = -1;
    let wardCol = -1;
    for await (const row of sheet) {
      const values = (row.values as ExcelJS.CellValue[]).slice(1).map(cellText);
      if (!header) {
        const i = values.findIndex((v) => /location codes?|site code/i.test(v));
        if (i < 0) continue;
        header = values;
        codeCol = i;
        nameCol = values.findIndex((v, j) => j !== i && /location|charges laid/i.test(v));
        wardCol = values.findIndex((v) => /^ward/i.test(v));
        continue;
      }
      const code = values[codeCol]?.trim();
      if (!code) {
        if (values.some((v) => v !== '')) out.bad.push({ index: row.number, reason: 'charges row without a code', raw: JSON.stringify(values) });
        continue;
      }
      const counts: Record<string, string> = {};
      header.forEach((h, j) => {
        if (j === codeCol || j === nameCol || j === wardCol || !h) return;
        const v = values[j] ?? '';
        if (v !== '') counts[h] = v;
      });
      out.values.push({ dataset, code, name: str(values[nameCol]) ?? null, ward: str(values[wardCol]) ?? null, counts, sheet_row: row.number });
    }
    break; // the first sheet only
  }
  return out;
}
