// Camera locations and charges normalised (shared/specs/civic.md §3-4): pure.
// Red light: join code = RLC - 3500 (RLC 6017 -> 2517), point 0 of the MultiPoint, ward "Toronto Centre(13)" ->
// "Ward 13", activation date from the local-midnight-as-UTC text. ASE: the site code as is, ward "15 - Don Valley
// West" -> "Ward 15". Charges: red-light columns are years, ASE columns are months (Excel dates); blank or <= 0
// cells are no charges.
import type { ProcessorComponent } from '../../runtime/components.js';
import { reject, type InputMessage, type OutputRecord, type Rejection } from '../../runtime/types.js';
import type { CameraCharges, CameraLocation, ChargePeriod, CleanCameraCharges, CleanCameraLocation } from '../../schemas/toronto/records.gen.js';
import type { TorontoTopics } from '../../schemas/toronto/topics.js';

/** Red-light RLC numbers are the charges sheet's location codes + 3500. */
export const RLC_OFFSET = 3500;

export function normaliseWard(x: unknown): string {
  if (x === null || x === undefined) return 'Unknown';
  const s = String(x).trim();
  const m = /\((\d+)\)\s*$/.exec(s) ?? /^(?:ward\s*)?(\d+)(?:\.0+)?(?:\s*-.*)?$/i.exec(s);
  return m ? `Ward ${Number(m[1])}` : 'Unknown';
}

const text = (x: unknown): string | null => (x === null || x === undefined || String(x).trim() === '' || String(x) === 'None' ? null : String(x).trim());

function point(geometry: string | null): { lat: number; lon: number } | null {
  if (!geometry) return null;
  try {
    const g = JSON.parse(geometry) as { type?: string; coordinates?: unknown };
    const c = (g.type === 'MultiPoint' ? (g.coordinates as unknown[])?.[0] : g.coordinates) as unknown;
    if (!Array.isArray(c) || typeof c[0] !== 'number' || typeof c[1] !== 'number') return null;
    return { lon: c[0], lat: c[1] };
  } catch {
    return null;
  }
}

export function normaliseLocation(v: CameraLocation): CleanCameraLocation | Rejection {
  let props: Record<string, unknown>;
  try {
    props = JSON.parse(v.properties) as Record<string, unknown>;
  } catch {
    return reject('properties are not JSON');
  }
  const p = point(v.geometry);
  if (v.dataset === 'red_light') {
    const rlc = Number(v.code);
    if (!Number.isInteger(rlc)) return reject(`RLC is not a number: ${v.code}`);
    const activation = text(props.ACTIVATION_DATE ?? props.activationDate);
    return {
      dataset: 'red_light',
      location_code: String(rlc - RLC_OFFSET),
      source_code: v.code,
      name: text(props.NAME ?? props.name) ?? [text(props.MAIN), text(props.SIDE1)].filter(Boolean).join(' And '),
      street_a: text(props.LINEAR_NAME_FULL_1 ?? props.MAIN ?? props.streetA),
      street_b: text(props.LINEAR_NAME_FULL_2 ?? props.SIDE1 ?? props.streetB),
      ward: normaliseWard(props.WARD_1 ?? props.ward),
      police_division: text(props.POLICE_DIVISION_1 ?? props.policeDivision),
      status: null,
      intersection_id: text(props.INTERSECTION_ID ?? props.intersectionId),
      activation_date: activation && /^\d{4}-\d{2}-\d{2}/.test(activation) ? activation.slice(0, 10) : null,
      latitude: p?.lat ?? null,
      longitude: p?.lon ?? null,
    };
  }
  return {
    dataset: 'ase',
    location_code: v.code,
    source_code: v.code,
    name: text(props.location ?? props.LOCATION ?? props.name) ?? v.code,
    street_a: null,
    street_b: null,
    ward: normaliseWard(props.ward ?? props.WARD ?? props.ward_num),
    police_division: null,
    status: text(props.status ?? props.STATUS ?? props.status_clean),
    intersection_id: null,
    activation_date: null,
    latitude: p?.lat ?? null,
    longitude: p?.lon ?? null,
  };
}

/** A header as a period: a year (`2019`, 2019.0) for red light, a month (an Excel date `2023-05-01`) for ASE. */
export function headerPeriod(header: string): string | null {
  const y = /^\s*((?:19|20)\d{2})(?:\.0+)?\s*$/.exec(header);
  if (y) return y[1]!;
  // A month header read without the sheet's styles is an Excel serial day number (days since 1899-12-30).
  const serial = /^\s*(\d{5})(?:\.\d+)?\s*$/.exec(header);
  if (serial) {
    const d = new Date(Date.UTC(1899, 11, 30) + Number(serial[1]) * 86_400_000);
    return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
  }
  const m = /^\s*((?:19|20)\d{2})-(\d{2})(?:-\d{2})?/.exec(header);
  return m ? `${m[1]}-${m[2]}` : null;
}

export function normaliseCharges(v: CameraCharges): CleanCameraCharges | Rejection {
  const periods: ChargePeriod[] = [];
  for (const [h, cell] of Object.entries(v.counts)) {
    const period = headerPeriod(h);
    if (!period) continue; // a total or notes column
    const n = Number(cell.replace(/,/g, ''));
    if (!Number.isFinite(n)) return reject(`sheet row ${v.sheet_row}: ${h} is not a number: ${cell}`);
    if (n <= 0) continue;
    if (!Number.isInteger(n)) return reject(`sheet row ${v.sheet_row}: ${h} is not a whole number: ${cell}`);
    periods.push({ period, tickets: n });
  }
  periods.sort((a, b) => (a.period < b.period ? -1 : 1));
  const code = v.dataset === 'red_light' ? String(Number(v.code)) : v.code.trim();
  if (v.dataset === 'red_light' && code === 'NaN') return reject(`sheet row ${v.sheet_row}: location code is not a number: ${v.code}`);
  return { dataset: v.dataset, location_code: code, name: v.name, ward: normaliseWard(v.ward), periods };
}

const one = <C>(key: string, v: C | Rejection): OutputRecord<C>[] | Rejection => (typeof v === 'object' && v !== null && 'reject' in v ? (v as Rejection) : [{ key, value: v as C }]);

export function torontoCameraLocationProcessor(o: { name: string; topics: TorontoTopics }): ProcessorComponent<CameraLocation, CleanCameraLocation> {
  return {
    kind: 'processor',
    name: o.name,
    input: o.topics.cameraLocationRaw,
    output: o.topics.cameraLocationClean,
    transform: (m: InputMessage<CameraLocation>) => {
      const c = normaliseLocation(m.value);
      return one('reject' in c ? '' : `${c.dataset}|${c.location_code}`, c);
    },
  };
}

export function torontoCameraChargesProcessor(o: { name: string; topics: TorontoTopics }): ProcessorComponent<CameraCharges, CleanCameraCharges> {
  return {
    kind: 'processor',
    name: o.name,
    input: o.topics.cameraChargesRaw,
    output: o.topics.cameraChargesClean,
    transform: (m: InputMessage<CameraCharges>) => {
      const c = normaliseCharges(m.value);
      return one('reject' in c ? '' : `${c.dataset}|${c.location_code}`, c);
    },
  };
}
