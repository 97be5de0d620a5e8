// Pure parsing and normalising of Toronto parking rows: header variants, quirky cells, Toronto local time, encoding
// detection, and whole yearly ZIPs in every variant read to the same tickets (zip -> decode -> CSV -> normalise, no
// services). Property cases (fast-check) for the decoder and the CSV path.
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { columnMap, isHeaderRow, parseTicketDate, rowProblem, type ColumnMap } from '../../../schemas/toronto/parking-rows.js';
import { torontoToUtc } from '../../../schemas/toronto/toronto-time.js';
import { locationKey, normaliseCode, normaliseFine, normaliseTicket, normaliseTime, streetLabel, streetLabelOfAnyText } from '../../../processors/toronto/normalise.js';
import { normaliseChunk } from '../../../processors/toronto/parking.js';
import { decodingStream, sniffEncoding } from '../../../producers/toronto/decode.js';
import { memberChunks } from '../../../producers/toronto/member-chunks.js';
import { zipMembers } from '../../../producers/toronto/zip-members.js';
import { parseYears } from '../../../producers/toronto/ckan.js';
import { BASE_VARIANT, BROKEN_LINES, encodeText, generateYear, renderRow, VARIANTS, type TicketRow } from '../../../devkit/toronto/tickets.js';
import { tempDir, writeYearZip } from '../../../devkit/toronto/years.js';
import type { ParkingRowChunk, ParkingTicket } from '../../../schemas/toronto/records.gen.js';

const map = (header: string[]): ColumnMap => {
  const m = columnMap(header);
  if ('error' in m) throw new Error(m.error);
  return m.map;
};

describe('headers', () => {
  it('reads every published spelling to the same columns', () => {
    const want = map(['tag_number_masked', 'date_of_infraction', 'infraction_code', 'infraction_description', 'set_fine_amount', 'time_of_infraction', 'location1', 'location2', 'location3', 'location4', 'province']);
    for (const h of [
      ['\ufeffticket_number', 'date_of_infraction', 'infraction_code', 'infraction_description', 'set_fine_amount', 'time_of_infraction', 'location1', 'location2', 'location3', 'location4', 'province'],
      ['tagnumbermasked', 'dateofinfraction', 'infractioncode', 'infractiondescription', 'setfineamount', 'timeofinfraction', 'location1', 'location2', 'location3', 'location4', 'province'],
      ['TAG_NUMBER_MASKED', 'DATE_OF_INFRACTION', 'INFRACTION_CODE', 'INFRACTION_DESCRIPTION', 'SET_FINE_AMOUNT', 'TIME_OF_INFRACTION', 'LOCATION1', 'LOCATION2', 'LOCATION3', 'LOCATION4', 'PROVINCE'],
    ])
      expect(map(h)).toEqual(want);
    expect(columnMap(['a', 'b'])).toHaveProperty('error');
    expect(isHeaderRow(['tag_number_masked', 'date_of_infraction', 'x'], want)).toBe(true);
    expect(isHeaderRow(['***1', '20080101'], want)).toBe(false);
  });
});

