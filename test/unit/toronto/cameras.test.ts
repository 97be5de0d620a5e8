// Camera parsing and normalising on the real raw export fixture (../shared/fixtures/toronto) and generated workbooks.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCameraCharges, parseCameraLocations } from '../../../producers/toronto/cameras.js';
import { headerPeriod, normaliseCharges, normaliseLocation, normaliseWard } from '../../../processors/toronto/cameras.js';
import { aseChargesXlsx, redLightChargesXlsx, generateCameraSites } from '../../../devkit/toronto/cameras.js';
import { prng } from '../../../devkit/toronto/tickets.js';
import { FIXTURES } from '../../support/toronto.js';

describe('red-light locations, real raw export', () => {
  it('293 features, RLC -> code - 3500, point 0 of the MultiPoint, ward from "Name(13)"', () => {
    const parsed = parseCameraLocations('red_light', readFileSync(join(FIXTURES, 'Red Light Cameras Data.geojson')));
    expect(parsed.values).toHaveLength(293);
    expect(parsed.bad).toEqual([]);
    const first = normaliseLocation(parsed.values[0]!);
    expect(first).toMatchObject({ location_code: '2501', source_code: '6001', ward: 'Ward 13', police_division: '51', activation_date: '2007-11-09', longitude: -79.3640229981536, latitude: 43.6545590110734 });
  });
});

describe('wards and periods', () => {
  it('normalises ward spellings', () => {
    expect(['Toronto Centre(13)', '15 - Don Valley West', 'Ward 7', 23, '4.0', '', null, 'somewhere'].map(normaliseWard)).toEqual(['Ward 13', 'Ward 15', 'Ward 7', 'Ward 23', 'Ward 4', 'Unknown', 'Unknown', 'Unknown']);
  });
  it('reads year, month and Excel-serial headers', () => {
    expect(['2019', '2019.0', '2023-05-01', '45047', 'Total', 'Ward'].map(headerPeriod)).toEqual(['2019', '2019', '2023-05', '2023-05', null, null]);
  });
});

describe('charges workbooks', () => {
  const sites = generateCameraSites(prng(3));
  it('red light: title rows skipped, codes x years', async () => {
    const parsed = await parseCameraCharges('red_light', await redLightChargesXlsx(sites.red));
    expect(parsed.values).toHaveLength(sites.red.length);
    const got = normaliseCharges(parsed.values[0]!);
    if ('reject' in got) throw new Error(got.reject);
    expect(Object.fromEntries(got.periods.map((p) => [p.period, p.tickets]))).toEqual(sites.red[0]!.yearly);
  });
  it('ASE: site codes x months with date headers', async () => {
    const parsed = await parseCameraCharges('ase', await aseChargesXlsx(sites.ase));
    const withCharges = sites.ase.filter((s) => Object.keys(s.monthly).length);
    expect(parsed.values).toHaveLength(withCharges.length);
    const got = normaliseCharges(parsed.values[0]!);
    if ('reject' in got) throw new Error(got.reject);
    expect(Object.fromEntries(got.periods.map((p) => [p.period, p.tickets]))).toEqual(withCharges[0]!.monthly);
  });
  it('refuses a cell that is not a number', () => {
    expect(normaliseCharges({ dataset: 'ase', code: 'A1', name: null, ward: null, counts: { '2023-01-01': 'lots' }, sheet_row: 9 })).toEqual({ reject: 'sheet row 9: 2023-01-01 is not a number: lots' });
  });
});
