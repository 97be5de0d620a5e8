// Fuzzing the Elexon JSON readers (issue 11 #5): stack responses whose elements mix good ones with wrong types, and
// arbitrary JSON in place of the envelope. parseStackResponse splits every element into a typed row or a bad one with
// its error and index (what its dead letter names); it throws only the documented envelope error. Every typed row
// becomes a raw record that encodes in raw.elexon.stack, and the curtailment transform, given any typed row, returns
// records that encode in clean.elexon.curtailment or a rejection, never a throw.
import { readFileSync } from 'node:fs';
import avro from 'avsc';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toRawRecord } from '../../../producers/elexon/api.js';
import { makeBmuLookup } from '../../../processors/elexon/bmu.js';
import { makeCurtailmentTransform } from '../../../processors/elexon/curtailment.js';
import { isRejection } from '../../../runtime/types.js';
import type { InputMessage } from '../../../runtime/types.js';
import { parseBmUnit, parseStackElement, parseStackResponse } from '../../../schemas/elexon/raw.js';
import type { RawStackValue, StackElement } from '../../../schemas/elexon/raw.js';
import { fuzz } from './params.js';

const schema = (topic: string): avro.Type =>
  avro.Type.forSchema(JSON.parse(readFileSync(new URL(`../../../schemas/elexon/${topic}.avsc`, import.meta.url), 'utf8')) as avro.Schema);
const rawStack = schema('raw.elexon.stack');
const curtailment = schema('clean.elexon.curtailment');

const WIND = 'T_FUZZW-1';
const lookup = makeBmuLookup([
  { elexonBmUnit: WIND, nationalGridBmUnit: 'FUZZW-1', bmUnitName: 'Fuzz wind', fuelType: 'WIND', leadPartyName: 'Fuzz Ltd', generationCapacity: '100' },
  { elexonBmUnit: 'T_FUZZG-1', nationalGridBmUnit: null, bmUnitName: null, fuelType: 'CCGT', leadPartyName: 'Fuzz Ltd', generationCapacity: null },
]);

// Values near and past the edges the checks guard: doubles of any size (products of two overflow), ints just past
// int32, unsafe integers, and timestamps that match the ISO shape but are not real instants.
const anyNumber = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), fc.constantFrom(1e308, -1e308, 2 ** 31, -(2 ** 31) - 1, 2 ** 53, 0.1, -0));
const instant = fc.oneof(
  fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constantFrom('2025-13-45T99:99:99Z', '2025-02-30T00:00:00Z', '2025-06-16T24:00:00+00:00', '0000-00-00T00:00Z', '2025-06-16T09:03:18.74+99:99'),
  fc.string({ maxLength: 30 }),
);
const date = fc.oneof(fc.constantFrom('2025-06-15', '2025-03-30', '2025-10-26', '2024-02-29'), fc.constantFrom('2025-02-30', '2025-6-15', ''), fc.string({ maxLength: 12 }));

const KINDS: Record<string, 'string' | 'int' | 'number' | 'boolean' | 'instant'> = {
  startTime: 'instant', createdDateTime: 'instant', sequenceNumber: 'int', id: 'string', acceptanceId: 'int', bidOfferPairId: 'int', cadlFlag: 'boolean',
  soFlag: 'boolean', storProviderFlag: 'boolean', repricedIndicator: 'boolean', reserveScarcityPrice: 'number', originalPrice: 'number', volume: 'number',
  dmatAdjustedVolume: 'number', arbitrageAdjustedVolume: 'number', nivAdjustedVolume: 'number', parAdjustedVolume: 'number', finalPrice: 'number',
  transmissionLossMultiplier: 'number', tlmAdjustedVolume: 'number', tlmAdjustedCost: 'number',
};

const valueOf = (kind: (typeof KINDS)[string]): fc.Arbitrary<unknown> =>
  kind === 'instant' ? instant : kind === 'string' ? fc.oneof(fc.constantFrom(WIND, 'T_FUZZG-1', 'T_UNKNOWN', ''), fc.string({ maxLength: 10 })) :
  kind === 'int' ? fc.oneof(fc.integer(), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })) : kind === 'boolean' ? fc.boolean() : anyNumber;

/** An element as the API would send it: every field of its documented type, null, or absent. */
const typedElement: fc.Arbitrary<Record<string, unknown>> = fc.record(
  {
    settlementDate: date,
    settlementPeriod: fc.integer({ min: -2, max: 52 }),
    ...Object.fromEntries(Object.entries(KINDS).map(([k, kind]) => [k, fc.option(valueOf(kind), { nil: null, freq: 4 })])),
  },
  { requiredKeys: ['settlementDate', 'settlementPeriod'] },
);