describe('cells', () => {
  it('times lost their leading zeros or became floats', () => {
    expect(['0035', '35', '35.0', '1', '1.0', '2359', ' 945 '].map(normaliseTime)).toEqual(['00:35', '00:35', '00:35', '00:01', '00:01', '23:59', '09:45']);
    expect(['', '2460', '2400', 'abc', '12345'].map(normaliseTime)).toEqual([null, null, null, null, null]);
  });
  it('codes and fines written as floats', () => {
    expect(['29', '29.0', ' 5.00 ', '', 'x', '1.5'].map(normaliseCode)).toEqual([29, 29, 5, null, null, null]);
    expect(['30', '30.0', '30.50', '$450', '', 'n/a', '007'].map(normaliseFine)).toEqual(['30', '30', '30.5', '450', null, null, '7']);
  });
  it('dates in the three formats, impossible ones refused', () => {
    expect(['20080627', '2008-06-27', '2008/06/27', '20080627.0'].map(parseTicketDate)).toEqual(['2008-06-27', '2008-06-27', '2008-06-27', '2008-06-27']);
    expect(['20081345', '2008-02-30', '', '27/06/2008'].map(parseTicketDate)).toEqual([null, null, null, null]);
  });
  it('location keys and street labels', () => {
    expect(locationKey('  2075 bayview  av ')).toBe('2075 BAYVIEW AV');
    expect(locationKey('nan')).toBeNull();
    expect(streetLabel('1095 ST CLAIR AVE W')).toBe('ST CLAIR AVE W');
    expect(streetLabel('2075-2079 BAYVIEW AVE NB')).toBe('BAYVIEW AVE');
    expect(streetLabel('YONGE ST SB')).toBe('YONGE ST');
    expect(streetLabel('')).toBe(null);
    expect(streetLabel('123')).toBe(null);
    expect(streetLabel('QUEEN ST W')).toBe('QUEEN ST W');
  });
  it('Toronto wall-clock time to UTC across both clock changes', () => {
    const iso = (d: string, h: number, m: number) => new Date(torontoToUtc(d, h, m)).toISOString();
    expect(iso('2016-01-15', 0, 0)).toBe('2016-01-15T05:00:00.000Z');
    expect(iso('2016-07-01', 12, 30)).toBe('2016-07-01T16:30:00.000Z');
    expect(iso('2016-03-13', 1, 59)).toBe('2016-03-13T06:59:00.000Z'); // EST, the last minute before the change
    expect(iso('2016-03-13', 3, 0)).toBe('2016-03-13T07:00:00.000Z'); // EDT
    expect(iso('2016-03-13', 2, 30)).toBe('2016-03-13T07:30:00.000Z'); // in the gap: read as EST
    expect(iso('2016-11-06', 1, 30)).toBe('2016-11-06T05:30:00.000Z'); // ambiguous: the earlier (EDT)
  });
  it('a ticket: the spec row, with its hash over the normalised fields', () => {
    const h = map(['tag_number_masked', 'date_of_infraction', 'infraction_code', 'infraction_description', 'set_fine_amount', 'time_of_infraction', 'location1', 'location2', 'location3', 'location4', 'province']);
    const a = normaliseTicket('***92318,20170101,5.0,PARK-SIGNED HWY-PROHIBIT DY/TM,50,1.0,N/S,MAPLEWOOD AVE,W/O,VAUGHAN RD,ON'.split(','), h, 2);
    const b = normaliseTicket('***92318,2017-01-01,5,PARK-SIGNED HWY-PROHIBIT DY/TM,50.0,0001,N/S,MAPLEWOOD AVE,W/O,VAUGHAN RD,ON'.split(','), h, 9);
    expect(a).toMatchObject({ date_of_infraction: '2017-01-01', time_of_infraction: '00:01', infraction_code: 5, set_fine_amount: '50', location: 'MAPLEWOOD AVE', street: 'MAPLEWOOD AVE' });
    expect(a.ticket_hash).toBe(b.ticket_hash);
    expect(rowProblem(['x'], 11, h)).toMatch(/1 fields/);
    const row = (tag: string, date: string) => [tag, date, '5', 'X', '50', '0001', 'N/S', 'A ST', '', '', 'ON'];
    // The same texts asked twice (dates are remembered per text): the same answers.
    for (let i = 0; i < 2; i++) {
      expect(rowProblem(row('***1', '20170101'), 11, h)).toBe(null);
      expect(rowProblem(row('***1', '2017-02-30'), 11, h)).toMatch(/unreadable date/);
      expect(rowProblem(row('NaN', '20170101'), 11, h)).toBe('no tag number');
      expect(rowProblem(row(' ', '20170101'), 11, h)).toBe('no tag number');
      expect(rowProblem(row('NAN1', '20170101'), 11, h)).toBe(null);
    }
  });
  it('years: ranges and lists', () => {
    expect(parseYears('2008-2010,2015,2009')).toEqual([2008, 2009, 2010, 2015]);
    expect(() => parseYears('2010-2008')).toThrow(/backwards/);
    expect(() => parseYears('20x8')).toThrow(/not a year/);
  });
});

describe('encodings', () => {
  const text = 'tag_number_masked,location2\r\n***1,RUE SAINT-ÉTIENNE\r\n';
  it('sniffs BOMs, BOM-less UTF-16, UTF-8 and cp1252', () => {
    expect(sniffEncoding(encodeText(text, 'utf8'), true)).toBe('utf8');
    expect(sniffEncoding(encodeText(text, 'utf8-bom'), true)).toBe('utf8-bom');
    expect(sniffEncoding(encodeText(text, 'utf16le'), true)).toBe('utf16le');
    expect(sniffEncoding(encodeText(text, 'utf16be'), true)).toBe('utf16be');
    expect(sniffEncoding(encodeText(text, 'utf16le').subarray(2), true)).toBe('utf16le');
    expect(sniffEncoding(encodeText(text, 'cp1252'), true)).toBe('cp1252');
  });

  const decode = async (bytes: Buffer, pieces: number) => {
    const size = Math.max(1, Math.ceil(bytes.length / pieces));
    const parts = Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size));
    let s = '';
    for await (const c of Readable.from(parts).pipe(decodingStream(() => undefined))) s += String(c);
    return s;
  };

  it('property: any text decodes back from every encoding, however the bytes are split', async () => {
    // cp1252 only holds its own repertoire: Latin-1 printable text.
    const latin = fc.string({ unit: fc.constantFrom(...'abcXYZ019 ,"-/éÉèàçôÖ€'.split('')), maxLength: 300 });
    const any = fc.string({ unit: 'grapheme', maxLength: 200 }).filter((s) => !s.startsWith('\ufeff') && !s.includes('\u0000'));
    await fc.assert(
      fc.asyncProperty(any, fc.integer({ min: 1, max: 9 }), fc.constantFrom('utf8-bom', 'utf16le', 'utf16be') as fc.Arbitrary<'utf8-bom' | 'utf16le' | 'utf16be'>, async (s, pieces, enc) => {
        const t = `x,${s}`; // never starts with bytes that look like a BOM or NULs
        expect(await decode(encodeText(t, enc), pieces)).toBe(t);
      }),
      { numRuns: 300 },
    );
    await fc.assert(
      fc.asyncProperty(latin, fc.integer({ min: 1, max: 9 }), async (s, pieces) => {
        const t = `x,${s}`;
        // The same text as cp1252 and as BOM-less UTF-8: each is told apart and decodes back.
        expect(await decode(encodeText(t, 'cp1252'), pieces)).toBe(t);
        expect(await decode(encodeText(t, 'utf8'), pieces)).toBe(t);
      }),
      { numRuns: 300 },
    );
  });

  it('property: generated rows with any text in their cells parse back to their fields', async () => {
    const cell = fc.string({ unit: fc.constantFrom(...'ab ,"\'-/ÉX1'.split('')), maxLength: 20 });
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(cell, cell), { minLength: 1, maxLength: 30 }), async (cells) => {
        const rows: TicketRow[] = cells.map(([d, l], i) => ({ tag: `***${i}`, date: '20160101', code: 1, description: d, fine: 30, time: '0101', location1: 'NR', location2: l, location3: '', location4: '', province: 'ON' }));
        const text = ['tag_number_masked,date_of_infraction,infraction_code,infraction_description,set_fine_amount,time_of_infraction,location1,location2,location3,location4,province', ...rows.map((r) => renderRow(r, BASE_VARIANT))].join('\r\n');
        const got: string[][] = [];
        for await (const c of memberChunks(Readable.from([encodeText(text, 'utf8')]), { rowsPerChunk: 7 })) {
          if (c.kind === 'dead') throw new Error(c.reason);
          got.push(...c.rows);
        }
        // Blank lines are skipped, so rows whose cells are all blank cannot vanish: each has a tag.
        expect(got.map((r) => [r[3], r[7]])).toEqual(cells);
      }),
      { numRuns: 200 },
    );
  });
});

