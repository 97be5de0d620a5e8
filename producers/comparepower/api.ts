// The ComparePower pricing API: the plans URL and the response -> raw records. Pure, no I/O.
import type { DeadLetterInput, RawRecord } from '../../runtime/types.js';
import type { RawPlanListing } from '../../schemas/comparepower/records.js';
import { planKey, syncKey } from '../../schemas/comparepower/tdsp.js';

export const COMPAREPOWER_API_URL = 'https://pricing.api.comparepower.com';

export const plansUrl = (base: string, tdspDuns: string): string =>
  `${base.replace(/\/+$/, '')}/api/plans/current?group=default&tdsp_duns=${encodeURIComponent(tdspDuns)}&display_usage=1000`;

export interface SyncInfo {
  syncId: string;
  startedAt: number;
  fetchedAt: number;
  tdspDuns: string;
  url: string;
}

export interface ParsedSync {
  records: RawRecord<RawPlanListing>[];
  deadLetters: DeadLetterInput[];
  /** Plans published (the marker's count). */
  plans: number;
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/**
 * One TDSP's response -> a record per plan (the element as JSON text) and, last, the sync-complete marker carrying
 * the count. An element without an _id cannot be keyed: dead-lettered with its index. A body that is not a JSON
 * array is thrown (the whole response is bad: no marker, so nothing is deactivated).
 */
export function syncRecords(body: string, s: SyncInfo): ParsedSync {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (err) {
    throw new Error(`plans response is not JSON: ${(err as Error).message}`, { cause: err });
  }
  if (!Array.isArray(parsed)) throw new Error(`plans response is not a JSON array (${parsed === null ? 'null' : typeof parsed})`);
  const base = { sync_id: s.syncId, sync_started_at: s.startedAt, tdsp_duns: s.tdspDuns, fetched_at: s.fetchedAt };
  const records: RawRecord<RawPlanListing>[] = [];
  const deadLetters: DeadLetterInput[] = [];
  const seen = new Set<string>();
  parsed.forEach((element: unknown, index) => {
    const id = isObject(element) && typeof element._id === 'string' && element._id.trim() ? element._id.trim() : undefined;
    const json = JSON.stringify(element) ?? 'undefined';
    if (!id) {
      deadLetters.push({ reason: `plans[${index}]: no _id`, sourceRef: s.url, bytes: Buffer.from(json), headers: { element: String(index), 'sync-id': s.syncId } });
      return;
    }
    // The same listing twice in one response would be one row: publish it once (the first), never dedupe on name.
    if (seen.has(id)) return;
    seen.add(id);
    records.push({ key: planKey(s.tdspDuns, id), value: { kind: 'plan', ...base, plan_json: json, plan_count: null }, eventTime: s.fetchedAt, sourceRef: s.url, headers: { 'sync-id': s.syncId, element: String(index) } });
  });
  records.push({ key: syncKey(s.tdspDuns), value: { kind: 'sync_complete', ...base, plan_json: null, plan_count: records.length }, eventTime: s.fetchedAt, sourceRef: s.url, headers: { 'sync-id': s.syncId } });
  return { records, deadLetters, plans: records.length - 1 };
}
