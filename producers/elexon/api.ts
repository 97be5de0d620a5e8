// Elexon Insights API: where to ask for each shape (schemas/elexon/raw.ts) and how each element becomes a raw record.

import type { RawRecord } from '../../runtime/types.js';
import { isSettlementDate, periodStartUtc, settlementPeriods } from '../../schemas/elexon/calendar.js';
import { stackRecordKey, type BmUnit, type RawStackValue, type StackElement, type StackSide } from '../../schemas/elexon/raw.js';

export const ELEXON_BASE_URL = 'https://data.elexon.co.uk/bmrs/api/v1';

// ---- URLs ----

function trimBase(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '');
}

export function stackUrl(baseUrl: string, side: StackSide, date: string, period: number): string {
  if (!isSettlementDate(date)) throw new RangeError(`not a settlement date: ${JSON.stringify(date)}`);
  // The API accepts 1..50 on any day; asking for a period the day lacks only wastes a request.
  const n = settlementPeriods(date);
  if (!Number.isInteger(period) || period < 1 || period > n) {
    throw new RangeError(`settlement period ${period} is outside 1..${n} on ${date}`);
  }
  return `${trimBase(baseUrl)}/balancing/settlement/stack/all/${side}/${date}/${period}`;
}

export function bmUnitsUrl(baseUrl: string): string {
  return `${trimBase(baseUrl)}/reference/bmunits/all`;
}


/**
 * A stack element as a `raw.elexon.stack` record. Event time is the period start from the settlement calendar
 * (not the element's startTime, which is only echoed). Throws for a date/period the calendar rejects: the caller
 * sends such an element to the dead-letter topic.
 */
export function toRawRecord(row: StackElement, side: StackSide, url: string): RawRecord<RawStackValue> {
  const eventTime = periodStartUtc(row.settlementDate, row.settlementPeriod).getTime();
  return { key: stackRecordKey(row, side), value: { ...row, side }, eventTime, sourceRef: url };
}

/**
 * A BMU as a `raw.elexon.bmunits` record keyed by its Elexon id. Reference data has no event time of its own, so
 * the caller passes when it was fetched.
 */
export function bmUnitToRawRecord(unit: BmUnit, url: string, fetchedAt: number): RawRecord<BmUnit> {
  return { key: unit.elexonBmUnit, value: unit, eventTime: fetchedAt, sourceRef: url };
}
