import { crc32, deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseMms, readMms } from '../../../producers/aemo/mms-csv.js';
import { CorruptZipError, ZipLimitError, zipCsvs } from '../../../producers/aemo/zip.js';
import type { ZipCsv } from '../../../producers/aemo/zip.js';
import { deflatedZeros, zipOfDeflated } from '../../support/zip-bomb.js';
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

  // Issue 15 #8: a zip declaring 1 GiB (1 MB on the wire) was read whole and peaked at 2.2 GB RSS.
  describe('zip bombs', () => {
    const MiB = 1024 * 1024;
    const zeros = deflatedZeros;
    const zipOf = zipOfDeflated;
    const bomb = zipOf('PUBLIC_DISPATCHSCADA_202512270005_0000000495867506.CSV', zeros(1024), 1024 * MiB);

    it('refuses a declared-1 GiB bomb read whole, with memory bounded', async () => {
      expect(bomb.length).toBeLessThan(1.1 * MiB);
      const rss = process.memoryUsage().rss;
      const read = async (): Promise<number> => {
        let n = 0;
        for await (const e of zipCsvs(bomb, { label: 'bomb.zip' })) n += (await e.text()).length;
        return n;
      };
      await expect(read()).rejects.toThrow(ZipLimitError);
      await expect(read()).rejects.toThrow(/^zip refused bomb\.zip > PUBLIC_DISPATCHSCADA_\S+\.CSV: declares 1073741824 bytes from \d+ \(over 1000:1\)/);
      expect(process.memoryUsage().rss - rss).toBeLessThan(200 * MiB);
    });

    it('refuses it when streamed too, and a bomb is a CorruptZipError for callers that dead-letter those', async () => {
      const stream = async (): Promise<number> => {
        let n = 0;
        for await (const e of zipCsvs(bomb, { label: 'bomb.zip' })) for await (const c of (await e.open()) as AsyncIterable<Buffer>) n += c.length;
        return n;
      };
      await expect(stream()).rejects.toThrow(CorruptZipError);
    });

    it('counts the bytes actually inflated: a header that understates them does not get the bomb through', async () => {
      const liar = zipOf('x.CSV', zeros(1024), 1000);
      const read = async (): Promise<number> => {
        let n = 0;
        for await (const e of zipCsvs(liar, { label: 'liar.zip' })) for await (const c of (await e.open()) as AsyncIterable<Buffer>) n += c.length;
        return n;
      };
      await expect(read()).rejects.toThrow(CorruptZipError);
    });

    it('refuses past the per-entry limit on a whole read, and past the ratio when streaming', async () => {
      const data = Buffer.alloc(3 * MiB, 'D,DISPATCH,UNIT_SCADA,1,x\n');
      const z = makeZip([{ name: 'big.CSV', data }]);
      await expect(collect(zipCsvs(z, { label: 'z.zip', maxEntryBytes: 2 * MiB }))).rejects.toThrow(
        'zip refused z.zip > big.CSV: inflates past 2097152 bytes (the limit for an entry read whole)',
      );
      const packed = deflateRawSync(data);
      const honest = zipOf('big.CSV', packed, data.length, crc32(data));
      expect((await collect(zipCsvs(honest))).map((e) => e.text.length)).toEqual([data.length]);
      await expect(collect(zipCsvs(honest, { label: 'h.zip', maxRatio: Math.floor(data.length / packed.length) - 1 }))).rejects.toThrow(/^zip refused h\.zip > big\.CSV: declares/);
    });

    it('counts every level of a nested archive against the total', async () => {
      const inner = (i: number): Buffer => makeZip([{ name: `${i}.CSV`, data: Buffer.alloc(MiB, 'C,x\n') }]);
      const daily = makeZip([1, 2, 3].map((i) => ({ name: `${i}.zip`, data: inner(i) })));
      const seen: string[] = [];
      const read = async (): Promise<void> => {
        for await (const e of zipCsvs(daily, { label: 'day.zip', maxTotalBytes: Math.floor(2.5 * MiB) })) {
          seen.push(e.name);
          await e.text();
        }
      };
      await expect(read()).rejects.toThrow(/^zip refused day\.zip > 3\.zip > 3\.CSV: declares 1048576 bytes, over the 2621440-byte total/);
      // The first two CSVs and the inner zips holding them (a few KB) fit in 2.5 MiB; the third CSV does not.
      expect(seen).toEqual(['1.CSV', '2.CSV', '3.CSV']);
      expect((await collect(zipCsvs(daily))).map((e) => e.name)).toEqual(['1.CSV', '2.CSV', '3.CSV']);
    });
  });

  it('fails for a path that does not exist', async () => {
    await expect(collect(zipCsvs(fixturePath('no-such.zip')))).rejects.toThrow(/corrupt zip no-such\.zip: .*ENOENT/);
  });
});
