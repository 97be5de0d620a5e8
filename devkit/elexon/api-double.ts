// A local stand-in for the Elexon Insights API, for tests of the Elexon source and the curtailment path.
//
// No real settlement-stack response is committed in any public repository we could find (see
// shared/fixtures/elexon/PROVENANCE.md), so every stack response served here is BUILT FROM THE DOCUMENTED SHAPE
// (shared/specs/uk.md §1 and the OpenAPI SettlementStackResponse model), not recorded from the API. The BMU
// reference list is the real fixture bmuMapping.json plus a few non-wind units.
//
// It lives beside the source (not under test/) because the demo serves it too. It deliberately imports nothing
// from the pipeline's code beyond types: its calendar and its expected curtailment totals are computed
// independently, so tests can check the pipeline's code against them.

import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BmUnit, StackElement, StackSide } from '../../schemas/elexon/raw.js';
import { mulberry32 } from '../random.js';

export const API_PREFIX = '/bmrs/api/v1';

const FIXTURE_URL = new URL('../../../shared/fixtures/elexon/bmuMapping.json', import.meta.url);

/** The real BMU mapping fixture (212 wind units), read in place, never copied. */
export function loadFixtureBmUnits(): BmUnit[] {
  if (!existsSync(FIXTURE_URL)) return fallbackWindUnits();
  const raw = JSON.parse(readFileSync(FIXTURE_URL, 'utf8')) as Record<string, unknown>[];
  return raw.map((o) => ({
    elexonBmUnit: String(o.elexonBmUnit),
    nationalGridBmUnit: typeof o.nationalGridBmUnit === 'string' ? o.nationalGridBmUnit : null,
    bmUnitName: typeof o.bmUnitName === 'string' ? o.bmUnitName : null,
    fuelType: typeof o.fuelType === 'string' ? o.fuelType : null,
    leadPartyName: typeof o.leadPartyName === 'string' ? o.leadPartyName : null,
    generationCapacity: typeof o.generationCapacity === 'string' ? o.generationCapacity : null,
  }));
}

/** Non-wind units served next to the fixture, so that fuel filtering is exercised. */
export const NON_WIND_BMUNITS: readonly BmUnit[] = [
  { elexonBmUnit: 'T_DRAXX-1', nationalGridBmUnit: 'DRAXX-1', bmUnitName: 'Drax Unit 1', fuelType: 'BIOMASS', leadPartyName: 'Drax Power Ltd', generationCapacity: '645.000' },
  { elexonBmUnit: 'T_HEYM11', nationalGridBmUnit: 'HEYM11', bmUnitName: 'Heysham 1 Reactor 1', fuelType: 'NUCLEAR', leadPartyName: 'EDF Energy Nuclear Generation Ltd', generationCapacity: '585.000' },
  { elexonBmUnit: 'T_PEMB-11', nationalGridBmUnit: 'PEMB-11', bmUnitName: 'Pembroke 1', fuelType: 'CCGT', leadPartyName: 'RWE Generation UK plc', generationCapacity: '440.000' },
  { elexonBmUnit: 'T_DINO-1', nationalGridBmUnit: 'DINO-1', bmUnitName: 'Dinorwig 1', fuelType: 'PS', leadPartyName: 'First Hydro Company', generationCapacity: '300.000' },
];

/** Wind units from the fixture that the generator uses (ids of several prefixes: T_, E_, 2__, C__). */
export const GENERATOR_WIND_IDS: readonly string[] = [
  'T_SGRWO-1', 'T_SGRWO-2', 'T_MOWWO-1', 'T_MOWEO-1', 'T_BEATO-1', 'T_HOWAO-1', 'T_EAAO-1',
  'T_WHILW-1', 'T_CLDCW-1', 'T_KILBW-1', 'E_BABAW-1', 'E_CLDRW-1', '2__PSTAT001', 'C__PSTAT011',
];

