import { describe, expect, it } from 'vitest';
import {
  archiveUrl, chooseArchive, currentDirUrl, datasetOf, intervalOf, mmsdmFileName, mmsdmUrl, mmsdmUrls, parseFileName,
  rooftopWeekStart,
} from '../../../producers/aemo/files.js';
import { nemToUtc } from '../../../schemas/aemo/nem-time.js';
import { ZIPS } from './helpers.js';

describe('file names', () => {
  it('knows the dataset of live, archive and MMSDM names', () => {
    expect(datasetOf('PUBLIC_DISPATCHSCADA_202512270005_0000000495867506.zip')).toBe('scada');
    expect(datasetOf('PUBLIC_DISPATCHSCADA_202512270005_0000000495867506.CSV')).toBe('scada');
    expect(datasetOf('PUBLIC_DISPATCHIS_202512270005_0000000495867510.zip')).toBe('dispatchis');
    expect(datasetOf('PUBLIC_ROOFTOP_PV_ACTUAL_MEASUREMENT_20240303200000_0000000412345678.zip')).toBe('rooftop');
    expect(datasetOf('PUBLIC_ROOFTOP_PV_ACTUAL_SATELLITE_20240303200000_0000000412345678.zip')).toBe('rooftop');
    expect(datasetOf('PUBLIC_DISPATCHSCADA_20251227.zip')).toBe('scada');
    expect(datasetOf(ZIPS.scadaMmsdm)).toBe('scada');
    expect(datasetOf(ZIPS.priceMmsdm)).toBe('dispatchis');
    expect(datasetOf(ZIPS.interconnectorMmsdm)).toBe('dispatchis');
    expect(datasetOf('PUBLIC_ARCHIVE#ROOFTOP_PV_ACTUAL#FILE01#202408010000.CSV')).toBe('rooftop');
    expect(datasetOf(ZIPS.rooftopDvd)).toBe('rooftop');
    expect(datasetOf(ZIPS.legacy)).toBeNull();
    expect(datasetOf('PUBLIC_TRADINGIS_202403120535_0000000413460134.zip')).toBeNull();
  });

  it('reads the interval END from 5-minute names (NEM time)', () => {
    expect(intervalOf('PUBLIC_DISPATCHSCADA_202512270005_0000000495867506.zip')).toEqual({
      nem: '2025-12-27T00:05:00',
      utc: Date.parse('2025-12-26T14:05:00Z'),
    });
  });

  it('reads the rooftop publish stamp, 30 min after the interval it holds', () => {
    const f = parseFileName('PUBLIC_ROOFTOP_PV_ACTUAL_MEASUREMENT_20240303200000_0000000412345678.zip');
    expect(f?.stamp.nem).toBe('2024-03-03T20:00:00');
    expect(f?.interval?.nem).toBe('2024-03-03T19:30:00');
    expect(f?.rooftopType).toBe('MEASUREMENT');
  });

  it('parses MMSDM names in all three spellings of #', () => {
    for (const name of [ZIPS.priceMmsdm, 'PUBLIC_ARCHIVE#DISPATCHPRICE#FILE01#202408010000.zip',
      'PUBLIC_ARCHIVE%2523DISPATCHPRICE%2523FILE01%2523202408010000.zip']) {
      expect(parseFileName(name), name).toMatchObject({ dataset: 'dispatchis', kind: 'mmsdm', table: 'DISPATCHPRICE', part: 1 });
    }
    expect(parseFileName(ZIPS.rooftopDvd)).toMatchObject({ kind: 'mmsdm', table: 'ROOFTOP_PV_ACTUAL', stamp: { nem: '2019-12-01T00:00:00' } });
  });

  it('rejects impossible dates in names', () => {
    expect(parseFileName('PUBLIC_DISPATCHSCADA_202502300005_0000000495867506.zip')).toBeNull();
  });
});

