// The NESO normalisers (pure): field-name drift, numbers with their original text, delivery years, postcodes,
// technology classes, rejections; the CKAN envelope and the crawler's content hash.
import { describe, expect, it } from 'vitest';
import { canonicalName, looseName, normaliseFieldNames } from '../../../processors/neso/fields.js';
import { normaliseCmu, normaliseComponent, toCmu, toComponent } from '../../../processors/neso/normalise.js';
import { capacityOf, deliveryYearOf, postcodeOf, technologyClassOf, telephoneOf } from '../../../processors/neso/values.js';
import { contentHash, datastoreSearchUrl } from '../../../producers/neso/ckan.js';
import { nominatimAnswer, postcodeAnswers } from '../../../producers/neso/geocode-answers.js';
import { geocodeQueryOf } from '../../../sinks/neso/geocode-queue.js';
import { prefixQuery } from '../../../ops/neso/search.js';
import { CMU_RESOURCE, cmuKey, componentKey, parseDatastoreResponse } from '../../../schemas/neso/raw.js';
import type { InputMessage } from '../../../runtime/types.js';
import type { CkanRecord } from '../../../schemas/neso/raw.js';

const raw = (r: Record<string, unknown>): CkanRecord => ({ resource_id: CMU_RESOURCE, record: JSON.stringify(r), content_hash: contentHash(r) });
const msg = (value: CkanRecord): InputMessage<CkanRecord> => ({ topic: 't', partition: 0, offset: '0', key: null, value, timestamp: 0, headers: {} });

describe('field names', () => {
  it('folds both spellings of every drifting field to one name', () => {
    expect(canonicalName('De-Rated Capacity')).toBe('derated_capacity');
    expect(canonicalName('De Rated Capacity')).toBe('derated_capacity');
    expect(canonicalName('Connection / DSR Capacity')).toBe('connection_capacity');
    expect(canonicalName('Connection or DSR Capacity')).toBe('connection_capacity');
    expect(canonicalName('Permitted on-Site Generating Unit')).toBe(canonicalName('Permitted On Site Generating Unit'));
    expect(canonicalName('Pre-Refurbishing De-Rated Capacity')).toBe('pre_refurbishing_derated_capacity');
    expect(looseName('Secondary Trading Contact_Telephone')).toBe('secondary trading contact telephone');
  });

  it('drops CKAN fields and the old app\'s Company Name, keeps unknown names, prefers a value over a blank', () => {
    expect(normaliseFieldNames({ _id: 4, rank: 0.1, 'Company Name': 'x', 'New Column': 'kept', 'De-Rated Capacity': '5', 'De Rated Capacity': '' })).toEqual({ 'New Column': 'kept', derated_capacity: '5' });
  });
});

