// The Avro schemas and the TypeScript value types must agree: every field of a value the code produces is in the
// schema, every schema field is in the value, and the value encodes and decodes unchanged.

import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import avro from 'avsc';
import { toRawRecord } from '../../../producers/elexon/api.js';
import { makeBmuLookup } from '../../../processors/elexon/bmu.js';
import { makeCurtailmentTransform } from '../../../processors/elexon/curtailment.js';
import { isRejection } from '../../../runtime/types.js';
import { generateDay, loadFixtureBmUnits } from '../../support/elexon-api-double.js';

const schema = (topic: string): avro.Type =>
  avro.Type.forSchema(JSON.parse(readFileSync(new URL(`../../../schemas/elexon/${topic}.avsc`, import.meta.url), 'utf8')) as avro.Schema);

const fieldNames = (t: avro.Type): string[] => (t as avro.types.RecordType).fields.map((f) => f.name).sort();

const roundTrip = (t: avro.Type, value: object): void => {
  expect(t.isValid(value, { errorHook: (path) => expect.fail(`invalid at ${path.join('.')}`) })).toBe(true);
  expect(Object.keys(value).sort()).toEqual(fieldNames(t));
  expect(t.fromBuffer(t.toBuffer(value))).toEqual(value);
};

describe('Avro schemas (namespace gridstream.elexon)', () => {
  const stack = schema('raw.elexon.stack');
  const bmunits = schema('raw.elexon.bmunits');
  const curtailment = schema('clean.elexon.curtailment');

  it('have the expected names', () => {
    expect([stack.name, bmunits.name, curtailment.name]).toEqual([
      'gridstream.elexon.StackElement',
      'gridstream.elexon.BmUnit',
      'gridstream.elexon.Curtailment',
    ]);
  });

  it('make every nullable field ["null", T] with default null', () => {
    for (const t of [stack, bmunits, curtailment]) {
      for (const f of (t as avro.types.RecordType).fields) {
        const s = f.type.schema();
        if (Array.isArray(s)) {
          expect(s[0]).toBe('null');
          expect(f.defaultValue()).toBeNull();
        }
      }
    }
  });

  it('raw.elexon.stack carries generated rows (built from the documented shape) of both sides', () => {
    const day = generateDay('2025-10-26');
    for (const { slot, rows } of day.slice(0, 6)) {
      for (const r of rows) roundTrip(stack, toRawRecord(r, slot.side, 'test').value);
    }
  });

  it('raw.elexon.bmunits carries every fixture unit, with and without optional fields', () => {
    for (const u of loadFixtureBmUnits()) roundTrip(bmunits, u);
  });

  it('clean.elexon.curtailment carries what the transform emits', () => {
    const transform = makeCurtailmentTransform(makeBmuLookup(loadFixtureBmUnits()));
    let n = 0;
    for (const { slot, rows } of generateDay('2025-06-15')) {
      for (const r of rows) {
        const raw = toRawRecord(r, slot.side, 'test');
        const out = transform({ topic: 't', partition: 0, offset: '0', key: raw.key, value: raw.value, timestamp: raw.eventTime, headers: {} });
        if (isRejection(out)) throw new Error(out.reject);
        for (const rec of out) {
          roundTrip(curtailment, rec.value);
          n++;
        }
      }
    }
    expect(n).toBeGreaterThan(50);
  });
});
