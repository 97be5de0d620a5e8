// Fuzzing the NESO CKAN readers: datastore_search bodies of any shape (parseDatastoreResponse throws only its
// documented envelope errors), and records whose fields take either spelling and values of any JSON type. Every
// record that reaches the raw topic encodes in raw.neso.record; the normalisers, given any of them, return records
// that encode in the clean schemas or a rejection with a reason, never a throw.
import { readFileSync } from 'node:fs';
import avro from 'avsc';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rawRecord } from '../../../producers/neso/ckan.js';
import { normaliseCmu, normaliseComponent } from '../../../processors/neso/normalise.js';
import { isRejection, type InputMessage } from '../../../runtime/types.js';
import { CMU_RESOURCE, COMPONENT_RESOURCE, cmuKey, componentKey, parseDatastoreResponse, type CkanRecord } from '../../../schemas/neso/raw.js';
import { fuzz } from './params.js';

const schema = (file: string): avro.Type => avro.Type.forSchema(JSON.parse(readFileSync(new URL(`../../../schemas/neso/${file}.avsc`, import.meta.url), 'utf8')) as avro.Schema);
const rawType = schema('raw.neso.record');
const cmuType = schema('clean.neso.cmus');
const componentType = schema('clean.neso.components');

// Both spellings of the drifting fields, and the values NESO sends (numbers, numeric text, placeholders, blanks).
const FIELDS = ['Auction Name', 'CMU ID', 'Component ID', 'Delivery Year', 'Name of Applicant', 'De-Rated Capacity', 'De Rated Capacity', 'Connection / DSR Capacity', 'Connection or DSR Capacity', 'Location and Post Code', 'Generating Technology Class', 'CMU Technology', 'Number of Components', 'Secondary Trading Contact_Telephone', '_id', 'rank'];
const value = fc.oneof(
  fc.constantFrom(null, '', 'N/A', 'TBC', '43.4', '1,250.5', 2020, '2016/2017', '2029-30', "'+441234", 'Aggregated', 'Land, CA15 8ES.', 'Storage - Battery', 6.801, -0, 1e308),
  fc.string({ maxLength: 40 }),
  fc.double(),
  fc.integer(),
  fc.boolean(),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 2 }),
);
const record = fc.dictionary(fc.oneof(fc.constantFrom(...FIELDS), fc.string({ maxLength: 12 })), value, { maxKeys: 20 });
const msg = (v: CkanRecord): InputMessage<CkanRecord> => ({ topic: 't', partition: 0, offset: '0', key: null, value: v, timestamp: 0, headers: {} });

describe('NESO CKAN fuzz', () => {
  it('reads any body as a page or throws the envelope error', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.record({ success: fc.boolean(), result: fc.oneof(fc.jsonValue(), fc.record({ records: fc.array(record, { maxLength: 5 }), total: fc.oneof(fc.integer(), fc.string()) })) })), (body) => {
        try {
          const page = parseDatastoreResponse(body);
          expect(Array.isArray(page.records)).toBe(true);
        } catch (err) {
          expect((err as Error).message).toMatch(/^CKAN/);
        }
      }),
      fuzz('nesoResponse'),
    );
  });

  it('normalises any keyed record into valid clean values, or rejects it with a reason', () => {
    fc.assert(
      fc.property(record, fc.boolean(), (r, asComponent) => {
        const key = asComponent ? componentKey(r) : cmuKey(r);
        if (key === undefined) return;
        const raw = rawRecord(asComponent ? COMPONENT_RESOURCE : CMU_RESOURCE, key, r, 'http://x', 0);
        expect(rawType.isValid(raw.value)).toBe(true);
        const out = asComponent ? normaliseComponent(msg(raw.value)) : normaliseCmu(msg(raw.value));
        if (isRejection(out)) {
          expect(out.reject.length).toBeGreaterThan(0);
          return;
        }
        for (const o of out) expect((asComponent ? componentType : cmuType).isValid(o.value, { errorHook: (path) => { throw new Error(`invalid at ${path.join('.')}`); } })).toBe(true);
      }),
      fuzz('nesoRecord'),
    );
  });
});
