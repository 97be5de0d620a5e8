// The Elexon raw records: the shapes the Insights API returns (types and the checks that type untrusted JSON as
// them) and the natural key shared by raw and clean topics. Field types follow the OpenAPI `SettlementStackResponse`
// / `BmUnitData` models; raw records keep every field as the API sent it (absent fields become null), so the raw
// topics can be replayed through a changed processor. Shared by the producer, the processor and the ops commands.
// The record types are generated from the .avsc files (records.gen.ts, `npm run gen:types`).
import type { BmUnit, StackElement as StackRecord, StackSide } from './records.gen.js';

export type { BmUnit, StackSide };

export const STACK_SIDES: readonly StackSide[] = ['bid', 'offer'];

/**
 * Value of `raw.elexon.stack` (schemas/elexon/raw.elexon.stack.avsc, record StackElement): one element of
 * `GET /balancing/settlement/stack/all/{side}/{date}/{period}` plus which stack it came from.
 */
export type RawStackValue = StackRecord;

/** One element of the stack response `{ data: StackElement[] }`, as the API sends it (the raw value less `side`). */
export type StackElement = Omit<RawStackValue, 'side'>;

/** How a null part of a natural key is written; not a number, so it cannot collide with a real id. */
export const NULL_KEY_PART = 'none';

// undefined is treated like null so that a hand-built or older-schema value still yields the same key.
const keyPart = (x: string | number | null | undefined): string => (x === null || x === undefined ? NULL_KEY_PART : String(x));

/** Natural key `date|period|side|bmu|acceptanceId|bidOfferPairId|sequenceNumber`, shared by raw and clean topics. */
export function stackRecordKey(row: StackElement, side: StackSide): string {
  return [
    row.settlementDate,
    String(row.settlementPeriod),
    side,
    keyPart(row.id),
    keyPart(row.acceptanceId),
    keyPart(row.bidOfferPairId),
    keyPart(row.sequenceNumber),
  ].join('|');
}

// ---- reading JSON ----

type Check<T> = { ok: true; value: T } | { ok: false; error: string };

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

// int32 and long mirror the Avro types of raw.elexon.stack, so a typed element always encodes.
type FieldKind = 'string' | 'int32' | 'long' | 'number' | 'boolean';

const STACK_FIELDS: Record<Exclude<keyof StackElement, 'settlementDate' | 'settlementPeriod'>, FieldKind> = {
  startTime: 'string',
  createdDateTime: 'string',
  sequenceNumber: 'int32',
  id: 'string',
  acceptanceId: 'long',
  bidOfferPairId: 'int32',
  cadlFlag: 'boolean',
  soFlag: 'boolean',
  storProviderFlag: 'boolean',
  repricedIndicator: 'boolean',
  reserveScarcityPrice: 'number',
  originalPrice: 'number',
  volume: 'number',
  dmatAdjustedVolume: 'number',
  arbitrageAdjustedVolume: 'number',
  nivAdjustedVolume: 'number',
  parAdjustedVolume: 'number',
  finalPrice: 'number',
  transmissionLossMultiplier: 'number',
  tlmAdjustedVolume: 'number',
  tlmAdjustedCost: 'number',
};

function hasKind(x: unknown, kind: FieldKind): boolean {
  switch (kind) {
    case 'string':
      return typeof x === 'string';
    case 'boolean':
      return typeof x === 'boolean';
    case 'number':
      return typeof x === 'number' && Number.isFinite(x);
    case 'int32':
      return Number.isInteger(x) && (x as number) >= -(2 ** 31) && (x as number) < 2 ** 31;
    case 'long':
      return Number.isSafeInteger(x);
  }
}

/**
 * Types one JSON element as a StackElement: every field must have its documented JSON type or be null/absent
 * (absent becomes null). Only type errors fail here — values that would not encode in the raw Avro schema; whether
 * a well-typed row makes sense (an id present, a real date) is the processor's call.
 */
