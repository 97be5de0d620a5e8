// The NESO CKAN contract: resource ids, the datastore_search envelope, and the natural keys of register and
// component records. `_id` is a row number CKAN regenerates on every reload of a resource, so it is never a key.
import type { CkanRecord } from './records.gen.js';

export type { CkanRecord };

export const CMU_RESOURCE = '25a5fa2e-873d-41c5-8aaf-fbc2b06d79e6';
export const COMPONENT_RESOURCE = '790f5fa0-f8eb-4d82-b98d-0d34d3e404e8';

/** One datastore record as CKAN sends it: field name -> JSON value. */
export type DatastoreRecord = Record<string, unknown>;

export interface DatastorePage {
  fields: { id: string; type?: string }[];
  records: DatastoreRecord[];
  total: number | undefined;
  totalWasEstimated: boolean;
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** Reads a datastore_search body; throws with CKAN's own error when success is false or the envelope is not there. */
export function parseDatastoreResponse(body: unknown): DatastorePage {
  if (!isObject(body)) throw new Error('CKAN response is not a JSON object');
  if (body.success !== true) {
    const err = isObject(body.error) ? JSON.stringify(body.error) : String(body.error ?? 'no error given');
    throw new Error(`CKAN success=false: ${err}`);
  }
  const result = body.result;
  if (!isObject(result) || !Array.isArray(result.records)) throw new Error('CKAN response has no result.records');
  return {
    fields: Array.isArray(result.fields) ? (result.fields as { id: string; type?: string }[]) : [],
    records: result.records as DatastoreRecord[],
    total: typeof result.total === 'number' ? result.total : undefined,
    totalWasEstimated: result.total_was_estimated === true,
  };
}

/** Fields that are CKAN's, not the record's: left out of keys and content hashes. */
export const CKAN_ONLY_FIELDS = ['_id', 'rank', '_full_text'];

// Key parts are text or numbers; anything else (an object, an array) cannot name a CMU and leaves the key blank.
const text = (x: unknown): string => (typeof x === 'string' ? x.trim() : typeof x === 'number' && Number.isFinite(x) ? String(x) : '');

/** A field whatever its spelling: the first of `names` that the record has. */
export function fieldOf(r: DatastoreRecord, ...names: string[]): unknown {
  for (const n of names) if (n in r) return r[n];
  return undefined;
}

/** Key of a register record: Auction Name|CMU ID, or undefined when either is blank. */
export function cmuKey(r: DatastoreRecord): string | undefined {
  const auction = text(fieldOf(r, 'Auction Name'));
  const cmu = text(fieldOf(r, 'CMU ID'));
  return auction && cmu ? `${auction}|${cmu}` : undefined;
}

/** Key of a component record: Auction Name|CMU ID|Component ID, or undefined when any is blank. */
export function componentKey(r: DatastoreRecord): string | undefined {
  const cmu = cmuKey(r);
  const component = text(fieldOf(r, 'Component ID'));
  return cmu && component ? `${cmu}|${component}` : undefined;
}