/** An element with one field of the wrong JSON type, or not an object at all. */
const wrongType = fc.oneof(fc.string(), fc.double(), fc.boolean(), fc.array(fc.integer(), { maxLength: 2 }), fc.object({ maxDepth: 1 }), fc.constantFrom(1.5, 2 ** 53 + 2, NaN));
const badElement: fc.Arbitrary<unknown> = fc.oneof(
  fc.tuple(typedElement, fc.constantFrom('settlementDate', 'settlementPeriod', ...Object.keys(KINDS)), wrongType).map(([e, k, v]) => ({ ...e, [k]: v })),
  fc.oneof(fc.constant(null), fc.string(), fc.integer(), fc.array(fc.anything({ maxDepth: 1 }), { maxLength: 2 })),
);

const message = (value: RawStackValue): InputMessage<RawStackValue> => ({ topic: 'raw.elexon.stack', partition: 0, offset: '0', key: 'k', value, timestamp: 0, headers: {} });

describe('Elexon JSON fuzz', () => {
  it('parseStackResponse types every element or names why not (with its index), and throws only for a bad envelope', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          { arbitrary: fc.array(fc.oneof(typedElement, badElement), { maxLength: 12 }).map((data) => ({ data })), weight: 4 },
          // JSON round trip: what JSON.parse can actually hand over (no undefined, no NaN).
          { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 1 },
        ),
        (raw) => {
          const body = JSON.parse(JSON.stringify(raw)) as unknown;
          const enveloped = typeof body === 'object' && body !== null && !Array.isArray(body) && Array.isArray((body as { data?: unknown }).data);
          let parsed: ReturnType<typeof parseStackResponse>;
          try {
            parsed = parseStackResponse(body);
          } catch (err) {
            expect(enveloped).toBe(false);
            expect((err as Error).message).toBe('stack response is not {"data": [...]}');
            return;
          }
          const data = (body as { data: unknown[] }).data;
          expect(parsed.rows.length + parsed.bad.length).toBe(data.length);
          // Each element is in exactly one list, in order; a bad one carries its index, its element and a reason.
          const badAt = new Set(parsed.bad.map((b) => b.index));
          let row = 0;
          data.forEach((element, i) => {
            if (badAt.has(i)) return;
            expect(parsed.rows[row++]).toEqual(parseStackElement(element).ok ? (parseStackElement(element) as { value: StackElement }).value : 'typed');
          });
          for (const b of parsed.bad) {
            expect(b.element).toBe(data[b.index]);
            expect(b.error).toMatch(/^(stack element is not an object|\w+ is not (an integer|a string|a number|a boolean))/);
          }
          // Every typed row is a raw record that encodes (or a RangeError the source dead-letters: an impossible date).
          for (const r of parsed.rows) {
            let value: RawStackValue;
            try {
              value = toRawRecord(r, 'bid', 'u').value;
            } catch (err) {
              expect(err).toBeInstanceOf(RangeError);
              continue;
            }
            expect(rawStack.isValid(value, { errorHook: (path) => expect.fail(`raw value invalid at ${path.join('.')}`) })).toBe(true);
          }
        },
      ),
      fuzz('elexonResponse'),
    );
  });

  it('parseBmUnit types a unit or names the field, never throws', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.record({ elexonBmUnit: fc.oneof(fc.string(), fc.integer()), fuelType: fc.oneof(fc.string(), fc.constant(null), fc.integer()) })), (x) => {
        const r = parseBmUnit(x);
        if (r.ok) expect(typeof r.value.elexonBmUnit).toBe('string');
        else expect(r.error).toMatch(/^(BMU is not an object|elexonBmUnit is missing|\w+ is not a string: )/);
      }),
      fuzz('elexonElement'),
    );
  });

  it('the curtailment transform rejects or emits Avro-valid, finite records for any typed row, never throws', () => {
    fc.assert(
      fc.property(typedElement, fc.constantFrom('bid' as const, 'offer' as const), fc.boolean(), (e, side, qualify) => {
        const el = parseStackElement(e);
        if (!el.ok) return;
        // Half the rows are pushed towards curtailment so the emitting path is fuzzed as much as the skipping one.
        const value: RawStackValue = { ...el.value, side, ...(qualify ? { id: WIND, soFlag: true, volume: -Math.abs(el.value.volume ?? 1) || -1 } : {}) };
        const out = makeCurtailmentTransform(lookup)(message(value));
        if (isRejection(out)) {
          expect(out.reject.length).toBeGreaterThan(0);
          return;
        }
        for (const r of out) {
          expect(curtailment.isValid(r.value, { errorHook: (path, v) => expect.fail(`clean value invalid at ${path.join('.')}: ${String(v)}`) })).toBe(true);
          for (const [k, v] of Object.entries(r.value)) if (typeof v === 'number') expect(Number.isFinite(v), k).toBe(true);
        }
      }),
      fuzz('curtailment'),
    );
  });
});
