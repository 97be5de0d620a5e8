// Fuzzing the NEMWEB zip reader (issue 11 #5): valid nested zips cut at any byte or with bytes overwritten, HTML and
// random bytes served as a zip, empty zips, entry names that climb out of a directory, and nested zip bombs under
// small limits. Whatever comes in, the reader yields CSVs or throws CorruptZipError (ZipLimitError for a bomb) with a
// reason naming the zip, never another error and never a hang; the live-file reader turns all of it into a result;
// entry names are only labels (nothing is written anywhere); memory stays bounded.
import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeZip } from '../../../devkit/aemo/zip-writer.js';
import { readLiveZip } from '../../../producers/aemo/run.js';
import { CorruptZipError, ZipLimitError, zipCsvs } from '../../../producers/aemo/zip.js';
import { log } from '../../../runtime/log.js';
import { deflatedZeros, zipOfDeflated } from '../../support/zip-bomb.js';
import { fuzz } from './params.js';

const MiB = 1024 * 1024;
const CSV = 'C,NEMP.WORLD,DISPATCHSCADA\r\nI,DISPATCH,UNIT_SCADA,1,SETTLEMENTDATE,DUID,SCADAVALUE,LASTCHANGED\r\nD,DISPATCH,UNIT_SCADA,1,"2025/12/27 00:05:00",BW01,1.5,"2025/12/27 00:00:22"\r\nC,"END OF REPORT",4\r\n';

beforeAll(() => {
  log.level = 'error';
});

/** Every CSV's name, nesting and bytes; throws what the reader throws. */
async function readAll(input: Buffer, label = 'fuzz.zip'): Promise<{ name: string; via: string[]; bytes: Buffer }[]> {
  const out: { name: string; via: string[]; bytes: Buffer }[] = [];
  for await (const e of zipCsvs(input, { label, maxEntryBytes: 8 * MiB, maxTotalBytes: 16 * MiB, maxRatio: 200 })) out.push({ name: e.name, via: e.via, bytes: await e.bytes() });
  return out;
}

/** The reader's outcome: the CSVs, or the CorruptZipError it threw. Any other error fails the property. */
async function outcome(input: Buffer, label = 'fuzz.zip'): Promise<{ ok: true; csvs: number } | { ok: false; error: CorruptZipError }> {
  try {
    return { ok: true, csvs: (await readAll(input, label)).length };
  } catch (err) {
    if (!(err instanceof CorruptZipError)) throw new Error(`not a CorruptZipError: ${String(err)}`, { cause: err });
    expect(err.message).toMatch(new RegExp(`^(corrupt zip|zip refused) ${label.replace(/\./g, '\\.')}( > |: )`));
    return { ok: false, error: err };
  }
}

const inner = (i: number): Buffer => writeZip([{ name: `PUBLIC_DISPATCHSCADA_20251227000${i}_0000000495867506.CSV`, data: CSV }]);
const BASES: Buffer[] = [
  inner(5),
  writeZip([{ name: 'a.zip', data: inner(5) }, { name: 'readme.txt', data: 'x' }, { name: 'b.zip', data: inner(6) }], { store: true }),
  writeZip([{ name: 'a.zip', data: inner(5) }, { name: 'b.CSV', data: CSV.repeat(20) }]),
];

type Damage =
  | { kind: 'cut'; at: number }
  | { kind: 'overwrite'; at: number; bytes: number[] }
  | { kind: 'html' }
  | { kind: 'random'; bytes: number[] }
  | { kind: 'empty' }
  | { kind: 'emptyZip' };

const damage: fc.Arbitrary<Damage> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('overwrite' as const), at: fc.nat(), bytes: fc.array(fc.nat({ max: 255 }), { minLength: 1, maxLength: 6 }) }), weight: 4 },
  fc.constant({ kind: 'html' as const }),
  fc.record({ kind: fc.constant('random' as const), bytes: fc.array(fc.nat({ max: 255 }), { maxLength: 300 }) }),
  fc.constant({ kind: 'empty' as const }),
  fc.constant({ kind: 'emptyZip' as const }),
);

function damaged(base: Buffer, d: Damage): Buffer {
  switch (d.kind) {
    case 'cut':
      return base.subarray(0, d.at % base.length);
    case 'overwrite': {
      const b = Buffer.from(base);
      d.bytes.forEach((x, i) => {
        b[(d.at + i) % b.length] = x;
      });
      return b;
    }
    case 'html':
      return Buffer.from('<!DOCTYPE html><html><body><h1>406 Not Acceptable</h1></body></html>');
    case 'random':
      // A zip's end record at the end of random bytes makes yauzl look further into them.
      return Buffer.concat([Buffer.from(d.bytes), d.bytes.length % 2 ? writeZip([]) : Buffer.alloc(0)]);
    case 'empty':
      return Buffer.alloc(0);
    case 'emptyZip':
      return writeZip([]);
  }
}

