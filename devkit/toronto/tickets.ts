// Generated parking-ticket rows in the City's raw format (shared/specs/civic.md §2) and their renderings in every
// published variant: encodings (UTF-8, UTF-8 BOM, UTF-16 LE/BE with BOM, cp1252), header spellings, codes and fines
// as floats (`29.0`), times that lost their leading zeros, the three date formats, split members each with a header,
// and members concatenated with their headers repeated inside. The same tickets rendered any way must load to the
// same rows.
import iconv from 'iconv-lite';
import { mulberry32 } from '../random.js';

export interface TicketRow {
  tag: string;
  date: string; // YYYYMMDD
  code: number | null;
  description: string;
  fine: number | null;
  time: string; // HHMM, '' for blank
  location1: string;
  location2: string;
  location3: string;
  location4: string;
  province: string;
}

export type Encoding = 'utf8' | 'utf8-bom' | 'utf16le' | 'utf16be' | 'cp1252';
export type HeaderStyle = 'underscored' | 'ticket_number' | 'squashed' | 'upper';

export interface Variant {
  encoding: Encoding;
  header: HeaderStyle;
  /** Codes, fines and times written as floats (`29.0`, `1.0`), as after a pandas round trip. */
  floats: boolean;
  /** Leading zeros of HHMM dropped (`0035` -> `35`). */
  unpaddedTimes: boolean;
  dateFormat: 'compact' | 'dashes' | 'slashes';
  /** Members the rows are split over (`Parking_Tags_Data_YYYY_1.csv`...), or numeric split parts (`.000`). */
  members: number;
  memberNaming: 'csv' | 'numeric';
  /** One extra member concatenated from two with their headers (a header line inside the data). */
  repeatedHeader: boolean;
}

export const BASE_VARIANT: Variant = { encoding: 'utf8', header: 'underscored', floats: false, unpaddedTimes: false, dateFormat: 'compact', members: 1, memberNaming: 'csv', repeatedHeader: false };

/** Every quirk at least once: the variants a "lands identically" check loads. */
export const VARIANTS: Variant[] = [
  BASE_VARIANT,
  { ...BASE_VARIANT, encoding: 'utf8-bom', header: 'ticket_number', members: 3 },
  { ...BASE_VARIANT, encoding: 'utf16le', header: 'squashed', floats: true, dateFormat: 'dashes' },
  { ...BASE_VARIANT, encoding: 'utf16be', header: 'upper', unpaddedTimes: true, members: 2, memberNaming: 'numeric' },
  { ...BASE_VARIANT, encoding: 'cp1252', floats: true, unpaddedTimes: true, dateFormat: 'slashes', repeatedHeader: true, members: 2 },
];

const HEADERS: Record<HeaderStyle, string[]> = {
  underscored: ['tag_number_masked', 'date_of_infraction', 'infraction_code', 'infraction_description', 'set_fine_amount', 'time_of_infraction', 'location1', 'location2', 'location3', 'location4', 'province'],
  ticket_number: ['ticket_number', 'date_of_infraction', 'infraction_code', 'infraction_description', 'set_fine_amount', 'time_of_infraction', 'location1', 'location2', 'location3', 'location4', 'province'],
  squashed: ['tagnumbermasked', 'dateofinfraction', 'infractioncode', 'infractiondescription', 'setfineamount', 'timeofinfraction', 'location1', 'location2', 'location3', 'location4', 'province'],
  upper: ['TAG_NUMBER_MASKED', 'DATE_OF_INFRACTION', 'INFRACTION_CODE', 'INFRACTION_DESCRIPTION', 'SET_FINE_AMOUNT', 'TIME_OF_INFRACTION', 'LOCATION1', 'LOCATION2', 'LOCATION3', 'LOCATION4', 'PROVINCE'],
};

const csvField = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

export function renderRow(r: TicketRow, v: Variant): string {
  const d = r.date;
  const date = v.dateFormat === 'compact' ? d : `${d.slice(0, 4)}${v.dateFormat === 'dashes' ? '-' : '/'}${d.slice(4, 6)}${v.dateFormat === 'dashes' ? '-' : '/'}${d.slice(6)}`;
  let time = r.time;
  if (time && v.unpaddedTimes) time = String(Number(time));
  if (time && v.floats) time = `${Number(time)}.0`;
  const num = (n: number | null) => (n === null ? '' : v.floats ? `${n}.0` : String(n));
  return [r.tag, date, num(r.code), r.description, num(r.fine), time, r.location1, r.location2, r.location3, r.location4, r.province].map(csvField).join(',');
}

export const headerLine = (v: Variant) => HEADERS[v.header].join(',');

export function encodeText(text: string, e: Encoding): Buffer {
  switch (e) {
    case 'utf8':
      return Buffer.from(text, 'utf8');
    case 'utf8-bom':
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
    case 'utf16le':
      return Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(text, 'utf16le')]);
    case 'utf16be':
      return Buffer.concat([Buffer.from([0xfe, 0xff]), iconv.encode(text, 'utf16be')]);
    case 'cp1252':
      return iconv.encode(text, 'win1252');
  }
}

export const memberName = (year: number, v: Variant, i: number): string =>
  v.memberNaming === 'numeric' ? `Parking_Tags_Data_${year}.${String(i).padStart(3, '0')}` : v.members === 1 ? `Parking_Tags_Data_${year}.csv` : `Parking_Tags_Data_${year}_${i + 1}.csv`;

/**
 * The members of a year's ZIP for rows (an iterable that may be a generator of millions) in a variant, each as an
 * iterable of encoded chunks of ~256 KB. Rows go round-robin in blocks to the members; with `repeatedHeader` the
 * first member gets the header again half-way.
 */