/** Every ticket of a ZIP, read the way the source and the processor do, in line order of their members. */
async function ticketsOf(path: string): Promise<{ tickets: ParkingTicket[]; dead: { line: number; reason: string }[] }> {
  const tickets: ParkingTicket[] = [];
  const dead: { line: number; reason: string }[] = [];
  for await (const m of zipMembers(path)) {
    for await (const c of memberChunks(await m.open(), { rowsPerChunk: 500 })) {
      if (c.kind === 'dead') {
        dead.push({ line: c.line, reason: c.reason });
        continue;
      }
      const value: ParkingRowChunk = { resource_id: 'r', year: 2016, content_hash: 'h', file: m.name, encoding: c.encoding, header: c.header, first_line: c.firstLine, last_line: c.lastLine, lines: c.lines, rows: c.rows, final: false };
      const out = normaliseChunk({ topic: 't', partition: 0, offset: '0', key: null, value, timestamp: 0, headers: {} });
      if ('reject' in out) throw new Error(out.reject);
      tickets.push(...out[0]!.value.tickets);
    }
  }
  return { tickets, dead };
}

describe('a yearly ZIP in every variant', () => {
  it('reads to the same tickets (line numbers aside) and the same dead letters', async () => {
    const rows = [...generateYear(2016, 3000, 42)];
    const dir = await tempDir();
    let want: string[] | undefined;
    for (const v of VARIANTS) {
      const zip = await writeYearZip(dir, 2016, () => rows, rows.length, v, { duplicates: 3, broken: true });
      const { tickets, dead } = await ticketsOf(zip.path);
      expect(tickets).toHaveLength(rows.length + 3);
      expect(dead.map((d) => d.reason)).toEqual([expect.stringMatching(/5 fields/), 'no tag number', expect.stringMatching(/unreadable date/)]);
      expect(dead).toHaveLength(BROKEN_LINES.length);
      const got = tickets.map(({ line: _line, date_text: _d, time_text: _t, ...t }) => JSON.stringify(t)).sort();
      want ??= got;
      expect(got, JSON.stringify(v)).toEqual(want);
    }
    expect(new Set(want!.map((t) => (JSON.parse(t) as ParkingTicket).ticket_hash)).size).toBe(new Set(rows.map((r) => renderRow(r, BASE_VARIANT))).size);
  });
});

describe('streetLabel', () => {
  it('gives what the general path gives, for raw text and for location keys alike', () => {
    const parts = ['1095', '12-14', '-', ' ', '  ', '\t', '\u00a0', 'NB', 'SB', 'EB', 'WB', 'NBX', 'QUEEN', 'ST', 'W', 'É', 'ST.', '0', '9A'];
    let seed = 7;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % parts.length;
    for (let i = 0; i < 20_000; i++) {
      const n = 1 + (i % 6);
      let text = '';
      for (let j = 0; j < n; j++) text += (j && i % 3 ? ' ' : '') + parts[next()];
      expect(streetLabel(text)).toBe(streetLabelOfAnyText(text));
      const key = locationKey(text);
      expect(streetLabel(key)).toBe(key === null ? null : streetLabelOfAnyText(key));
    }
  });
});
