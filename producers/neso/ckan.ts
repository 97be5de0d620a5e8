// NESO CKAN requests and the records they give: URLs of datastore_search calls, content hashes, and the raw record
// of a datastore row. Pure: no I/O.
import { createHash } from 'node:crypto';
import type { RawRecord } from '../../runtime/types.js';
import { CKAN_ONLY_FIELDS, type CkanRecord, type DatastoreRecord } from '../../schemas/neso/raw.js';

export const NESO_BASE_URL = 'https://api.neso.energy';

export interface SearchParams {
  resourceId: string;
  limit: number;
  offset?: number;
  /** Exact-match filters (`filters` JSON): not `q`, which is full-text and returns other CMUs' rows. */
  filters?: Record<string, string>;
  sort?: string;
}

export function datastoreSearchUrl(baseUrl: string, p: SearchParams): string {
  const u = new URL(`${baseUrl.replace(/\/+$/, '')}/api/3/action/datastore_search`);
  u.searchParams.set('resource_id', p.resourceId);
  u.searchParams.set('limit', String(p.limit));
  if (p.offset) u.searchParams.set('offset', String(p.offset));
  if (p.filters) u.searchParams.set('filters', JSON.stringify(p.filters));
  if (p.sort) u.searchParams.set('sort', p.sort);
  return u.toString();
}

/** Hash of a record's content: every field but CKAN's own (`_id` changes on each reload), in name order. */
export function contentHash(r: DatastoreRecord): string {
  const names = Object.keys(r)
    .filter((k) => !CKAN_ONLY_FIELDS.includes(k))
    .sort();
  const canonical = JSON.stringify(names.map((k) => [k, r[k]]));
  return createHash('sha1').update(canonical).digest('base64url');
}

export function rawRecord(resourceId: string, key: string, r: DatastoreRecord, url: string, fetchedAt: number): RawRecord<CkanRecord> {
  return { key, value: { resource_id: resourceId, record: JSON.stringify(r), content_hash: contentHash(r) }, eventTime: fetchedAt, sourceRef: url };
}