export function parseStackElement(x: unknown): Check<StackElement> {
  if (!isObject(x)) return { ok: false, error: 'stack element is not an object' };
  if (typeof x.settlementDate !== 'string') return { ok: false, error: 'settlementDate is not a string' };
  if (!hasKind(x.settlementPeriod, 'int32')) return { ok: false, error: 'settlementPeriod is not an integer' };
  const out: Record<string, unknown> = { settlementDate: x.settlementDate, settlementPeriod: x.settlementPeriod };
  for (const [field, kind] of Object.entries(STACK_FIELDS)) {
    const v = x[field];
    if (v === undefined || v === null) out[field] = null;
    else if (hasKind(v, kind)) out[field] = v;
    else return { ok: false, error: `${field} is not ${kind === 'int32' || kind === 'long' ? 'an integer' : `a ${kind}`}: ${JSON.stringify(v)}` };
  }
  return { ok: true, value: out as unknown as StackElement };
}

/** An element that could not be typed: `index` is its position in `data`, for the dead letter to name. */
export interface BadStackElement {
  element: unknown;
  index: number;
  error: string;
}

/** Splits a stack response body into typed elements and the elements that could not be typed (for dead letters). */
export function parseStackResponse(body: unknown): { rows: StackElement[]; bad: BadStackElement[] } {
  if (!isObject(body) || !Array.isArray(body.data)) throw new Error('stack response is not {"data": [...]}');
  const rows: StackElement[] = [];
  const bad: BadStackElement[] = [];
  body.data.forEach((element: unknown, index) => {
    const r = parseStackElement(element);
    if (r.ok) rows.push(r.value);
    else bad.push({ element, index, error: r.error });
  });
  return { rows, bad };
}

const optionalString = (x: unknown): string | null | undefined =>
  x === undefined || x === null ? null : typeof x === 'string' ? x : undefined;

/** Types one `/reference/bmunits/all` element; extra API fields are dropped. */
export function parseBmUnit(x: unknown): Check<BmUnit> {
  if (!isObject(x)) return { ok: false, error: 'BMU is not an object' };
  if (typeof x.elexonBmUnit !== 'string' || x.elexonBmUnit.trim() === '') {
    return { ok: false, error: 'elexonBmUnit is missing' };
  }
  const unit: Partial<Record<keyof BmUnit, string | null>> = { elexonBmUnit: x.elexonBmUnit };
  for (const field of ['nationalGridBmUnit', 'bmUnitName', 'fuelType', 'leadPartyName', 'generationCapacity'] as const) {
    const v = optionalString(x[field]);
    if (v === undefined) return { ok: false, error: `${field} is not a string: ${JSON.stringify(x[field])}` };
    unit[field] = v;
  }
  return { ok: true, value: unit as BmUnit };
}

/**
 * Reads a user BMU mapping file in the old system's bmuMapping.json format (a JSON array of BmUnit-shaped
 * objects). Stricter than the API reader because a person wrote it: elexonBmUnit, fuelType and leadPartyName are
 * required, generationCapacity must be a non-negative decimal, and ids must be unique. Throws one Error listing
 * every problem, so a bad file is fixed in one go.
 */
export function parseBmuMapping(json: unknown): BmUnit[] {
  const data = typeof json === 'string' ? (JSON.parse(json) as unknown) : json;
  if (!Array.isArray(data)) throw new Error('BMU mapping: expected a JSON array');
  const problems: string[] = [];
  const units: BmUnit[] = [];
  const seen = new Map<string, number>();
  data.forEach((entry: unknown, i) => {
    const r = parseBmUnit(entry);
    if (!r.ok) {
      problems.push(`[${i}] ${r.error}`);
      return;
    }
    const u = r.value;
    if (!u.fuelType?.trim()) problems.push(`[${i}] ${u.elexonBmUnit}: fuelType is missing`);
    if (!u.leadPartyName?.trim()) problems.push(`[${i}] ${u.elexonBmUnit}: leadPartyName is missing`);
    if (u.generationCapacity !== null && !/^\d+(\.\d+)?$/.test(u.generationCapacity.trim())) {
      problems.push(`[${i}] ${u.elexonBmUnit}: generationCapacity is not a non-negative number: ${JSON.stringify(u.generationCapacity)}`);
    }
    const first = seen.get(u.elexonBmUnit);
    if (first !== undefined) problems.push(`[${i}] ${u.elexonBmUnit}: duplicate of entry [${first}]`);
    else seen.set(u.elexonBmUnit, i);
    units.push(u);
  });
  if (problems.length > 0) throw new Error(`BMU mapping has ${problems.length} problem(s):\n${problems.join('\n')}`);
  return units;
}