describe('values', () => {
  it('reads capacities as numbers and keeps the text of what is not one', () => {
    expect(capacityOf('43.4')).toEqual({ mw: 43.4, text: null });
    expect(capacityOf(6.801)).toEqual({ mw: 6.801, text: null });
    expect(capacityOf('1,250.5')).toEqual({ mw: 1250.5, text: null });
    expect(capacityOf('N/A')).toEqual({ mw: null, text: 'N/A' });
    expect(capacityOf(' TBC ')).toEqual({ mw: null, text: 'TBC' });
    expect(capacityOf('')).toEqual({ mw: null, text: null });
    expect(capacityOf(null)).toEqual({ mw: null, text: null });
  });

  it('reads delivery years in every form as start year and label', () => {
    expect(deliveryYearOf(2020)).toEqual({ start: 2020, label: '2020/21' });
    expect(deliveryYearOf('2016/2017')).toEqual({ start: 2016, label: '2016/17' });
    expect(deliveryYearOf('2029-30')).toEqual({ start: 2029, label: '2029/30' });
    expect(deliveryYearOf('2099/00')).toEqual({ start: 2099, label: '2099/00' });
    expect(() => deliveryYearOf('2020/2022')).toThrow(/one year/);
    expect(() => deliveryYearOf('soon')).toThrow(/not a year/);
    expect(() => deliveryYearOf(null)).toThrow(/blank/);
  });

  it('finds the last full postcode in a location, not grid references or partial codes', () => {
    expect(postcodeOf('Land to the south of Edinburgh Rd, Maryport, Cumbria, CA15 8ES.')).toEqual({ postcode: 'CA15 8ES', outward: 'CA15' });
    expect(postcodeOf('GAS STREET, LlINWOOD, PA3 3BD.')).toEqual({ postcode: 'PA3 3BD', outward: 'PA3' });
    expect(postcodeOf('Unit 2, sw1a1aa')).toEqual({ postcode: 'SW1A 1AA', outward: 'SW1A' });
    expect(postcodeOf('Eg: BS6')).toBeNull();
    expect(postcodeOf('Aggregated')).toBeNull();
    expect(postcodeOf(null)).toBeNull();
  });

  it('classes technologies, most specific field first', () => {
    expect(technologyClassOf('Storage - Battery')).toBe('battery');
    expect(technologyClassOf('Storage (Duration 2h)')).toBe('storage');
    expect(technologyClassOf('OCGT and Reciprocating Engines (Fuel Type - Gas)')).toBe('gas');
    expect(technologyClassOf('CHP and autogeneration')).toBe('chp');
    expect(technologyClassOf(null, null, 'Electro-Chemical Battery Energy Storage System (BESS)')).toBe('battery');
    expect(technologyClassOf('Something new')).toBe('other');
    expect(technologyClassOf(null, '')).toBe('unknown');
  });

  it('strips the Excel guard from phone numbers', () => {
    expect(telephoneOf("'+441217121970")).toBe('+441217121970');
    expect(telephoneOf("'")).toBeNull();
  });
});

describe('normalisers', () => {
  const cmu2025 = { _id: 1, 'Auction Name': 'A', 'CMU ID': 'X1', 'Delivery Year': 2024, 'Name of Applicant': 'Acme', 'De-Rated Capacity': '10.5', 'Connection / DSR Capacity': 'TBC', 'CMU Technology': 'DSR' };
  const cmu2026 = { 'Auction Name': 'A', 'CMU ID': 'X1', 'Delivery Year': '2024/2025', 'Name of Applicant': 'Acme', 'De Rated Capacity': '10.5', 'Connection or DSR Capacity': 'TBC', 'CMU Technology': 'DSR' };

  it('gives the same clean CMU for both spellings', () => {
    const a = toCmu(raw(cmu2025));
    const b = toCmu(raw(cmu2026));
    expect({ ...a, fields_json: '', content_hash: '' }).toEqual({ ...b, fields_json: '', content_hash: '' });
    expect(a).toMatchObject({ company: 'Acme', derated_capacity_mw: 10.5, connection_capacity_mw: null, connection_capacity_text: 'TBC', delivery_year_start: 2024, delivery_year_label: '2024/25', technology_class: 'dsr' });
  });

  it('marks aggregated components and parses their postcode', () => {
    const c = toComponent(raw({ 'Auction Name': 'A', 'CMU ID': 'X1', 'Component ID': 'X1 - AggregatedComponent - DSR', 'Delivery Year': '2026', 'Location and Post Code': 'Aggregated', 'Number of Components': '12' }));
    expect(c).toMatchObject({ aggregated: true, postcode: null, number_of_components: 12 });
  });

  it('rejects records missing a key part, with an unreadable year, or that are not JSON', () => {
    expect(normaliseCmu(msg(raw({ 'Auction Name': 'A', 'Delivery Year': 2020 })))).toEqual({ reject: 'CMU ID is blank' });
    expect(normaliseComponent(msg(raw({ 'Auction Name': 'A', 'CMU ID': 'X', 'Delivery Year': 2020 })))).toEqual({ reject: 'Component ID is blank' });
    expect(normaliseCmu(msg(raw({ 'Auction Name': 'A', 'CMU ID': 'X', 'Delivery Year': 'later' })))).toMatchObject({ reject: expect.stringMatching(/Delivery Year/) });
    expect(normaliseCmu(msg({ resource_id: CMU_RESOURCE, record: '{oops', content_hash: 'h' }))).toMatchObject({ reject: expect.stringMatching(/not JSON/) });
    expect(normaliseCmu(msg({ resource_id: CMU_RESOURCE, record: '[1]', content_hash: 'h' }))).toEqual({ reject: 'record is not a JSON object' });
  });

  it('keys records by auction, CMU and component, never by _id', () => {
    expect(normaliseCmu(msg(raw(cmu2025)))).toMatchObject([{ key: 'A|X1' }]);
    expect(cmuKey({ 'Auction Name': ' A ', 'CMU ID': 'X' })).toBe('A|X');
    expect(componentKey({ 'Auction Name': 'A', 'CMU ID': 'X', 'Component ID': 'C', _id: 9 })).toBe('A|X|C');
    expect(componentKey({ 'Auction Name': 'A', 'CMU ID': 'X' })).toBeUndefined();
  });
});

