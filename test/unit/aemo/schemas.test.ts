import { readFileSync } from 'node:fs';
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { parseMms } from '../../../producers/aemo/mms-csv.js';
import { RAW_TOPICS, toRawRecords } from '../../../producers/aemo/records.js';
import { isRejection } from '../../../runtime/types.js';
import type { OutputRecord, Rejection } from '../../../runtime/types.js';
import { normaliseInterconnectorFlow } from '../../../processors/aemo/interconnector-flow.js';
import { normaliseRegionPrice } from '../../../processors/aemo/region-price.js';
import { interpolateSeries } from '../../../processors/aemo/rooftop-interpolation.js';
import { normaliseRooftopPv } from '../../../processors/aemo/rooftop-pv.js';
import { normaliseUnitScada } from '../../../processors/aemo/unit-scada.js';
import { AEMO_SCHEMA_FILES, aemoSchemaUrl } from '../../../schemas/aemo/index.js';
import type { AemoTopic } from '../../../schemas/aemo/index.js';
import { message, onlyCsv, readFixture, ZIPS } from './helpers.js';

const schema = (topic: AemoTopic) => JSON.parse(readFileSync(aemoSchemaUrl(topic), 'utf8')) as { name: string; namespace: string };
const typeOf = (topic: AemoTopic) => avro.Type.forSchema(schema(topic) as avro.Schema);

function roundTrips(topic: AemoTopic, values: unknown[]): void {
  const type = typeOf(topic);
  expect(values.length).toBeGreaterThan(0);
  for (const v of values) {
    const errors: string[] = [];
    if (!type.isValid(v, { errorHook: (path) => errors.push(path.join('.')) })) throw new Error(`${topic}: invalid at ${errors}`);
    expect(type.fromBuffer(type.toBuffer(v))).toEqual(v);
  }
}

const okValues = <C>(results: (OutputRecord<C>[] | Rejection)[]): C[] =>
  results.flatMap((r) => {
    if (isRejection(r)) throw new Error(r.reject);
    return r.map((o) => o.value);
  });

describe('AEMO Avro schemas', () => {
  it('all parse, in namespace gridstream.aemo, with timestamp-millis instants', () => {
    for (const topic of Object.keys(AEMO_SCHEMA_FILES) as AemoTopic[]) {
      expect(schema(topic).namespace, topic).toBe('gridstream.aemo');
      expect(() => typeOf(topic), topic).not.toThrow();
      if (topic.startsWith('clean.')) expect(JSON.stringify(schema(topic))).toContain('"logicalType":"timestamp-millis"');
    }
    expect(Object.values(RAW_TOPICS).every((t) => t in AEMO_SCHEMA_FILES)).toBe(true);
  });

  it('carry the raw and clean records made from the fixtures', async () => {
    const live = [
      ...toRawRecords(parseMms(readFixture('sample_dispatchscada.csv')).rows, { file: 's', fallbackTime: 0 }),
      ...toRawRecords(parseMms(readFixture('sample_dispatchis.csv')).rows, { file: 'i', fallbackTime: 0 }),
    ];
    const archive = [];
    for (const zip of [ZIPS.scadaMmsdm, ZIPS.rooftopMmsdm, ZIPS.priceMmsdm, ZIPS.interconnectorMmsdm]) {
      const { rows, name } = await onlyCsv(zip);
      archive.push(...toRawRecords(rows.slice(0, 50), { file: name, fallbackTime: 0 }));
    }
    const all = [...live, ...archive];
    const values = (topic: string) => all.filter((r) => r.topic === topic).map((r) => r.record.value);
    for (const topic of Object.values(RAW_TOPICS)) roundTrips(topic, values(topic));

    const clean = {
      scada: okValues(all.flatMap((r) => (r.topic === 'raw.aemo.unit_scada' ? [normaliseUnitScada(message(r.topic, r.record.value))] : []))),
      price: okValues(all.flatMap((r) => (r.topic === 'raw.aemo.dispatch_price' ? [normaliseRegionPrice(message(r.topic, r.record.value))] : []))),
      flow: okValues(all.flatMap((r) => (r.topic === 'raw.aemo.interconnector' ? [normaliseInterconnectorFlow(message(r.topic, r.record.value))] : []))),
      rooftop: okValues(all.flatMap((r) => (r.topic === 'raw.aemo.rooftop_actual' ? [normaliseRooftopPv(message(r.topic, r.record.value))] : []))),
    };
    roundTrips('clean.aemo.unit_scada', clean.scada);
    roundTrips('clean.aemo.region_price', clean.price);
    roundTrips('clean.aemo.interconnector_flow', clean.flow);
    roundTrips('clean.aemo.rooftop_pv', clean.rooftop);
    roundTrips('clean.aemo.rooftop_pv_5min', interpolateSeries(clean.rooftop));
    // The archive SCADA rows have no LASTCHANGED: the null branch of the union is exercised.
    expect(clean.scada.some((v) => v.lastchanged === null)).toBe(true);
  });
});
