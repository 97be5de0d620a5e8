// raw.neso.cmus -> clean.neso.cmus and raw.neso.components -> clean.neso.components: the pure normalisers. A
// record that lacks a key part, has an unreadable delivery year or is not JSON is rejected with the reason (the
// runner dead-letters it with its position and bytes); odd values elsewhere (N/A, TBC) are kept as text.
import { reject, type InputMessage, type OutputRecord, type Rejection } from '../../runtime/types.js';
import type { CkanRecord } from '../../schemas/neso/raw.js';
import type { NesoCmu, NesoComponent } from '../../schemas/neso/records.gen.js';
import { normaliseFieldNames } from './fields.js';
import { capacityOf, deliveryYearOf, integerOf, postcodeOf, technologyClassOf, telephoneOf, textOf } from './values.js';

type Fields = Record<string, unknown>;

function parseRecord(raw: CkanRecord): Fields {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.record) as unknown;
  } catch (err) {
    throw new Error(`record is not JSON: ${(err as Error).message}`, { cause: err });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('record is not a JSON object');
  return normaliseFieldNames(parsed as Fields);
}

function required(f: Fields, name: string, shown: string): string {
  const t = textOf(f[name]);
  if (t === null) throw new Error(`${shown} is blank`);
  return t;
}

const both = (prefix: string, x: unknown) => {
  const c = capacityOf(x);
  return { [`${prefix}_mw`]: c.mw, [`${prefix}_text`]: c.text };
};

/** A register record as a clean CMU. Throws with the reason for a record that cannot be one. */
export function toCmu(raw: CkanRecord): NesoCmu {
  const f = parseRecord(raw);
  const auction_name = required(f, 'auction_name', 'Auction Name');
  const cmu_id = required(f, 'cmu_id', 'CMU ID');
  const year = deliveryYearOf(f.delivery_year);
  const primary_fuel_type = textOf(f.primary_fuel_type);
  const cmu_technology = textOf(f.cmu_technology);
  return {
    auction_name,
    cmu_id,
    application_id: textOf(f.application_id),
    auction_type: textOf(f.auction_type),
    delivery_year_start: year.start,
    delivery_year_label: year.label,
    company: textOf(f.company),
    parent_company: textOf(f.parent_company),
    cm_unit_name: textOf(f.cm_unit_name),
    agent_name: textOf(f.agent_name),
    transmission_or_distribution: textOf(f.transmission_or_distribution),
    cm_unit_type: textOf(f.cm_unit_type),
    cm_unit_category: textOf(f.cm_unit_category),
    primary_fuel_type,
    cmu_technology,
    technology_class: technologyClassOf(cmu_technology, primary_fuel_type, textOf(f.cm_unit_category)),
    ...(both('connection_capacity', f.connection_capacity) as Pick<NesoCmu, 'connection_capacity_mw' | 'connection_capacity_text'>),
    ...(both('derated_capacity', f.derated_capacity) as Pick<NesoCmu, 'derated_capacity_mw' | 'derated_capacity_text'>),
    ...(both('anticipated_derated_capacity', f.anticipated_derated_capacity) as Pick<NesoCmu, 'anticipated_derated_capacity_mw' | 'anticipated_derated_capacity_text'>),
    capacity_agreement_awarded: textOf(f.capacity_agreement_awarded),
    agreement_terminated: textOf(f.agreement_terminated),
    agreement_suspended: textOf(f.agreement_suspended),
    contact_telephone: telephoneOf(f.contact_telephone),
    fields_json: JSON.stringify(f),
    content_hash: raw.content_hash,
  };
}

/** A component record as a clean component. Throws with the reason for a record that cannot be one. */
export function toComponent(raw: CkanRecord): NesoComponent {
  const f = parseRecord(raw);
  const auction_name = required(f, 'auction_name', 'Auction Name');
  const cmu_id = required(f, 'cmu_id', 'CMU ID');
  const component_id = required(f, 'component_id', 'Component ID');
  const year = deliveryYearOf(f.delivery_year);
  const location = textOf(f.location);
  const pc = postcodeOf(location);
  const generating_technology_class = textOf(f.generating_technology_class);
  const primary_fuel = textOf(f.primary_fuel);
  const description = textOf(f.description);
  return {
    auction_name,
    cmu_id,
    component_id,
    application_id: textOf(f.application_id),
    auction_type: textOf(f.auction_type),
    delivery_year_start: year.start,
    delivery_year_label: year.label,
    generating_technology_class,
    primary_fuel,
    technology_class: technologyClassOf(generating_technology_class, primary_fuel, description),
    ...(both('connection_capacity', f.connection_capacity) as Pick<NesoComponent, 'connection_capacity_mw' | 'connection_capacity_text'>),
    ...(both('derated_capacity', f.derated_capacity) as Pick<NesoComponent, 'derated_capacity_mw' | 'derated_capacity_text'>),
    description,
    location,
    postcode: pc?.postcode ?? null,
    outward_code: pc?.outward ?? null,
    os_grid_reference: textOf(f.os_grid_reference),
    aggregated: /aggregatedcomponent/i.test(component_id) || location?.toLowerCase() === 'aggregated',
    number_of_components: integerOf(f.number_of_components),
    fields_json: JSON.stringify(f),
    content_hash: raw.content_hash,
  };
}

export const cmuRecordKey = (v: Pick<NesoCmu, 'auction_name' | 'cmu_id'>): string => `${v.auction_name}|${v.cmu_id}`;
export const componentRecordKey = (v: Pick<NesoComponent, 'auction_name' | 'cmu_id' | 'component_id'>): string => `${v.auction_name}|${v.cmu_id}|${v.component_id}`;

const attempt = <T>(make: () => T): T | Rejection => {
  try {
    return make();
  } catch (err) {
    return reject((err as Error).message);
  }
};

export function normaliseCmu(input: InputMessage<CkanRecord>): OutputRecord<NesoCmu>[] | Rejection {
  const v = attempt(() => toCmu(input.value));
  return 'reject' in v ? v : [{ key: cmuRecordKey(v), value: v }];
}

export function normaliseComponent(input: InputMessage<CkanRecord>): OutputRecord<NesoComponent>[] | Rejection {
  const v = attempt(() => toComponent(input.value));
  return 'reject' in v ? v : [{ key: componentRecordKey(v), value: v }];
}
