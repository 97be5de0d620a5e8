// The CSV members of a yearly parking ZIP, streamed one at a time from a file on disk (yauzl needs random access; the
// ZIP is downloaded to a temporary file, never held in memory). Members are the entries whose lower-case name holds
// `parking_tags` or ends in .csv or a numeric extension (`Parking_Tags_Data_2021.000` split parts), sorted by name as
// the City numbers them. Inflation is metered against zip bombs (the same guards as the AEMO reader: a total and a
// ratio counted on the bytes actually inflated).
import { Transform, type Readable } from 'node:stream';
import yauzl, { type Entry } from 'yauzl';

export class ZipRefused extends Error {
  override name = 'ZipRefused';
}

export interface ZipMember {
  name: string;
  uncompressedSize: number;
  open(): Promise<Readable>;
}

export interface ZipLimits {
  /** All bytes inflated from one ZIP (a real year inflates to ~0.3-0.6 GB). */
  maxTotalBytes: number;
  /** Largest inflated/compressed ratio of a member above 1 MiB (CSV deflates ~6-10:1). */
  maxRatio: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = { maxTotalBytes: 8 * 1024 ** 3, maxRatio: 200 };
const RATIO_FLOOR = 1024 * 1024;

export const isTicketMember = (name: string): boolean => {
  if (name.endsWith('/')) return false;
  const lower = name.toLowerCase();
  return lower.includes('parking_tags') || /\.(csv|\d+)$/.test(lower);
};

/** Lists the ZIP's central directory and yields its ticket members in name order. */
export async function* zipMembers(path: string, limits: ZipLimits = DEFAULT_ZIP_LIMITS): AsyncGenerator<ZipMember> {
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(path, { lazyEntries: true, autoClose: false });
  } catch (err) {
    throw new ZipRefused(`not a readable zip: ${(err as Error).message}`);
  }
  try {
    const entries: Entry[] = [];
    for await (const e of zip.eachEntry()) if (isTicketMember(e.fileName)) entries.push(e);
    entries.sort((a, b) => (a.fileName < b.fileName ? -1 : a.fileName > b.fileName ? 1 : 0));
    let inflated = 0;
    for (const entry of entries) {
      yield {
        name: entry.fileName,
        uncompressedSize: entry.uncompressedSize,
        open: async () => {
          if (entry.uncompressedSize > RATIO_FLOOR && entry.uncompressedSize > entry.compressedSize * limits.maxRatio) {
            throw new ZipRefused(`${entry.fileName}: declares ${entry.uncompressedSize} bytes from ${entry.compressedSize}`);
          }
          const raw = await zip.openReadStreamPromise(entry);
          let bytes = 0;
          const max = Math.max(RATIO_FLOOR, entry.compressedSize * limits.maxRatio);
          const meter = new Transform({
            transform(chunk: Buffer, _e, done) {
              bytes += chunk.length;
              inflated += chunk.length;
              if (bytes > max) return done(new ZipRefused(`${entry.fileName}: inflates past ${max} bytes (over ${limits.maxRatio}:1)`));
              if (inflated > limits.maxTotalBytes) return done(new ZipRefused(`zip inflates past ${limits.maxTotalBytes} bytes`));
              done(null, chunk);
            },
          });
          raw.on('error', (err) => meter.destroy(err));
          meter.on('close', () => raw.destroy());
          return raw.pipe(meter);
        },
      };
    }
  } finally {
    zip.close();
  }
}