describe('zip fuzz', () => {
  it('a damaged, truncated, HTML, random or empty zip yields CSVs or a CorruptZipError naming the zip, never anything else', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: BASES.length - 1 }), damage, async (b, d) => {
        const input = damaged(BASES[b]!, d);
        const r = await outcome(input);
        if (d.kind === 'html' || d.kind === 'empty') expect(r.ok).toBe(false);
        if (d.kind === 'emptyZip') expect(r).toEqual({ ok: true, csvs: 0 });
        // The live reader never throws on bad bytes: every outcome is a result the producer can dead-letter.
        const live = await readLiveZip(input, 'PUBLIC_DISPATCHSCADA_202512270005_0000000495867506.zip', 0, ['scada']);
        // (It stops at the first CSV that is cut short, so a later corrupt entry may be reported as that instead.)
        if (!r.ok) expect(live.kind).not.toBe('ok');
        if (r.ok && r.csvs === 0) expect(live.kind).toBe('unreadable');
        if (live.kind !== 'ok') expect('reason' in live && live.reason.length > 0).toBe(true);
      }),
      fuzz('zipMutations', { caseTimeoutMs: 5_000 }),
    );
  });

  describe('entry names that climb out of a directory', () => {
    // Sentinels that a reader writing entries by name would create; a unique directory so the check can only fail
    // because of this test.
    const sentinel = join(tmpdir(), `gridstream-fuzz-${randomBytes(6).toString('hex')}`);
    const cwd = process.cwd();
    const before = { cwd: readdirSync(cwd).sort(), tmp: readdirSync(tmpdir()).length };
    const hostile = [
      `../../../../../../..${sentinel}/x.CSV`,
      `${sentinel}/abs.CSV`,
      `..\\..\\..\\${sentinel.replaceAll('/', '\\')}\\win.CSV`,
      'C:\\Windows\\x.CSV',
      '../../etc/passwd.csv',
      '/etc/passwd.csv',
      'a/../../b.CSV',
      'nul\u0000byte.CSV',
      './././x.CSV',
      '../inner.zip',
    ];
    const name = fc.oneof(fc.constantFrom(...hostile), fc.array(fc.constantFrom('..', '.', '', 'a', '/', '\\', 'x.CSV', 'y.zip', sentinel), { maxLength: 6 }).map((p) => `${p.join('/')}.CSV`));

    afterAll(() => {
      expect(existsSync(sentinel)).toBe(false);
      expect(readdirSync(cwd).sort()).toEqual(before.cwd);
    });

    it('are only labels: each CSV is reported under the name in the zip, or the zip is refused; nothing is written', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(name, { minLength: 1, maxLength: 4 }), fc.boolean(), async (names, nested) => {
          const entries = names.map((n) => ({ name: n, data: n.endsWith('.zip') ? inner(5) : CSV }));
          const zip = nested ? writeZip([{ name: '../day.zip', data: writeZip(entries) }]) : writeZip(entries);
          const r = await (async () => {
            try {
              return await readAll(zip, 'names.zip');
            } catch (err) {
              expect(err).toBeInstanceOf(CorruptZipError);
              return null;
            }
          })();
          if (r) {
            // yauzl reads `\\` in a name as `/` (zips made on Windows); otherwise the name is reported as stored.
            const csvNames = names.filter((n) => /\.csv$/i.test(n)).map((n) => n.replaceAll('\\', '/'));
            expect(r.filter((e) => !e.via.some((v) => v.endsWith('inner.zip') || (v !== '../day.zip' && v !== 'names.zip'))).map((e) => e.name)).toEqual(csvNames);
            for (const e of r) expect(e.bytes.toString('utf8')).toBe(CSV);
          }
          expect(existsSync(sentinel)).toBe(false);
        }),
        fuzz('zipTraversal', { caseTimeoutMs: 5_000 }),
      );
      // Nothing was added to the temporary directory either (others may add files there concurrently: allow a few).
      expect(readdirSync(tmpdir()).length - before.tmp).toBeLessThan(20);
    });
  });

  it('refuses nested zip bombs (honest or lying headers) with ZipLimitError and a reason, memory bounded', async () => {
    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    await fc.assert(
      fc.asyncProperty(
        fc.record({ mib: fc.integer({ min: 20, max: 64 }), depth: fc.integer({ min: 0, max: 2 }), lie: fc.constantFrom('honest', 'small', 'huge'), stream: fc.boolean() }),
        async ({ mib, depth, lie, stream }) => {
          const declared = lie === 'honest' ? mib * MiB : lie === 'small' ? 1000 : 0xffff_fff0;
          let zip = zipOfDeflated('PUBLIC_DISPATCHSCADA_202512270005_0000000495867506.CSV', deflatedZeros(mib), declared);
          for (let i = 0; i < depth; i++) zip = writeZip([{ name: `level${i}.zip`, data: zip }]);
          const limits = { label: 'bomb.zip', maxEntryBytes: 8 * MiB, maxTotalBytes: 16 * MiB, maxRatio: 200 };
          const read = async (): Promise<void> => {
            for await (const e of zipCsvs(zip, limits)) {
              if (stream) for await (const _c of (await e.open()) as AsyncIterable<Buffer>) void _c;
              else await e.bytes();
            }
          };
          const err = await read().then(() => null, (e: unknown) => e);
          // A header understating the size is caught either by the meter or by yauzl's own size check (then it is a
          // plain CorruptZipError); an honest or overstated one is refused by the limits.
          expect(err).toBeInstanceOf(lie === 'small' ? CorruptZipError : ZipLimitError);
          expect((err as Error).message).toMatch(/^(zip refused|corrupt zip) bomb\.zip( > level\d\.zip)* > PUBLIC_DISPATCHSCADA_\S+\.CSV: (declares|inflates past|the zip inflates past|too many bytes)/);
          peak = Math.max(peak, process.memoryUsage().rss);
        },
      ),
      fuzz('zipBombs', { caseTimeoutMs: 10_000 }),
    );
    // Each bomb inflates to 20-64 MiB; the limits stop it at 16 MiB, so nothing like a whole bomb is ever held.
    expect(peak - rssBefore).toBeLessThan(150 * MiB);
  });
});
