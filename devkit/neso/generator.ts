// A generated Capacity Market Register in the real CKAN shape, for the demo, the views tests and the bench (which
// must not depend on ../shared). Half the CMUs use the 2025 datastore spellings ("De-Rated Capacity", "Connection /
// DSR Capacity", Delivery Year as a number), half the 2026 ones ("De Rated Capacity", "Connection or DSR Capacity",
// Delivery Year as "2024/2025" or "2024-25" text); values include "N/A", "TBC", blanks, "'"-guarded phone numbers and
// post-2026 "AggregatedComponent" rows. Deterministic for a given seed.
import type { CkanRow } from './ckan-double.js';
import { mulberry32 } from '../random.js';

const COMPANIES = ['Acme Storage Ltd', 'Northern Peaking Power Ltd', 'Thames Flex Ltd', 'Highland Hydro plc', 'Severn Gas Turbines Ltd', 'Kelvin DSR Services', 'Brightwell Energy Ltd', 'Fenland Biomass Ltd', 'Coastal Wind Ltd', 'Urban Waste Power Ltd'];
const TECHNOLOGIES = ['Storage (Duration 2h)', 'OCGT and Reciprocating Engines (Fuel Type - Gas)', 'DSR', 'Hydro', 'CHP and autogeneration', 'Energy from Waste', 'Biomass', 'Offshore Wind', 'Solar Photovoltaic', 'Storage - Battery'];
const OUTWARD = ['AB10', 'BS6', 'CA15', 'CF10', 'DD1', 'EH3', 'G2', 'HU17', 'IP9', 'KY14', 'LS1', 'M1', 'MK44', 'NE1', 'NG34', 'PA3', 'PR9', 'S1', 'SO14', 'TR1', 'YO8'];
const TOWNS = ['Land north of the A1, near Selby', 'Grid site, Peterhead', 'Industrial estate, Port Talbot', 'Former colliery, Barnsley'];
const INWARD_LETTERS = 'ABDEFGHJLNPQRSTUWXYZ';
const AUCTIONS: [string, string, number][] = [
  ['2024-25 (T-4) Four Year Ahead Capacity Auction', 'T-4', 2024],
  ['2025-26 (T-4) Four Year Ahead Capacity Auction', 'T-4', 2025],
  ['2026-27 (T-1) One Year Ahead Capacity Auction', 'T-1', 2026],
];

export interface GeneratedRegister {
  register: CkanRow[];
  components: CkanRow[];
}

export function generateRegister(o: { cmus: number; componentsPerCmu?: number; seed?: number }): GeneratedRegister {
  const rnd = mulberry32(o.seed ?? 42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const register: CkanRow[] = [];
  const components: CkanRow[] = [];
  for (let i = 0; i < o.cmus; i++) {
    const old = i % 2 === 0; // 2025 spellings on even CMUs, 2026 on odd
    const cmuId = `G${String(i).padStart(5, '0')}`;
    const [auction, type, year] = AUCTIONS[i % AUCTIONS.length]!;
    const tech = TECHNOLOGIES[i % TECHNOLOGIES.length]!;
    const company = COMPANIES[Math.floor(i / 3) % COMPANIES.length]!;
    const derated = rnd() < 0.08 ? pick(['N/A', 'TBC']) : (rnd() * 50).toFixed(3);
    const connection = rnd() < 0.05 ? 'TBC' : (rnd() * 60).toFixed(2);
    const yearText = old ? year : pick([`${year}/${year + 1}`, `${year}-${String((year + 1) % 100).padStart(2, '0')}`, String(year)]);
    register.push({
      'Auction Name': auction,
      'Application ID': `A-${type}-${year}-${cmuId}-00001`,
      'CMU ID': cmuId,
      Type: type,
      'Delivery Year': yearText,
      'Name of Applicant': company,
      'CM Unit Name': `${company.split(' ')[0]} unit ${i}`,
      'Parent Company': i % 4 === 0 ? `${company} Holdings` : null,
      'Primary Fuel Type': null,
      'CMU Technology': tech,
      'Secondary Trading Contact_Telephone': `'+44${String(1000000000 + i)}`,
      [old ? 'Connection / DSR Capacity' : 'Connection or DSR Capacity']: connection,
      [old ? 'De-Rated Capacity' : 'De Rated Capacity']: derated,
      [old ? 'Anticipated De-Rated Capacity' : 'Anticipated De Rated Capacity']: '',
      'Capacity Agreement Awarded': 'Yes',
      'Has Capacity Agreement been Suspended': i % 50 === 7 ? 'Yes - Suspended' : 'No',
    });
    const n = o.componentsPerCmu ?? 3;
    for (let k = 0; k < n; k++) {
      const aggregated = !old && k === 0 && i % 10 === 1;
      const location = aggregated
        ? 'Aggregated'
        : rnd() < 0.1
          ? `${pick(TOWNS)}, ${cmuId}`
          : `Site ${k + 1}, ${pick(TOWNS).split(',')[0]}, ${pick(OUTWARD)} ${1 + Math.floor(rnd() * 9)}${pick(INWARD_LETTERS.split(''))}${pick(INWARD_LETTERS.split(''))}`;
      components.push({
        'Auction Name': auction,
        ...(old ? {} : { 'Application ID': `A-${type}-${year}-${cmuId}-00001` }),
        'CMU ID': cmuId,
        'Component ID': aggregated ? `${cmuId} - AggregatedComponent - ${tech}` : `${cmuId}C${k}`,
        Type: type,
        'Delivery Year': old ? year : String(year),
        'Generating Technology Class': tech,
        [old ? 'Permitted on-Site Generating Unit' : 'Permitted On Site Generating Unit']: null,
        'Primary Fuel of Component': null,
        [old ? 'Connection / DSR Capacity' : 'Connection or DSR Capacity']: connection,
        [old ? 'De-Rated Capacity' : 'De Rated Capacity']: derated === 'N/A' || derated === 'TBC' ? derated : (Number(derated) / n).toFixed(3),
        'Description of CMU Components': `${tech} component ${k + 1}`,
        'Location and Post Code': location,
        'OS Grid Reference': null,
        ...(old ? {} : { 'Number of Components': '1' }),
      });
    }
  }
  return { register, components };
}