/**
 * Where the shared fixture is not checked out beside the repository (an installed package running the demo), the
 * generator's own wind units stand in, with made-up names: enough for the demo, never used by the tests.
 */
export function fallbackWindUnits(): BmUnit[] {
  return GENERATOR_WIND_IDS.map((id) => ({
    elexonBmUnit: id,
    nationalGridBmUnit: id.replace(/^[A-Z0-9]_+/, ''),
    bmUnitName: `Wind farm ${id}`,
    fuelType: 'WIND',
    leadPartyName: 'Demo Wind Ltd',
    generationCapacity: '100.000',
  }));
}

/** A BMU the reference data does not know; its rows must never count as curtailment. */
export const UNKNOWN_BMU_ID = 'T_NOTIN-1';

// ---- an independent settlement calendar ----

const londonDate = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' });

/**
 * UTC ISO start of every settlement period of a London day, found by walking half-hours across the surrounding
 * UTC days and keeping those whose London date is the day (a different method from producers/elexon/calendar.ts).
 */
export function londonPeriodStarts(date: string): string[] {
  const noonBefore = Date.parse(`${date}T12:00:00Z`) - 24 * 3600_000;
  if (!Number.isFinite(noonBefore)) throw new RangeError(`bad date ${date}`);
  const out: string[] = [];
  for (let t = noonBefore; t < noonBefore + 48 * 3600_000; t += 1800_000) {
    if (londonDate.format(new Date(t)) === date) out.push(new Date(t).toISOString().replace('.000Z', 'Z'));
  }
  return out;
}

// ---- deterministic generator ----

