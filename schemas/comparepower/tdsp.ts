// The Texas TDSPs (wires utilities) whose areas are open to retail choice, with the DUNS numbers the ComparePower
// API uses (../shared/specs/civic.md §9). DUNS are strings: leading zeros matter.
export interface Tdsp {
  duns: string;
  name: string;
  /** Short name the API and our HTTP API accept as well as the DUNS. */
  slug: string;
  zone: string;
}

export const TDSPS: readonly Tdsp[] = [
  { duns: '1039940674000', name: 'Oncor Electric Delivery', slug: 'oncor', zone: 'North/Central' },
  { duns: '957877905', name: 'CenterPoint Energy Houston Electric', slug: 'centerpoint', zone: 'Coast' },
  { duns: '007924772', name: 'AEP Texas Central Company', slug: 'aep-central', zone: 'South/Central' },
  { duns: '007923311', name: 'AEP Texas North Company', slug: 'aep-north', zone: 'West' },
  { duns: '007929441', name: 'Texas-New Mexico Power', slug: 'tnmp', zone: 'scattered' },
];

/** The two TDSPs with most customers (Dallas-Fort Worth, Houston): synced hourly by default, the others daily. */
export const PRIORITY_TDSPS: readonly string[] = ['1039940674000', '957877905'];

/** A TDSP by DUNS or slug (case-insensitive), or undefined. */
export function findTdsp(x: string): Tdsp | undefined {
  const v = x.trim().toLowerCase();
  return TDSPS.find((t) => t.duns === v || t.slug === v);
}

/** Message keys shared by raw and clean topics. */
export const planKey = (tdspDuns: string, externalId: string): string => `${tdspDuns}|${externalId}`;
export const syncKey = (tdspDuns: string): string => `${tdspDuns}|sync`;
