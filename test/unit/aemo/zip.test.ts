import { describe, expect, it } from 'vitest';
import { parseMms, readMms } from '../../../producers/aemo/mms-csv.js';
import { CorruptZipError, zipCsvs } from '../../../producers/aemo/zip.js';
import type { ZipCsv } from '../../../producers/aemo/zip.js';
import { fixturePath, makeZip, readFixture, ZIPS } from './helpers.js';

async function collect(gen: AsyncGenerator<ZipCsv>): Promise<{ name: string; via: string[]; text: string }[]> {
  const out: { name: string; via: string[]; text: string }[] = [];
  for await (const e of gen) out.push({ name: e.name, via: e.via, text: await e.text() });
  return out;
}

describe('zip reader', () => {
  it('opens a fixture by path, literal %23 in the name included', async () => {
    const [entry] = await collect(zipCsvs(fixturePath(ZIPS.scadaMmsdm)));
    expect(entry?.name).toBe('PUBLIC_ARCHIVE#DISPATCH_UNIT_SCADA#FILE01#202408010000.CSV');
    expect(entry?.via).toEqual([ZIPS.scadaMmsdm]);
    expect(parseMms(entry?.text ?? '').rows).toHaveLength(2880);
  });

  it('opens a zip from a Buffer', async () => {
    const entries = await collect(zipCsvs(readFixture(ZIPS.legacy), { label: 'legacy.zip' }));
    expect(entries.map((e) => e.name)).toEqual(['PUBLIC_DISPATCH_202403151945_20240315194011_LEGACY.CSV']);
    expect(entries[0]?.via).toEqual(['legacy.zip']);
  });

  it('descends into nested zips (a daily archive of 5-minute zips), matching .csv in any case', async () => {
    const scada = readFixture('sample_dispatchscada.csv');
    const inner1 = makeZip([{ name: 'PUBLIC_DISPATCHSCADA_202512270005_0000000495867506.CSV', data: scada }]);
    const daily = makeZip([
      { name: 'PUBLIC_DISPATCHSCADA_202512270005_0000000495867506.zip', data: inner1 },
      // A real fixture zip as the second inner zip.
      { name: 'PUBLIC_DISPATCH_202403151945_20240315194011_LEGACY.zip', data: readFixture(ZIPS.legacy) },
      { name: 'readme.txt', data: 'not a csv' },
      { name: 'PUBLIC_ROOFTOP_PV_ACTUAL_MEASUREMENT_20240303200000_0000000412345678.csv', data: 'C,x\n' },
    ]);
    const entries = await collect(zipCsvs(daily, { label: 'PUBLIC_DISPATCHSCADA_20251227.zip' }));
    expect(entries.map((e) => [e.via, e.name])).toEqual([
      [['PUBLIC_DISPATCHSCADA_20251227.zip', 'PUBLIC_DISPATCHSCADA_202512270005_0000000495867506.zip'],
        'PUBLIC_DISPATCHSCADA_202512270005_0000000495867506.CSV'],
      [['PUBLIC_DISPATCHSCADA_20251227.zip', 'PUBLIC_DISPATCH_202403151945_20240315194011_LEGACY.zip'],
        'PUBLIC_DISPATCH_202403151945_20240315194011_LEGACY.CSV'],
      [['PUBLIC_DISPATCHSCADA_20251227.zip'], 'PUBLIC_ROOFTOP_PV_ACTUAL_MEASUREMENT_20240303200000_0000000412345678.csv'],
    ]);
    expect(entries[0]?.text).toBe(scada.toString('utf8'));
    expect(parseMms(entries[0]?.text ?? '').rows).toHaveLength(493);
  });

  it('streams an entry without buffering it', async () => {
    for await (const entry of zipCsvs(fixturePath(ZIPS.rooftopDvd))) {
      let bytes = 0;
      for await (const chunk of (await entry.open()) as AsyncIterable<Buffer>) bytes += chunk.length;
      expect(bytes).toBe(entry.uncompressedSize);
      expect(bytes).toBeGreaterThan(2_000_000);
    }
  });

  it('stops cleanly when the caller breaks early', async () => {
    const daily = makeZip([
      { name: 'a.zip', data: makeZip([{ name: 'a.CSV', data: 'C,a\n' }]) },
      { name: 'b.zip', data: makeZip([{ name: 'b.CSV', data: 'C,b\n' }]) },
    ]);
    const seen: string[] = [];
    for await (const e of zipCsvs(daily)) {
      seen.push(e.name);
      break;
    }
    expect(seen).toEqual(['a.CSV']);
  });

  it('throws a clear CorruptZipError for bytes that are not a zip', async () => {
    const gen = zipCsvs(Buffer.from('<html>406 Not Acceptable</html>'), { label: 'PUBLIC_DISPATCHSCADA_x.zip' });
    await expect(gen.next()).rejects.toThrow(CorruptZipError);
    await expect(collect(zipCsvs(Buffer.from('garbage'), { label: 'g.zip' }))).rejects.toThrow(/^corrupt zip g\.zip: /);
  });

  it('throws for a truncated download', async () => {
    const whole = readFixture(ZIPS.priceMmsdm);
    await expect(collect(zipCsvs(whole.subarray(0, whole.length - 100), { label: 'cut.zip' }))).rejects.toThrow(
      /corrupt zip cut\.zip/,
    );
  });

  it('names the nested zip that is corrupt', async () => {
    const daily = makeZip([{ name: 'PUBLIC_DISPATCHIS_202512270005_0000000495867510.zip', data: 'not a zip at all' }]);
    await expect(collect(zipCsvs(daily, { label: 'PUBLIC_DISPATCHIS_20251227.zip' }))).rejects.toThrow(
      'corrupt zip PUBLIC_DISPATCHIS_20251227.zip > PUBLIC_DISPATCHIS_202512270005_0000000495867510.zip:',
    );
  });

  it('reports damaged compressed data as corrupt when the entry is read', async () => {
    const good = makeZip([{ name: 'x.CSV', data: 'C,'.repeat(5000) }]);
    const bad = Buffer.from(good);
    bad.fill(0xff, 40, 60); // inside the deflate stream of the only entry
    await expect(collect(zipCsvs(bad, { label: 'bad.zip' }))).rejects.toThrow(/corrupt zip bad\.zip > x\.CSV/);
  });

  it('lets a corrupt-zip error through the streaming CSV reader unchanged', async () => {
    const good = makeZip([{ name: 'x.CSV', data: 'C,'.repeat(5000) }]);
    const bad = Buffer.from(good);
    bad.fill(0xff, 40, 60);
    const read = async () => {
      for await (const entry of zipCsvs(bad, { label: 'bad.zip' })) for await (const _row of readMms(await entry.open())) void _row;
    };
    await expect(read()).rejects.toThrow(CorruptZipError);
  });

  it('fails for a path that does not exist', async () => {
    await expect(collect(zipCsvs(fixturePath('no-such.zip')))).rejects.toThrow(/corrupt zip no-such\.zip: .*ENOENT/);
  });
});
