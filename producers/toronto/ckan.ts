// Toronto Open Data CKAN (shared/specs/civic.md §1): package_show lists a dataset's resources with their download
// url and last_modified. The envelope is {success, result}; success:false is an error.
import type { HttpClient } from '../../runtime/http.js';

export interface CkanResource {
  id: string;
  name: string;
  url: string;
  format: string;
  last_modified: string | null;
}

/** Toronto Open Data's CKAN (the default of TORONTO_CKAN_URL). */
export const TORONTO_CKAN_URL = 'https://ckan0.cf.opendata.inter.prod-toronto.ca';

export const PACKAGES = {
  parking: 'parking-tickets',
  redLightLocations: 'red-light-cameras',
  redLightCharges: 'red-light-camera-annual-charges',
  aseLocations: 'automated-speed-enforcement-locations',
  aseCharges: 'automated-speed-enforcement-ase-charges',
} as const;

export async function packageResources(http: HttpClient, baseUrl: string, pkg: string, signal?: AbortSignal): Promise<CkanResource[]> {
  const url = `${baseUrl.replace(/\/$/, '')}/api/3/action/package_show?id=${encodeURIComponent(pkg)}`;
  const res = await http.get(url, { headers: { accept: 'application/json' }, ...(signal ? { signal } : {}) });
  const body = JSON.parse(res.body.toString('utf8')) as { success?: boolean; result?: { resources?: unknown[] }; error?: unknown };
  if (body.success !== true || !Array.isArray(body.result?.resources)) throw new Error(`CKAN package_show ${pkg}: ${JSON.stringify(body.error ?? 'success is not true').slice(0, 200)}`);
  return body.result.resources.flatMap((r) => {
    const x = r as Record<string, unknown>;
    if (typeof x.id !== 'string' || typeof x.url !== 'string') return [];
    return [{ id: x.id, name: String(x.name ?? ''), url: x.url, format: String(x.format ?? '').toUpperCase(), last_modified: typeof x.last_modified === 'string' ? x.last_modified : null }];
  });
}

/** The year a parking resource is published for, from its name (`parking-tickets-2016`, `Parking Tags Data 2016`). */
export function resourceYear(r: CkanResource): number | undefined {
  if (r.format && r.format !== 'ZIP') return undefined;
  const m = /(?:^|\D)((?:19|20)\d{2})(?:\D|$)/.exec(r.name);
  return m ? Number(m[1]) : undefined;
}

/** `2008-2024`, `2015`, `2008-2010,2015` -> sorted distinct years. */
export function parseYears(spec: string | number | number[] | undefined): number[] | undefined {
  if (spec === undefined) return undefined;
  if (typeof spec === 'number') return [spec];
  if (Array.isArray(spec)) return [...new Set(spec)].sort((a, b) => a - b);
  const out = new Set<number>();
  for (const part of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^(\d{4})(?:-(\d{4}))?$/.exec(part);
    if (!m) throw new Error(`--years: not a year or range: ${part}`);
    const a = Number(m[1]);
    const b = m[2] ? Number(m[2]) : a;
    if (b < a) throw new Error(`--years: range backwards: ${part}`);
    for (let y = a; y <= b; y++) out.add(y);
  }
  return [...out].sort((a, b) => a - b);
}