describe('CKAN and geocoder readers', () => {
  it('hashes content without _id and rank, in any field order', () => {
    expect(contentHash({ _id: 1, a: 1, b: 'x' })).toBe(contentHash({ b: 'x', a: 1, _id: 2, rank: 0.3 }));
    expect(contentHash({ a: 1 })).not.toBe(contentHash({ a: 2 }));
  });

  it('builds filters URLs and reads the envelope, success:false included', () => {
    const u = new URL(datastoreSearchUrl('http://x/', { resourceId: 'r', limit: 1000, filters: { 'CMU ID': 'AB/1' } }));
    expect(JSON.parse(u.searchParams.get('filters')!)).toEqual({ 'CMU ID': 'AB/1' });
    expect(u.searchParams.has('q')).toBe(false);
    expect(parseDatastoreResponse({ success: true, result: { records: [{ a: 1 }], total: 5, total_was_estimated: true } })).toMatchObject({ total: 5, totalWasEstimated: true });
    expect(() => parseDatastoreResponse({ success: false, error: { message: 'Not found' } })).toThrow(/Not found/);
    expect(() => parseDatastoreResponse([])).toThrow(/not a JSON object/);
  });

  it('reads postcodes.io bulk and Nominatim answers', () => {
    const a = postcodeAnswers({ status: 200, result: [{ query: 'CA15 8ES', result: { latitude: 54.7, longitude: -3.5 } }, { query: 'ZZ9 9ZZ', result: null }] });
    expect(a.get('CA15 8ES')).toMatchObject({ found: true, latitude: 54.7, longitude: -3.5 });
    expect(a.get('ZZ9 9ZZ')).toMatchObject({ found: false });
    expect(nominatimAnswer([{ lat: '51.5', lon: '-0.12', display_name: 'London' }])).toMatchObject({ found: true, latitude: 51.5, longitude: -0.12 });
    expect(nominatimAnswer([])).toMatchObject({ found: false });
    expect(nominatimAnswer([{ lat: '999', lon: '0' }])).toMatchObject({ found: false });
    expect(() => nominatimAnswer({})).toThrow();
  });

  it('asks the geocoder for a postcode, else a place, never for placeholders', () => {
    expect(geocodeQueryOf({ postcode: 'CA15 8ES', location: 'x', aggregated: false })).toEqual({ kind: 'postcode', query: 'CA15 8ES' });
    expect(geocodeQueryOf({ postcode: null, location: 'Javelin Park,\nBath  Road', aggregated: false })).toEqual({ kind: 'text', query: 'Javelin Park, Bath Road' });
    for (const l of ['Aggregated', 'N/A', 'TBC', 'Sites across Great Britain. See business plan.', 'Eg: BS6', null]) expect(geocodeQueryOf({ postcode: null, location: l, aggregated: false })).toBeNull();
  });

  it('turns search text into a prefix query', () => {
    expect(prefixQuery('Tata Steel')).toBe('tata:* & steel:*');
    expect(prefixQuery('CA15 8ES')).toBe('ca15:* & 8es:*');
    expect(prefixQuery(" '&|! ")).toBeNull();
  });
});