export function renderMembers(year: number, rows: () => Iterable<string>, count: number, v: Variant): { name: string; chunks: Iterable<Buffer> }[] {
  const perMember = Math.ceil(count / v.members);
  return Array.from({ length: v.members }, (_, m) => ({
    name: memberName(year, v, m),
    chunks: (function* () {
      let text = headerLine(v) + '\r\n';
      let i = 0;
      let bomDone = false;
      const emit = (t: string) => {
        // The BOM (if any) belongs at the very start of the member only.
        const b = encodeText(t, bomDone ? (v.encoding === 'utf8-bom' ? 'utf8' : v.encoding) : v.encoding);
        if (!bomDone) {
          bomDone = true;
          return b;
        }
        return v.encoding === 'utf16le' || v.encoding === 'utf16be' ? b.subarray(2) : b;
      };
      for (const line of rows()) {
        if (i >= m * perMember && i < (m + 1) * perMember) {
          text += line + '\r\n';
          if (v.repeatedHeader && m === 0 && i === Math.floor(perMember / 2)) text += headerLine(v) + '\r\n';
          if (text.length > 256 * 1024) {
            yield emit(text);
            text = '';
          }
        }
        i++;
        if (i >= (m + 1) * perMember) break;
      }
      if (text) yield emit(text);
    })(),
  }));
}

// ---- generated tickets ----

/** The devkit's seeded generator, under the name this module's users know. */
export { mulberry32 as prng } from '../random.js';

const INFRACTIONS: [number, string, number][] = [
  [5, 'PARK-HWY DRNG PROH TIMES/DAYS', 30],
  [29, 'PARK PROHIBITED TIME NO PERMIT', 30],
  [1, 'PARK FAIL TO DEPOSIT FEE METER', 30],
  [3, 'PARK-SIGNED HWY-PROHIBIT DY/TM', 50],
  [207, 'PARK MACHINE-REQD FEE NOT PAID', 30],
  [210, 'PARK - FAIL TO DISPLAY RECEIPT', 30],
  [9, 'STOP-SIGNED HWY-PROH TM/DY WKD', 60],
  [15, 'PARK-WITHIN 3M OF FIRE HYDRANT', 100],
  [403, 'STOP-SIGNED HIGHWAY-RUSH HOUR', 150],
  [355, 'PARK-ON PRIVATE PROPERTY', 30],
  [347, 'PARK IN A FIRE ROUTE', 250],
  [363, 'PARK-DISABLED NO PERMIT', 450],
];
const STREETS = ['ST CLAIR AVE W', 'HOGARTH AVE', 'BAYVIEW AVE', 'QUEEN ST W', 'KING ST E', 'YONGE ST', 'BLOOR ST W', 'DUNDAS ST W', 'SPADINA AVE', 'COLLEGE ST', 'RUE SAINT-ÉTIENNE', 'MAPLEWOOD AVE', 'DANFORTH AVE'];
const PROXIMITY = ['NR', 'OPP', 'AT', 'N/S', 'S/S', 'E/S', 'W/S'];
const PROVINCES = ['ON', 'ON', 'ON', 'ON', 'QC', 'NY', 'MI'];

/** One ticket row of `year`: real-looking codes, fines and streets; some times blank, some fines blank, some NB/SB. */
export function generateTicket(year: number, rand: () => number, i: number): TicketRow {
  const [code, description, fine] = INFRACTIONS[Math.floor(rand() * INFRACTIONS.length)]!;
  const day = 1 + Math.floor(rand() * 365);
  const d = new Date(Date.UTC(year, 0, day));
  const date = `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCDate()).padStart(2, '0')}`;
  const hhmm = rand() < 0.01 ? '' : `${String(Math.floor(rand() * 24)).padStart(2, '0')}${String(Math.floor(rand() * 60)).padStart(2, '0')}`;
  const street = STREETS[Math.floor(rand() * STREETS.length)]!;
  const house = 1 + Math.floor(rand() * 3000);
  const dir = rand() < 0.05 ? ` ${['NB', 'SB', 'EB', 'WB'][Math.floor(rand() * 4)]}` : '';
  const second = rand() < 0.3;
  return {
    tag: `***${String((i * 7919 + 13) % 100000).padStart(5, '0')}`,
    date: d.getUTCFullYear() === year ? date : `${year}0101`,
    code,
    description,
    fine: rand() < 0.002 ? null : fine,
    time: hhmm,
    location1: PROXIMITY[Math.floor(rand() * PROXIMITY.length)]!,
    location2: second ? street + dir : `${house} ${street}${dir}`,
    location3: second ? 'W/O' : '',
    location4: second ? STREETS[Math.floor(rand() * STREETS.length)]! : '',
    province: PROVINCES[Math.floor(rand() * PROVINCES.length)]!,
  };
}

/** `count` generated tickets of a year (deterministic per seed), plus the real example rows of the spec. */
export function* generateYear(year: number, count: number, seed = year): Generator<TicketRow> {
  const rand = mulberry32(seed);
  for (let i = 0; i < count; i++) yield generateTicket(year, rand, i);
}

/** Lines that are broken on purpose: a short row, a row without a tag, one with an unreadable date. */
export const BROKEN_LINES = ['***99999,20080627,5,PARK-HWY DRNG PROH TIMES/DAYS,30', ',20080627,5,PARK-HWY DRNG PROH TIMES/DAYS,30,0035,NR,1095 ST CLAIR AVE W,,,ON', '***99998,2008-13-45,5,X,30,0035,NR,1 A ST,,,ON'];