function seedOf(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

const round = (x: number, dp: number): number => Math.round(x * 10 ** dp) / 10 ** dp;

export interface StackSlot {
  date: string;
  period: number;
  side: StackSide;
}

export const stackPath = (side: StackSide, date: string, period: number): string =>
  `/balancing/settlement/stack/all/${side}/${date}/${period}`;

/**
 * Realistic stack rows for every period of a date, the same on every run: several rows per BMU per period
 * (different bid-offer pairs and acceptances), null flags and null acceptance ids, wind and non-wind and unknown
 * BMUs, negative bid volumes with mostly negative wind prices, positive offers and the odd negative offer.
 */
export function generateDay(date: string): { slot: StackSlot; rows: StackElement[] }[] {
  const next = mulberry32(seedOf(date));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T;
  const flag = (pTrue: number, pFalse: number): boolean | null => {
    const r = next();
    return r < pTrue ? true : r < pTrue + pFalse ? false : null;
  };
  const nonWind = NON_WIND_BMUNITS.map((u) => u.elexonBmUnit);
  const created = new Date(Date.parse(`${date}T09:03:18.740Z`) + 86400_000).toISOString();
  let acceptance = 40000 + Math.floor(next() * 50000);
  const out: { slot: StackSlot; rows: StackElement[] }[] = [];

  londonPeriodStarts(date).forEach((startTime, i) => {
    const period = i + 1;
    for (const side of ['bid', 'offer'] as const) {
      const rows: StackElement[] = [];
      const units = 4 + Math.floor(next() * 5);
      for (let u = 0; u < units; u++) {
        const r = next();
        const id = r < 0.65 ? pick(GENERATOR_WIND_IDS) : r < 0.93 ? pick(nonWind) : UNKNOWN_BMU_ID;
        const wind = GENERATOR_WIND_IDS.includes(id);
        const pairs = 1 + Math.floor(next() * 3);
        for (let p = 1; p <= pairs; p++) {
          const accepted = next() < 0.85;
          // Offers are positive apart from a rare negative offer, which the definition still counts.
          const negative = side === 'bid' || next() < 0.06;
          const size = round(0.001 + next() * 60, 3);
          const price = side === 'bid' ? (wind ? round(-120 + next() * 125, 2) : round(next() * 90, 2)) : round(40 + next() * 160, 2);
          rows.push({
            settlementDate: date,
            settlementPeriod: period,
            startTime,
            createdDateTime: created,
            sequenceNumber: 0,
            id,
            acceptanceId: accepted ? acceptance++ : null,
            bidOfferPairId: side === 'bid' ? -p : p,
            cadlFlag: flag(0.1, 0.2),
            soFlag: accepted ? flag(0.6, 0.25) : null,
            storProviderFlag: next() < 0.9 ? false : null,
            repricedIndicator: false,
            reserveScarcityPrice: null,
            originalPrice: price,
            volume: negative ? -size : size,
            dmatAdjustedVolume: negative ? -size : size,
            arbitrageAdjustedVolume: next() < 0.5 ? null : negative ? -size : size,
            nivAdjustedVolume: next() < 0.5 ? null : 0,
            parAdjustedVolume: null,
            finalPrice: next() < 0.3 ? null : price,
            transmissionLossMultiplier: round(0.97 + next() * 0.04, 7),
            tlmAdjustedVolume: null,
            tlmAdjustedCost: null,
          });
        }
      }
      // The stack is ordered by price; sequenceNumber is the position in that order.
      rows.sort((a, b) => (a.originalPrice ?? 0) - (b.originalPrice ?? 0));
      rows.forEach((row, k) => (row.sequenceNumber = k + 1));
      out.push({ slot: { date, period, side }, rows });
    }
  });
  return out;
}

// ---- expected totals, from the definition alone ----

export interface CurtailmentTotals {
  energyMwh: number;
  paymentGbp: number;
  records: number;
}

/**
 * Curtailment totals by the old system's definition: volume < 0, soFlag or cadlFlag true (null = false), BMU in
 * the wind set; energy = −volume, payment = volume × originalPrice (positive = paid to the unit).
 */
export function expectedCurtailmentTotals(rows: Iterable<StackElement>, windIds: ReadonlySet<string>): CurtailmentTotals {
  let energyMwh = 0;
  let paymentGbp = 0;
  let records = 0;
  for (const r of rows) {
    if (r.volume === null || !(r.volume < 0)) continue;
    if (r.soFlag !== true && r.cadlFlag !== true) continue;
    if (r.id === null || !windIds.has(r.id)) continue;
    energyMwh += -r.volume;
    paymentGbp += r.volume * (r.originalPrice ?? 0);
    records += 1;
  }
  return { energyMwh, paymentGbp, records };
}

// ---- the server ----

export interface LoggedRequest {
  method: string;
  /** Path below the API prefix, e.g. /balancing/settlement/stack/all/bid/2025-06-15/1. */
  path: string;
  query: string;
  status: number;
  at: number;
}

export interface ElexonApiDouble {
  /** e.g. http://127.0.0.1:43123/bmrs/api/v1; pass it where the real base URL would go. */
  baseUrl: string;
  requests: LoggedRequest[];
  bmUnits: BmUnit[];
  /** Rows for one (date, period, side); replaces what was there. */
  setStack(date: string, period: number, side: StackSide, rows: StackElement[]): void;
  /** Loads generateDay(date) for every period of the date. */
  loadDay(date: string): void;
  /** Every row the double holds for a date, both sides. */
  rowsFor(date: string): StackElement[];
  /** expectedCurtailmentTotals over rowsFor(date) with the wind units the double serves. */
  expectedTotals(date: string): CurtailmentTotals;
  /** The next request to `path` gets 429 with Retry-After; the one after succeeds. */
  inject429(path: string, retryAfterSeconds?: number): void;
  /** The next `times` requests to `path` get 500; then it succeeds. */
  inject500(path: string, times?: number): void;
  close(): Promise<void>;
}

export interface ElexonApiDoubleOptions {
  /** Dates to fill with generated rows at start. */
  days?: string[];
  /** Reference list to serve; defaults to the fixture plus NON_WIND_BMUNITS. */
  bmUnits?: BmUnit[];
  /** Port to listen on (default: any free one); tests bring an API "back" on the port a source was failing on. */
  port?: number;
}

type Fault = { status: 429; retryAfter: number; left: number } | { status: 500; left: number };

const STACK_RE = /^\/balancing\/settlement\/stack\/all\/(bid|offer)\/([^/]+)\/([^/]+)$/;

function normalisePath(path: string): string {
  const p = path.startsWith(API_PREFIX) ? path.slice(API_PREFIX.length) : path;
  return p.replace(/\/+$/, '');
}

export async function startElexonApiDouble(options: ElexonApiDoubleOptions = {}): Promise<ElexonApiDouble> {
  const bmUnits = options.bmUnits ?? [...loadFixtureBmUnits(), ...NON_WIND_BMUNITS];
  const windIds = new Set(bmUnits.filter((u) => u.fuelType === 'WIND').map((u) => u.elexonBmUnit));
  const stacks = new Map<string, StackElement[]>();
  const faults = new Map<string, Fault[]>();
  const requests: LoggedRequest[] = [];
  const slotKey = (side: string, date: string, period: number): string => `${side}/${date}/${period}`;

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): number => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
    return status;
  };

  const handle = (req: IncomingMessage, res: ServerResponse): number => {
    const url = new URL(req.url ?? '/', 'http://double');
    if (!url.pathname.startsWith(API_PREFIX)) return send(res, 404, { status: 404, message: 'not found' });
    const path = normalisePath(url.pathname);

    const queue = faults.get(path);
    const fault = queue?.[0];
    if (queue && fault) {
      fault.left -= 1;
      if (fault.left <= 0) queue.shift();
      if (fault.status === 429) {
        return send(res, 429, { status: 429, message: 'Too many requests' }, { 'retry-after': String(fault.retryAfter) });
      }
      return send(res, 500, { status: 500, message: 'Internal server error' });
    }

    if (req.method !== 'GET') return send(res, 405, { status: 405, message: 'method not allowed' });
    if (path === '/reference/bmunits/all') return send(res, 200, bmUnits);

    const m = STACK_RE.exec(path);
    if (!m) return send(res, 404, { status: 404, message: 'not found' });
    const [, side = '', date = '', periodText = ''] = m;
    const period = Number(periodText);
    // The real API validates date format and period 1..50; a period the day lacks just has no data.
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || !Number.isInteger(period) || period < 1 || period > 50) {
      return send(res, 400, { status: 400, message: 'invalid settlement date or period' });
    }
    return send(res, 200, { data: stacks.get(slotKey(side, date, period)) ?? [] });
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://double');
    const status = handle(req, res);
    requests.push({ method: req.method ?? 'GET', path: normalisePath(url.pathname), query: url.search, status, at: Date.now() });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  const double: ElexonApiDouble = {
    baseUrl: `http://127.0.0.1:${port}${API_PREFIX}`,
    requests,
    bmUnits,
    setStack(date, period, side, rows) {
      stacks.set(slotKey(side, date, period), rows);
    },
    loadDay(date) {
      for (const { slot, rows } of generateDay(date)) stacks.set(slotKey(slot.side, slot.date, slot.period), rows);
    },
    rowsFor(date) {
      const out: StackElement[] = [];
      for (const [k, rows] of stacks) if (k.split('/')[1] === date) out.push(...rows);
      return out;
    },
    expectedTotals(date) {
      return expectedCurtailmentTotals(double.rowsFor(date), windIds);
    },
    inject429(path, retryAfterSeconds = 1) {
      const p = normalisePath(path);
      faults.set(p, [...(faults.get(p) ?? []), { status: 429, retryAfter: retryAfterSeconds, left: 1 }]);
    },
    inject500(path, times = 2) {
      const p = normalisePath(path);
      faults.set(p, [...(faults.get(p) ?? []), { status: 500, left: times }]);
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
    },
  };
  for (const date of options.days ?? []) double.loadDay(date);
  return double;
}
