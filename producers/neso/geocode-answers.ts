// Geocoder answers read into coordinates. Pure. postcodes.io bulk: {status, result: [{query, result: {latitude,
// longitude, ...} | null}]}; Nominatim /search?format=jsonv2: [{lat: "51.5", lon: "-0.1", display_name}] or [].
export interface Answer {
  found: boolean;
  latitude: number | null;
  longitude: number | null;
  detail: string | null;
}

const MISS: Answer = { found: false, latitude: null, longitude: null, detail: null };
const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

const coordinate = (x: unknown, limit: number): number | null => {
  const n = typeof x === 'number' ? x : typeof x === 'string' && x.trim() !== '' ? Number(x) : NaN;
  return Number.isFinite(n) && Math.abs(n) <= limit ? n : null;
};

/** Answers of a bulk postcode lookup, by the query as sent. Throws when the body is not that shape. */
export function postcodeAnswers(body: unknown): Map<string, Answer> {
  if (!isObject(body) || !Array.isArray(body.result)) throw new Error('postcodes response has no result array');
  const out = new Map<string, Answer>();
  for (const item of body.result as unknown[]) {
    if (!isObject(item) || typeof item.query !== 'string') continue;
    const r = item.result;
    const lat = isObject(r) ? coordinate(r.latitude, 90) : null;
    const lon = isObject(r) ? coordinate(r.longitude, 180) : null;
    out.set(item.query, lat !== null && lon !== null && isObject(r) ? { found: true, latitude: lat, longitude: lon, detail: JSON.stringify({ district: r.admin_district ?? null, region: r.region ?? null }) } : MISS);
  }
  return out;
}

/** The first Nominatim hit, or a miss. Throws when the body is not an array. */
export function nominatimAnswer(body: unknown): Answer {
  if (!Array.isArray(body)) throw new Error('Nominatim response is not an array');
  const first: unknown = body[0];
  if (!isObject(first)) return MISS;
  const lat = coordinate(first.lat, 90);
  const lon = coordinate(first.lon, 180);
  if (lat === null || lon === null) return MISS;
  return { found: true, latitude: lat, longitude: lon, detail: typeof first.display_name === 'string' ? JSON.stringify({ name: first.display_name }) : null };
}
