// Camera files in the City's published shapes for the CKAN double: red-light locations as the raw open-data export
// (MultiPoint with one point, RLC = code + 3500, WARD_1 "Name(13)"), ASE locations (Location_Code, blank for sites
// without one), and the two charges workbooks (RLC: title rows, then codes x years; ASE: site codes x months with
// date headers), written with exceljs.
import ExcelJS from 'exceljs';
import type { CkanDouble } from './ckan-double.js';

export interface RedLightSite {
  code: number; // the charges sheet's location code (RLC - 3500)
  name: string;
  streetA: string;
  streetB: string;
  ward: string; // 'Ward 13'
  policeDivision: string;
  activationDate: string; // YYYY-MM-DD
  intersectionId: string;
  lon: number | null;
  lat: number | null;
  yearly: Record<string, number>;
}

export interface AseSite {
  code: string; // 'A207', or 'ASE-<id>' for a site published without a code
  name: string;
  ward: string; // '15 - Don Valley West'
  status: string;
  lon: number | null;
  lat: number | null;
  monthly: Record<string, number>; // 'YYYY-MM' -> tickets
}

const wardNumber = (w: string) => /(\d+)/.exec(w)?.[1] ?? '';

export function redLightLocationsGeojson(sites: RedLightSite[]): Buffer {
  const features = sites
    .filter((s) => s.lon !== null && s.lat !== null)
    .map((s, i) => ({
      type: 'Feature',
      properties: {
        _id: i + 1,
        INTERSECTION_ID: Number(s.intersectionId) || s.intersectionId,
        LINEAR_NAME_FULL_1: s.streetA,
        LINEAR_NAME_FULL_2: s.streetB,
        RLC: String(s.code + 3500),
        NAME: s.name,
        MAIN: s.streetA.toUpperCase(),
        SIDE1: s.streetB.toUpperCase(),
        WARD_1: `Some Ward(${wardNumber(s.ward)})`,
        POLICE_DIVISION_1: s.policeDivision,
        ACTIVATION_DATE: `${s.activationDate}T05:00:00`,
      },
      geometry: { type: 'MultiPoint', coordinates: [[s.lon, s.lat]] },
    }));
  return Buffer.from(JSON.stringify({ type: 'FeatureCollection', features }));
}

export function aseLocationsGeojson(sites: AseSite[]): Buffer {
  const features = sites
    .filter((s) => s.lon !== null && s.lat !== null)
    .map((s, i) => {
      const id = /^ASE-(.+)$/.exec(s.code)?.[1];
      return {
        type: 'Feature',
        properties: { _id: id ?? String(i + 10_000), Location_Code: id ? 'None' : s.code, location: s.name, ward: s.ward, status: s.status },
        geometry: { type: 'Point', coordinates: [s.lon, s.lat] },
      };
    });
  return Buffer.from(JSON.stringify({ type: 'FeatureCollection', features }));
}

export async function redLightChargesXlsx(sites: RedLightSite[]): Promise<Buffer> {
  const years = [...new Set(sites.flatMap((s) => Object.keys(s.yearly)))].sort();
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('RLC Charges');
  ws.addRow(['City of Toronto']);
  ws.addRow(['Red Light Camera Charges']);
  ws.addRow(['Charges laid by location and year']);
  ws.addRow([]);
  // Some year headers are numbers, some text, as in the published sheet.
  ws.addRow(['Location Codes', 'Charges Laid by Location & Year', 'Ward', ...years.map((y, i) => (i % 2 ? y : Number(y)))]);
  for (const s of sites) ws.addRow([s.code, s.name, wardNumber(s.ward), ...years.map((y) => s.yearly[y] ?? null)]);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export async function aseChargesXlsx(sites: AseSite[]): Promise<Buffer> {
  const months = [...new Set(sites.flatMap((s) => Object.keys(s.monthly)))].sort();
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('ASE Charges');
  ws.addRow(['Site Code', 'Location*', 'Ward', ...months.map((m) => new Date(`${m}-01T00:00:00Z`))]);
  for (const s of sites) {
    if (!Object.keys(s.monthly).length) continue;
    ws.addRow([s.code, s.name, s.ward, ...months.map((m) => s.monthly[m] ?? null)]);
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** Publishes the four camera resources in the double. */
export async function putCameras(ckan: CkanDouble, red: RedLightSite[], ase: AseSite[], lastModified = '2025-01-15T10:00:00'): Promise<void> {
  ckan.put('red-light-cameras', { id: 'rlc-locations', name: 'Red Light Cameras Data', format: 'GEOJSON', lastModified, body: redLightLocationsGeojson(red) });
  ckan.put('red-light-camera-annual-charges', { id: 'rlc-charges', name: 'Red Light Camera Annual Charges', format: 'XLSX', lastModified, body: await redLightChargesXlsx(red) });
  ckan.put('automated-speed-enforcement-locations', { id: 'ase-locations', name: 'Automated Speed Enforcement Locations', format: 'GEOJSON', lastModified, body: aseLocationsGeojson(ase) });
  ckan.put('automated-speed-enforcement-ase-charges', { id: 'ase-charges', name: 'ASE Charges', format: 'XLSX', lastModified, body: await aseChargesXlsx(ase) });
}

/** Made-up sites for the demo (it must not depend on ../shared): red light with yearly counts, ASE with monthly. */
export function generateCameraSites(rand: () => number): { red: RedLightSite[]; ase: AseSite[] } {
  const streets = ['Yonge St', 'Bloor St W', 'Queen St E', 'Dundas St W', 'Bathurst St', 'Eglinton Ave E', 'Steeles Ave W', 'Jane St'];
  const red: RedLightSite[] = Array.from({ length: 24 }, (_, i) => {
    const a = streets[i % streets.length]!;
    const b = streets[(i * 3 + 1) % streets.length]!;
    const yearly: Record<string, number> = {};
    for (let y = 2019; y <= 2024; y++) if (rand() < 0.8) yearly[String(y)] = 100 + Math.floor(rand() * 3000);
    const located = i < 21;
    return { code: 2500 + i, name: `${a} and ${b}`, streetA: a, streetB: b, ward: `Ward ${1 + (i % 25)}`, policeDivision: String(11 + (i % 40)), activationDate: '2019-05-01', intersectionId: String(13_400_000 + i), lon: located ? -79.5 + rand() * 0.3 : null, lat: located ? 43.6 + rand() * 0.2 : null, yearly };
  });
  const ase: AseSite[] = Array.from({ length: 30 }, (_, i) => {
    const monthly: Record<string, number> = {};
    const start = Math.floor(rand() * 36);
    for (let m = start; m < Math.min(start + 1 + Math.floor(rand() * 12), 48); m++) monthly[`${2021 + Math.floor(m / 12)}-${String(1 + (m % 12)).padStart(2, '0')}`] = 200 + Math.floor(rand() * 2000);
    return { code: i < 27 ? `A${String(101 + i)}` : `ASE-${900 + i}`, name: `${streets[i % streets.length]} near school ${i + 1}`, ward: `${1 + (i % 25)} - Somewhere`, status: i < 27 ? (i % 3 ? 'Historical' : 'Active') : 'Planned', lon: -79.5 + rand() * 0.3, lat: 43.6 + rand() * 0.2, monthly: i < 27 ? monthly : {} };
  });
  return { red, ase };
}
