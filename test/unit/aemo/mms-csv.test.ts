import { describe, expect, it } from 'vitest';
import { parseMms, readMms, truncation } from '../../../producers/aemo/mms-csv.js';
import type { MmsRow } from '../../../producers/aemo/mms-csv.js';
import { onlyCsv, parseZipFixture, readFixture, ZIPS } from './helpers.js';

const scadaText = readFixture('sample_dispatchscada.csv').toString('utf8');
const isText = readFixture('sample_dispatchis.csv').toString('utf8');

const ofTable = (rows: MmsRow[], report: string, subtype: string): MmsRow[] =>
  rows.filter((r) => r.table.report === report && r.table.subtype === subtype);

describe('MMS CSV parser', () => {
  it('parses every fixture with no malformed rows', async () => {
    for (const name of ['sample_dispatchscada.csv', 'sample_dispatchis.csv']) {
      const { summary } = parseMms(readFixture(name));
      expect(summary.malformedCount, name).toBe(0);
    }
    for (const zip of Object.values(ZIPS)) {
      const csvs = await parseZipFixture(zip);
      expect(csvs, zip).toHaveLength(1);
      expect(csvs[0]?.summary.malformedCount, zip).toBe(0);
      expect(csvs[0]?.rows.length, zip).toBeGreaterThan(0);
    }
  });

  it('reads the live SCADA file: 493 UNIT_SCADA rows, by column name, footer matching', () => {
    const { rows, summary } = parseMms(scadaText);
    expect(rows).toHaveLength(493);
    expect(rows.every((r) => r.table.report === 'DISPATCH' && r.table.subtype === 'UNIT_SCADA' && r.table.version === '1')).toBe(true);
    const byDuid = new Map(rows.map((r) => [r.row.DUID, r.row]));
    expect(byDuid.get('BW01')?.SCADAVALUE).toBe('328.166630');
    expect(byDuid.get('ER01')?.SCADAVALUE).toBe('491.889830');
    expect(byDuid.get('HDWF2')?.SCADAVALUE).toBe('76.50');
    expect([...byDuid.keys()].filter((d) => d?.startsWith('DG_')).sort()).toEqual([
      'DG_NSW1', 'DG_QLD1', 'DG_SA1', 'DG_TAS1', 'DG_VIC1',
    ]);
    // Quotes are removed, nothing else changes.
    expect(rows[0]?.row.SETTLEMENTDATE).toBe('2025/12/27 00:05:00');
    expect(rows[0]?.line).toBe(3);
    expect(summary.header?.slice(0, 3)).toEqual(['C', 'NEMP.WORLD', 'DISPATCHSCADA']);
    expect(summary.footerCount).toBe(496);
    expect(summary.lineCount).toBe(496);
    expect(truncation(summary)).toBeNull();
  });

  it('reads the live DISPATCHIS file: PRICE 5 rows, INTERCONNECTORRES 6 rows, footer 985', () => {
    const { rows, summary } = parseMms(isText);
    const prices = ofTable(rows, 'DISPATCH', 'PRICE');
    expect(prices).toHaveLength(5);
    expect(Object.fromEntries(prices.map((r) => [r.row.REGIONID, r.row.RRP]))).toEqual({
      NSW1: '33.51273', QLD1: '34.75', SA1: '0.02331', TAS1: '1.12', VIC1: '-2.69976',
    });
    const flows = ofTable(rows, 'DISPATCH', 'INTERCONNECTORRES');
    expect(flows).toHaveLength(6);
    const vicNsw = flows.find((r) => r.row.INTERCONNECTORID === 'VIC1-NSW1')?.row;
    expect(vicNsw?.METEREDMWFLOW).toBe('1087.51257');
    expect(vicNsw?.MWFLOW).toBe('1110.2242');
    expect(ofTable(rows, 'DISPATCH', 'REGIONSUM')).toHaveLength(5);
    expect(new Set(rows.map((r) => `${r.table.report},${r.table.subtype},${r.table.version}`))).toEqual(
      new Set(['DISPATCH,CASE_SOLUTION,2', 'DISPATCH,LOCAL_PRICE,1', 'DISPATCH,PRICE,5', 'DISPATCH,REGIONSUM,9',
        'DISPATCH,INTERCONNECTORRES,3', 'DISPATCH,CONSTRAINT,5', 'DISPATCH,INTERCONNECTION,1']),
    );
    expect(ofTable(rows, 'DISPATCH', 'CONSTRAINT')).toHaveLength(876);
    expect(summary.footerCount).toBe(985);
    expect(truncation(summary)).toBeNull();
  });

  it('streams the same rows as the whole-text parser', async () => {
    const stream = readMms(Buffer.from(isText));
    const streamed: MmsRow[] = [];
    for await (const row of stream) streamed.push(row);
    expect(streamed).toEqual(parseMms(isText).rows);
    expect(stream.summary).toEqual(parseMms(isText).summary);
  });

  it('reads LF files like CRLF files', () => {
    const lf = parseMms(scadaText.replaceAll('\r\n', '\n'));
    expect(lf.rows).toEqual(parseMms(scadaText).rows);
    expect(truncation(lf.summary)).toBeNull();
  });

  it('keeps commas inside quoted fields', () => {
    const text = [
      'C,NEMP.WORLD,TEST,AEMO,PUBLIC,2025/12/27,00:00:00,1,TEST,1',
      'I,GENCONDATA,,1,GENCONID,DESCRIPTION,LIMITTYPE',
      'D,GENCONDATA,,1,X_1,"Out = line A, line B, or C",LE',
      'C,"END OF REPORT",4',
    ].join('\r\n');
    const { rows, summary } = parseMms(text);
    expect(rows[0]?.row).toEqual({ GENCONID: 'X_1', DESCRIPTION: 'Out = line A, line B, or C', LIMITTYPE: 'LE' });
    expect(rows[0]?.table).toEqual({ report: 'GENCONDATA', subtype: '', version: '1' });
    expect(truncation(summary)).toBeNull();
  });

  it('maps columns by name when the I row order differs (rooftop live vs 2024-08 archive)', async () => {
    const archive = await onlyCsv(ZIPS.rooftopMmsdm);
    const noon = archive.rows.filter((r) => r.row.INTERVAL_DATETIME === '2024/08/01 12:00:00');
    const nsw = noon.find((r) => r.row.REGIONID === 'NSW1' && r.row.TYPE === 'MEASUREMENT')?.row;
    expect(nsw).toEqual({
      INTERVAL_DATETIME: '2024/08/01 12:00:00', REGIONID: 'NSW1', POWER: '2679.055', LASTCHANGED: '2024/08/01 12:19:13',
      TYPE: 'MEASUREMENT', QI: '1',
    });
    const sat = noon.find((r) => r.row.REGIONID === 'SA1' && r.row.TYPE === 'SATELLITE')?.row;
    expect(sat?.QI).toBe('0.6');
    expect(sat?.POWER).toBe('1082.217');
  });

  it('reads the 2024-08 SCADA archive, which has no LASTCHANGED column', async () => {
    const { rows, summary } = await onlyCsv(ZIPS.scadaMmsdm);
    expect(rows).toHaveLength(2880);
    expect(Object.keys(rows[0]?.row ?? {})).toEqual(['SETTLEMENTDATE', 'DUID', 'SCADAVALUE']);
    expect(rows[0]?.row).toEqual({ SETTLEMENTDATE: '2024/08/01 00:05:00', DUID: 'AGLHAL', SCADAVALUE: '0' });
    expect(rows.at(-1)?.row.SETTLEMENTDATE).toBe('2024/09/01 00:00:00');
    expect(new Set(rows.map((r) => r.row.DUID))).toEqual(new Set(['AGLHAL', 'HDWF2']));
    // NEMOSIS kept the original footer count: the truncation check must not be applied to such files.
    expect(summary.footerCount).toBe(4136180);
    expect(truncation(summary)).toMatch(/4136180/);
  });

  it('reads the 2024-08 price and interconnector archives', async () => {
    const price = await onlyCsv(ZIPS.priceMmsdm);
    expect(price.rows).toHaveLength(2880);
    expect(price.rows.filter((r) => r.row.REGIONID === 'NSW1')).toHaveLength(1440);
    expect(price.rows.every((r) => r.row.INTERVENTION === '0')).toBe(true);
    expect(price.rows[0]?.row).toMatchObject({ SETTLEMENTDATE: '2024/08/01 00:05:00', REGIONID: 'NSW1', RRP: '199.99' });
    const ic = await onlyCsv(ZIPS.interconnectorMmsdm);
    expect(ic.rows).toHaveLength(1440);
    expect(ic.rows[0]?.row).toMatchObject({
      SETTLEMENTDATE: '2024/08/01 00:05:00', INTERCONNECTORID: 'VIC1-NSW1', METEREDMWFLOW: '338.52533',
      MWFLOW: '400.92134', MWLOSSES: '22.28013', EXPORTLIMIT: '1160.2152', IMPORTLIMIT: '-522.02497',
    });
  });

  it('reads the Dec 2019 DVD rooftop table: 15,360 MEASUREMENT and 15,360 SATELLITE rows over 10 regions', async () => {
    const { rows, summary } = await onlyCsv(ZIPS.rooftopDvd);
    expect(rows.filter((r) => r.row.TYPE === 'MEASUREMENT')).toHaveLength(15360);
    const sat = rows.filter((r) => r.row.TYPE === 'SATELLITE');
    expect(sat).toHaveLength(15360);
    // PROVENANCE says SATELLITE has QI 0.6; the file itself also has a few 0.3 rows and QI 0 rows with empty POWER.
    const qiCounts = (list: MmsRow[]): Record<string, number> =>
      list.reduce<Record<string, number>>((acc, r) => ({ ...acc, [r.row.QI ?? '']: (acc[r.row.QI ?? ''] ?? 0) + 1 }), {});
    expect(qiCounts(sat)).toEqual({ '0.6': 15339, '0.3': 5, '0': 16 });
    expect(sat.filter((r) => r.row.QI === '0').every((r) => r.row.POWER === '')).toBe(true);
    expect(qiCounts(rows.filter((r) => r.row.TYPE === 'MEASUREMENT'))).toEqual({ '1': 15224, '0.7': 136 });
    expect(new Set(rows.map((r) => r.row.REGIONID))).toEqual(
      new Set(['NSW1', 'QLD1', 'QLDC', 'QLDN', 'QLDS', 'SA1', 'TAS1', 'TASN', 'TASS', 'VIC1']),
    );
    expect(summary.header?.[2]).toBe('DVD_ROOFTOP_PV_ACTUAL');
    expect(truncation(summary)).toBeNull();
  });

  it('reads the LEGACY file, whose tables have an empty subtype', async () => {
    const { rows, summary } = await onlyCsv(ZIPS.legacy);
    const dregion = ofTable(rows, 'DREGION', '');
    expect(dregion).toHaveLength(5);
    expect(dregion[0]?.table).toEqual({ report: 'DREGION', subtype: '', version: '3' });
    expect(Object.fromEntries(dregion.map((r) => [r.row.REGIONID, r.row.RRP]))).toMatchObject({
      NSW1: '88.88002', QLD1: '95.04872', SA1: '99.98',
    });
    expect(dregion[0]?.row.SETTLEMENTDATE).toBe('2024/03/15 19:45:00');
    expect(ofTable(rows, 'DINT', '')).toHaveLength(6);
    expect(ofTable(rows, 'TINT', '')).toHaveLength(6);
    expect(truncation(summary)).toBeNull();
  });

  // Issue 15 #9 and #2: rows with the wrong field count were only logged, bytes that are not UTF-8 became U+FFFD, and a
  // giant field went through whole (to become a Kafka key that hung the producer).
  describe('bad rows', () => {
    const head = 'C,NEMP.WORLD,DISPATCHSCADA,AEMO,PUBLIC,2025/12/27,00:05:14,0000000495867506,DISPATCHSCADA,0000000495867506';
    const iRow = 'I,DISPATCH,UNIT_SCADA,1,SETTLEMENTDATE,DUID,SCADAVALUE,LASTCHANGED';
    const d = (duid: string, extra = ''): string => `D,DISPATCH,UNIT_SCADA,1,"2025/12/27 00:05:00",${duid},1.5,"2025/12/27 00:00:22"${extra}`;

    it('rejects a D row whose field count differs from its I row, with table, line and the raw bytes', () => {
      const text = [head, iRow, d('A'), 'D,DISPATCH,UNIT_SCADA,1,"2025/12/27 00:05:00",B,1.5', d('C', ',surplus'), d('E'), 'C,"END OF REPORT",7', ''].join('\r\n');
      const { rows, summary, rejected } = parseMms(Buffer.from(text));
      expect(rows.map((r) => r.row.DUID)).toEqual(['A', 'E']);
      expect(summary.malformedCount).toBe(2);
      expect(truncation(summary)).toBeNull();
      expect(rejected.map((r) => [r.line, r.reason, r.table?.subtype, r.raw.toString('utf8')])).toEqual([
        [4, '3 fields where the I row of DISPATCH,UNIT_SCADA,1 has 4', 'UNIT_SCADA', 'D,DISPATCH,UNIT_SCADA,1,"2025/12/27 00:05:00",B,1.5'],
        [5, '5 fields where the I row of DISPATCH,UNIT_SCADA,1 has 4', 'UNIT_SCADA', d('C', ',surplus')],
      ]);
    });

    it('rejects a row that is not UTF-8 (Latin-1) with its exact bytes, and decodes real UTF-8', () => {
      const latin1 = Buffer.from(d('CAF\u00c9'), 'latin1'); // 0xC9 alone: not UTF-8
      const bytes = Buffer.concat([Buffer.from(`\ufeff${head}\r\n${iRow}\r\n${d('Z\u00e9')}\r\n`), latin1, Buffer.from('\r\nC,"END OF REPORT",5\r\n')]);
      const { rows, summary, rejected } = parseMms(bytes);
      expect(rows.map((r) => r.row.DUID)).toEqual(['Z\u00e9']);
      expect(summary.header?.[0]).toBe('C');
      expect(truncation(summary)).toBeNull();
      expect(rejected).toEqual([{ line: 4, reason: 'invalid UTF-8 in field 6', table: { report: 'DISPATCH', subtype: 'UNIT_SCADA', version: '1' }, raw: latin1 }]);
      expect(rows.some((r) => Object.values(r.row).some((v) => v.includes('\ufffd')))).toBe(false);
    });

    it('streams the rejected rows when asked, as the whole-file parser returns them', async () => {
      const text = [head, iRow, d('A'), 'D,DISPATCH,UNIT_SCADA,1,x', 'X,what', d('B'), 'C,"END OF REPORT",7', ''].join('\n');
      const stream = readMms(Buffer.from(text), { keepRejected: true });
      const rows: string[] = [];
      for await (const r of stream) rows.push(r.row.DUID ?? '');
      expect(rows).toEqual(['A', 'B']);
      const rejected = stream.takeRejected();
      expect(rejected).toEqual(parseMms(text).rejected);
      expect(rejected.map((r) => [r.line, r.table, r.raw.toString()])).toEqual([
        [4, { report: 'DISPATCH', subtype: 'UNIT_SCADA', version: '1' }, 'D,DISPATCH,UNIT_SCADA,1,x'],
        [5, null, 'X,what'],
      ]);
      expect(stream.takeRejected()).toEqual([]);
    });

    it('refuses a 50 MB field at once instead of yielding it', () => {
      const giant = Buffer.alloc(50 * 1024 * 1024, 'A');
      const bytes = Buffer.concat([Buffer.from(`${head}\r\n${iRow}\r\nD,DISPATCH,UNIT_SCADA,1,"2025/12/27 00:05:00",`), giant, Buffer.from(',1,x\r\nC,"END OF REPORT",4\r\n')]);
      const started = Date.now();
      expect(() => parseMms(bytes)).toThrow(/^MMS CSV unreadable at line 3: .*Max Record Size.*65536/);
      expect(Date.now() - started).toBeLessThan(5000);
    });

    // Issue 11 #5: what the fuzz tests (test/unit/fuzz/) found, pinned as plain cases.
    it('numbers lines by the file: a quoted CRLF is one line break and blank lines count, and raw bytes are exact', async () => {
      const text = [head, iRow, '', d('"A\r\nB"'), '', '', d('C'), 'X,what', 'C,"END OF REPORT",6', ''].join('\r\n');
      const { rows, rejected } = parseMms(Buffer.from(text));
      expect(rows.map((r) => [r.row.DUID, r.line])).toEqual([['A\r\nB', 4], ['C', 8]]);
      expect(rejected.map((r) => [r.line, r.raw.toString('latin1')])).toEqual([[9, 'X,what']]);
      const stream = readMms([...Buffer.from(text)].map((b) => Buffer.from([b])), { keepRejected: true });
      const lines: number[] = [];
      for await (const r of stream) lines.push(r.line);
      expect(lines).toEqual([4, 8]);
      expect(stream.takeRejected().map((r) => [r.line, r.raw.toString('latin1')])).toEqual([[9, 'X,what']]);
    });

    it('rejects a row whose table name is not UTF-8 as of no table, so the producer dead-letters it', () => {
      const bad = Buffer.concat([Buffer.from('D,DISPATCH,UNIT_SCAD'), Buffer.from([0xc1]), Buffer.from(',1,x,y,z,w')]);
      const { rejected } = parseMms(Buffer.concat([Buffer.from(`${head}\r\n${iRow}\r\n`), bad, Buffer.from('\r\nC,"END OF REPORT",4\r\n')]));
      expect(rejected).toEqual([{ line: 3, reason: 'invalid UTF-8 in field 3', table: null, raw: bad }]);
    });

    it('refuses a quote inside an unquoted field as unreadable CSV (it escaped as an unknown error)', () => {
      expect(() => parseMms(Buffer.from(`${head}\r\n${iRow}\r\n${d('A"B')}\r\n`))).toThrow(/^MMS CSV unreadable at line 3: Invalid Opening Quote/);
    });

    it('refuses a record of 64K commas, which no single field makes too long', async () => {
      const commas = `D${','.repeat(100_000)}`;
      expect(() => parseMms(Buffer.from(`${head}\n${commas}\n`))).toThrow(/^MMS CSV unreadable at line 2: a record over the Max Record Size/);
      const read = async (): Promise<void> => {
        for await (const _row of readMms([Buffer.from(`${head}\n`), Buffer.from(commas), Buffer.from('\n')])) void _row;
      };
      await expect(read()).rejects.toThrow(/^MMS CSV unreadable at line 2: a record over the Max Record Size/);
    });

    it('refuses a giant field when streaming too', async () => {
      const read = async (): Promise<number> => {
        let n = 0;
        for await (const _row of readMms([Buffer.from(`${iRow}\nD,DISPATCH,UNIT_SCADA,1,"2025/12/27 00:05:00",`), Buffer.alloc(1024 * 1024, 'A'), Buffer.from(',1,x\n')])) n += 1;
        return n;
      };
      await expect(read()).rejects.toThrow(/MMS CSV unreadable at line 2: .*Max Record Size/);
    });
  });

  describe('truncation', () => {
    const lines = scadaText.split('\r\n');

    it('detects a file cut before its footer', () => {
      const cut = lines.slice(0, 200).join('\r\n') + '\r\n';
      const { rows, summary } = parseMms(cut);
      expect(rows).toHaveLength(198);
      expect(truncation(summary)).toMatch(/no END OF REPORT footer/);
    });

    it('detects a file cut in the middle of a row and does not yield the partial row', () => {
      const cut = scadaText.slice(0, scadaText.indexOf('BW01,328') + 'BW01,32'.length);
      const { rows, summary } = parseMms(cut);
      expect(rows.some((r) => r.row.DUID === 'BW01')).toBe(false);
      expect(summary.malformedCount).toBe(1);
      expect(truncation(summary)).not.toBeNull();
    });

    it('detects missing lines when the footer is present', () => {
      const missing = [...lines.slice(0, 100), ...lines.slice(101)].join('\r\n');
      const { summary } = parseMms(missing);
      expect(truncation(summary)).toBe('END OF REPORT says 496 lines but the file has 495');
    });

    it('throws a clear error on a quote left open', () => {
      const cut = scadaText.slice(0, scadaText.indexOf('"2025/12/27 00:00:22"') + 5);
      expect(() => parseMms(cut)).toThrow(/MMS CSV unreadable at line \d+: .*Quote Not Closed/);
    });

    it('reports D rows that come before their I row', () => {
      const { rows, summary } = parseMms('D,DISPATCH,PRICE,5,x\nC,"END OF REPORT",2\n');
      expect(rows).toHaveLength(0);
      expect(summary.malformed).toEqual([{ line: 1, reason: 'D row for DISPATCH,PRICE,5 before its I row' }]);
    });
  });
});
