// raw.elexon.stack → clean.elexon.curtailment.
//
// Curtailment, as the old system defined it: a stack row with volume < 0 whose soFlag or cadlFlag is true (null
// counts as false), on a BMU whose fuel type is WIND. Both bid and offer stacks are read; negative offer volumes
// are rare but count. Rows that are well formed but do not qualify produce nothing; rows that cannot be read are
// rejected to the dead-letter topic.
//
// A BMU missing from the reference data cannot be shown to be wind, so its rows are skipped like any non-wind
// row. Because that silently lowers totals when the reference data is stale, classify() tells the two apart
// ('unknown-bmu' only for rows that would otherwise qualify), and the transform can report them via onUnknownBmu.

import { isRejection, reject } from '../../runtime/types.js';
import type { InputMessage, OutputRecord, Rejection, Transform } from '../../runtime/types.js';
import { periodStartUtc, settlementPeriods, isSettlementDate } from '../../schemas/elexon/calendar.js';
import { stackRecordKey } from '../../schemas/elexon/raw.js';
import type { RawStackValue, StackElement } from '../../schemas/elexon/raw.js';
import { isWind } from './bmu.js';
import type { BmuInfo, BmuLookup, CurtailmentValue } from '../../schemas/elexon/clean.js';

export type Classification = 'curtailment' | 'not-curtailment' | 'unknown-bmu';

/** A raw row whose fields passed validation: id and volume are present. */
export type CheckedStackRow = RawStackValue & { id: string; volume: number };

/** The action part of the definition, independent of the BMU. */
export function isCurtailmentAction(row: Pick<StackElement, 'volume' | 'soFlag' | 'cadlFlag'>): boolean {
  return row.volume !== null && row.volume < 0 && (row.soFlag === true || row.cadlFlag === true);
}

export function classify(row: Pick<StackElement, 'id' | 'volume' | 'soFlag' | 'cadlFlag'>, lookup: BmuLookup): Classification {
  if (!isCurtailmentAction(row)) return 'not-curtailment';
  const info = row.id === null ? undefined : lookup(row.id);
  if (info === undefined) return 'unknown-bmu';
  return isWind(info) ? 'curtailment' : 'not-curtailment';
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

const isNullableNumber = (x: unknown): boolean => x === null || x === undefined || (typeof x === 'number' && Number.isFinite(x));
const isNullableInt = (x: unknown): boolean => x === null || x === undefined || Number.isSafeInteger(x);
const isNullableBool = (x: unknown): boolean => x === null || x === undefined || typeof x === 'boolean';

/** Checks a decoded raw value field by field; the first problem found becomes the rejection reason. */
export function checkStackRow(value: unknown): CheckedStackRow | Rejection {
  if (typeof value !== 'object' || value === null) return reject('value is not a record');
  const v = value as Record<string, unknown>;
  if (v.side !== 'bid' && v.side !== 'offer') return reject(`side is not bid|offer: ${JSON.stringify(v.side)}`);
  if (typeof v.settlementDate !== 'string' || !isSettlementDate(v.settlementDate)) {
    return reject(`settlementDate is not a date: ${JSON.stringify(v.settlementDate)}`);
  }
  const periods = settlementPeriods(v.settlementDate);
  if (!Number.isInteger(v.settlementPeriod) || (v.settlementPeriod as number) < 1 || (v.settlementPeriod as number) > periods) {
    return reject(`settlementPeriod ${JSON.stringify(v.settlementPeriod)} is outside 1..${periods} on ${v.settlementDate}`);
  }
  if (typeof v.id !== 'string' || v.id.trim() === '') return reject('id (BMU) is missing');
  if (typeof v.volume !== 'number' || !Number.isFinite(v.volume)) return reject(`volume is not a number: ${JSON.stringify(v.volume)}`);
  for (const f of ['acceptanceId', 'bidOfferPairId', 'sequenceNumber'] as const) {
    if (!isNullableInt(v[f])) return reject(`${f} is not an integer: ${JSON.stringify(v[f])}`);
  }
  for (const f of ['originalPrice', 'finalPrice'] as const) {
    if (!isNullableNumber(v[f])) return reject(`${f} is not a number: ${JSON.stringify(v[f])}`);
  }
  for (const f of ['soFlag', 'cadlFlag'] as const) {
    if (!isNullableBool(v[f])) return reject(`${f} is not a boolean: ${JSON.stringify(v[f])}`);
  }
  const created = v.createdDateTime;
  // The shape alone passes `2025-13-45T99:99Z`, which Date.parse makes NaN: an Avro long that fails to encode after
  // the transform, stopping the processor on that record (found by fuzzing). Only a real instant passes.
  if (created !== null && created !== undefined && (typeof created !== 'string' || !ISO_INSTANT.test(created) || !Number.isFinite(Date.parse(created)))) {
    return reject(`createdDateTime is not an ISO instant with a zone: ${JSON.stringify(created)}`);
  }
  return value as CheckedStackRow;
}

/** The clean record for a row already classified as curtailment. */
export function toCurtailment(row: CheckedStackRow, info: BmuInfo): OutputRecord<CurtailmentValue> | Rejection {
  if (row.originalPrice === null || row.originalPrice === undefined) return reject('originalPrice is missing on a curtailment row');
  // Two finite doubles can multiply past the largest double (1e308 × -2): an infinite payment would poison every
  // summary it is added to, so the row is rejected instead (found by fuzzing).
  const payment = row.volume * row.originalPrice;
  if (!Number.isFinite(payment)) return reject(`payment (volume ${row.volume} × originalPrice ${row.originalPrice}) is not a finite number`);
  const periodStart = periodStartUtc(row.settlementDate, row.settlementPeriod).getTime();
  const value: CurtailmentValue = {
    settlement_date: row.settlementDate,
    settlement_period: row.settlementPeriod,
    period_start: periodStart,
    side: row.side,
    bmu_id: row.id,
    national_grid_id: info.nationalGridBmUnit,
    farm_name: info.name,
    lead_party_name: info.leadPartyName,
    fuel: info.fuelType ?? 'WIND',
    acceptance_id: row.acceptanceId ?? null,
    bid_offer_pair_id: row.bidOfferPairId ?? null,
    sequence_number: row.sequenceNumber ?? null,
    volume: row.volume,
    curtailed_mwh: -row.volume,
    original_price: row.originalPrice,
    final_price: row.finalPrice ?? null,
    payment_gbp: payment,
    so_flag: row.soFlag === true,
    cadl_flag: row.cadlFlag === true,
    created_datetime: row.createdDateTime ? Date.parse(row.createdDateTime) : null,
  };
  return { key: stackRecordKey(row, row.side), value, eventTime: periodStart };
}

export interface CurtailmentTransformOptions {
  /** Told about each row that would be curtailment but whose BMU the lookup does not know (for a counter). */
  onUnknownBmu?: (bmuId: string, row: CheckedStackRow) => void;
}

export function makeCurtailmentTransform(
  lookupBmu: BmuLookup,
  options: CurtailmentTransformOptions = {},
): Transform<RawStackValue, CurtailmentValue> {
  return (input: InputMessage<RawStackValue>) => {
    const row = checkStackRow(input.value);
    if (isRejection(row)) return row;
    const kind = classify(row, lookupBmu);
    if (kind === 'unknown-bmu') options.onUnknownBmu?.(row.id, row);
    if (kind !== 'curtailment') return [];
    const info = lookupBmu(row.id);
    if (info === undefined) return [];
    const out = toCurtailment(row, info);
    return isRejection(out) ? out : [out];
  };
}