describe('URLs', () => {
  it('builds Current dirs', () => {
    expect(currentDirUrl('scada')).toBe('https://nemweb.com.au/Reports/Current/Dispatch_SCADA/');
    expect(currentDirUrl('dispatchis')).toBe('https://nemweb.com.au/Reports/Current/DispatchIS_Reports/');
    expect(currentDirUrl('rooftop')).toBe('https://nemweb.com.au/Reports/Current/ROOFTOP_PV/ACTUAL/');
  });

  it('builds daily archive URLs', () => {
    expect(archiveUrl('scada', '2025-12-27')).toBe(
      'https://nemweb.com.au/Reports/Archive/Dispatch_SCADA/PUBLIC_DISPATCHSCADA_20251227.zip',
    );
    expect(archiveUrl('dispatchis', '2025-12-27')).toBe(
      'https://nemweb.com.au/Reports/Archive/DispatchIS_Reports/PUBLIC_DISPATCHIS_20251227.zip',
    );
  });

  it('builds weekly rooftop archive URLs named after the Thursday', () => {
    // 2024-03-07 is a Thursday.
    expect(rooftopWeekStart('2024-03-07')).toBe('2024-03-07');
    expect(rooftopWeekStart('2024-03-13')).toBe('2024-03-07');
    expect(rooftopWeekStart('2024-03-06')).toBe('2024-02-29');
    expect(archiveUrl('rooftop', '2024-03-10')).toBe(
      'https://nemweb.com.au/Reports/Archive/ROOFTOP_PV/ACTUAL/PUBLIC_ROOFTOP_PV_ACTUAL_MEASUREMENT_20240307.zip',
    );
  });

  it('writes # as %2523 in post-2024-08 MMSDM URLs', () => {
    expect(mmsdmUrl('DISPATCH_UNIT_SCADA', '2024-08')).toBe(
      'https://nemweb.com.au/Data_Archive/Wholesale_Electricity/MMSDM/2024/MMSDM_2024_08/MMSDM_Historical_Data_SQLLoader/' +
        'DATA/PUBLIC_ARCHIVE%2523DISPATCH_UNIT_SCADA%2523FILE01%2523202408010000.zip',
    );
    expect(mmsdmUrl('DISPATCH_UNIT_SCADA', '2024-08')).not.toContain('#');
    // The stored name (what the fixture is called) is one decoding away from the URL.
    expect(decodeURIComponent(mmsdmUrl('DISPATCHPRICE', '2024-08').split('/').pop() ?? '')).toBe(ZIPS.priceMmsdm);
    expect(mmsdmFileName('ROOFTOP_PV_ACTUAL', '2025-01', 2)).toBe('PUBLIC_ARCHIVE#ROOFTOP_PV_ACTUAL#FILE02#202501010000.zip');
  });

  it('uses PUBLIC_DVD_ names before 2024-08', () => {
    expect(mmsdmUrl('ROOFTOP_PV_ACTUAL', '2019-12')).toBe(
      'https://nemweb.com.au/Data_Archive/Wholesale_Electricity/MMSDM/2019/MMSDM_2019_12/MMSDM_Historical_Data_SQLLoader/' +
        `DATA/${ZIPS.rooftopDvd}`,
    );
    expect(mmsdmFileName('DISPATCHPRICE', '2024-07')).toBe('PUBLIC_DVD_DISPATCHPRICE_202407010000.zip');
    expect(mmsdmUrls('dispatchis', '2024-07').map((u) => u.split('/').pop())).toEqual([
      'PUBLIC_DVD_DISPATCHPRICE_202407010000.zip',
      'PUBLIC_DVD_DISPATCHINTERCONNECTORRES_202407010000.zip',
    ]);
  });

  it('refuses malformed days and months', () => {
    expect(() => archiveUrl('scada', '2025-13-01')).toThrow(/not a day/);
    expect(() => mmsdmUrl('DISPATCHPRICE', '2024-8')).toThrow(/not a month/);
  });
});

describe('chooseArchive', () => {
  const now = nemToUtc(2025, 12, 27, 9, 30); // 09:30 NEM on 2025-12-27

  it('reads today and yesterday from Current', () => {
    expect(chooseArchive('2025-12-27', now)).toBe('current');
    expect(chooseArchive('2025-12-26', now)).toBe('current');
    expect(chooseArchive('2025-12-28', now)).toBe('current');
  });

  it('reads older days from the daily archive for a year, then MMSDM', () => {
    expect(chooseArchive('2025-12-25', now)).toBe('archive');
    expect(chooseArchive('2024-12-27', now)).toBe('archive'); // 365 days
    expect(chooseArchive('2024-12-26', now)).toBe('mmsdm');
    expect(chooseArchive('2019-12-01', now, 'dispatchis')).toBe('mmsdm');
  });

  it('judges the NEM day, not the UTC day', () => {
    // 23:30 UTC on 2025-12-27 is already 2025-12-28 in NEM time, so 2025-12-26 is two days old.
    expect(chooseArchive('2025-12-26', Date.parse('2025-12-27T23:30:00Z'))).toBe('archive');
  });

  it('waits for a rooftop week to be archived', () => {
    // 2025-12-25 is a Thursday: its week ends 2025-12-31 and is read from the archive from 2026-01-02.
    expect(chooseArchive('2025-12-25', now, 'rooftop')).toBe('current');
    expect(chooseArchive('2025-12-25', nemToUtc(2026, 1, 1), 'rooftop')).toBe('current');
    expect(chooseArchive('2025-12-25', nemToUtc(2026, 1, 2), 'rooftop')).toBe('archive');
    expect(chooseArchive('2024-01-01', now, 'rooftop')).toBe('mmsdm');
  });
});
