// NEMWEB zips: a live file is a zip holding one CSV; a daily (or weekly) archive is a zip of those zips. Entries are
// read one at a time so at most one inner zip (a few KB to MB) is in memory; the CSV itself can be streamed.
import { basename } from 'node:path';
import { Transform } from 'node:stream';
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';
import type { Entry, ZipFile } from 'yauzl';

/** The zip (or a zip nested in it) cannot be read. The caller dead-letters the whole file. */
export class CorruptZipError extends Error {
  override name = 'CorruptZipError';
}

/** The zip inflates past a limit (a zip bomb, or far bigger than any real AEMO file): refused, dead-lettered like a corrupt one. */
export class ZipLimitError extends CorruptZipError {
  override name = 'ZipLimitError';
}

export interface ZipCsv {
  /** The CSV's name inside its zip, e.g. `PUBLIC_DISPATCHSCADA_202512270005_0000000495867506.CSV`. */
  name: string;
  /** The zips it sits in, outermost first: the input's label, then any nested zip names. */
  via: string[];
  uncompressedSize: number;
  /** The CSV bytes as a stream. Consume it before asking the generator for the next entry. */
  open(): Promise<Readable>;
  /** The whole CSV as text: fine for 5-minute files; stream monthly archives with `open()` instead. */
  text(): Promise<string>;
  /** The whole CSV's bytes (at most `maxEntryBytes`), for a parser that checks the encoding itself. */
  bytes(): Promise<Buffer>;
}

export interface ZipOptions {
  /** Name used in error messages and `via`; defaults to the file's base name, or `zip` for a Buffer. */
  label?: string;
  /** An entry read whole (a nested zip, which yauzl needs random access to, or `text()`/`bytes()`) is refused past this. */
  maxEntryBytes?: number;
  /** All bytes inflated from this zip, nested levels and streamed entries included, are refused past this. */
  maxTotalBytes?: number;
  /** An entry inflating to more than this many times its compressed size is refused (counted as it inflates). */
  maxRatio?: number;
}

// Limits against zip bombs. They count the bytes actually inflated, not the sizes the zip declares (which a bomb can
// fake), and apply while reading, so memory stays bounded whatever the header says.
/** Buffered reads: a 5-minute CSV is ~0.1-2 MB and a day's nested archive ~50 MB, so 256 MiB is far above any real one. */
export const MAX_ENTRY_BYTES = 256 * 1024 * 1024;
/** Streamed total: the biggest MMSDM monthly table we read (DISPATCH_UNIT_SCADA) inflates to well under 1 GiB. */
export const MAX_TOTAL_BYTES = 2 * 1024 * 1024 * 1024;
/** MMS CSVs deflate about 10-20:1; deflate itself tops out near 1032:1, which only runs of one byte reach. */
export const MAX_RATIO = 1000;
/** Below this an entry's ratio is not checked: a tiny entry cannot hurt whatever its ratio. */
const RATIO_FLOOR_BYTES = 1024 * 1024;

interface Limits {
  entry: number;
  total: number;
  ratio: number;
  /** Bytes inflated so far by this zipCsvs call. */
  inflated: number;
}

const corrupt = (via: string[], err: unknown): CorruptZipError => {
  if (err instanceof CorruptZipError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new CorruptZipError(`corrupt zip ${via.join(' > ')}: ${message}`, { cause: err });
};

async function readAll(stream: Readable, limit: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > limit) {
      stream.destroy();
      throw new ZipLimitError(`zip refused ${what}: inflates past ${limit} bytes (the limit for an entry read whole)`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

async function openZip(input: Buffer | string, via: string[]): Promise<ZipFile> {
  try {
    return typeof input === 'string'
      ? await yauzl.openPromise(input, { lazyEntries: true, autoClose: true })
      : await yauzl.fromBufferPromise(input, { lazyEntries: true });
  } catch (err) {
    throw corrupt(via, err);
  }
}

/** Why an entry is refused before inflating a byte: its declared sizes already break a limit. */
function declaredOverLimit(entry: Entry, limits: Limits): string | null {
  if (entry.uncompressedSize > limits.total - limits.inflated) return `declares ${entry.uncompressedSize} bytes, over the ${limits.total}-byte total`;
  if (entry.uncompressedSize > RATIO_FLOOR_BYTES && entry.uncompressedSize > entry.compressedSize * limits.ratio) {
    return `declares ${entry.uncompressedSize} bytes from ${entry.compressedSize} (over ${limits.ratio}:1)`;
  }
  return null;
}

/** Counts an entry's bytes as they inflate and fails the stream as soon as one goes past the ratio or the total. */
function meter(entry: Entry, limits: Limits, what: string): Transform {
  let bytes = 0;
  const maxByRatio = Math.max(RATIO_FLOOR_BYTES, entry.compressedSize * limits.ratio);
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      limits.inflated += chunk.length;
      if (bytes > maxByRatio) return done(new ZipLimitError(`zip refused ${what}: inflates past ${maxByRatio} bytes from ${entry.compressedSize} (over ${limits.ratio}:1)`));
      if (limits.inflated > limits.total) return done(new ZipLimitError(`zip refused ${what}: the zip inflates past ${limits.total} bytes in all`));
      done(null, chunk);
    },
  });
}

async function* walk(input: Buffer | string, via: string[], limits: Limits): AsyncGenerator<ZipCsv> {
  const zip = await openZip(input, via);
  const entries = zip.eachEntry();
  try {
    for (;;) {
      let step: IteratorResult<Entry>;
      try {
        step = await entries.next();
      } catch (err) {
        throw corrupt(via, err);
      }
      if (step.done) return;
      const entry = step.value;
      const name = entry.fileName;
      if (name.endsWith('/')) continue;
      const what = [...via, name].join(' > ');
      const open = async (): Promise<Readable> => {
        const refused = declaredOverLimit(entry, limits);
        if (refused) throw new ZipLimitError(`zip refused ${what}: ${refused}`);
        try {
          const raw = await zip.openReadStreamPromise(entry);
          // Re-label mid-stream failures (bad deflate data, wrong size) so the caller sees which file broke; the meter
          // stops a bomb mid-stream.
          const out = meter(entry, limits, what);
          raw.on('error', (err) => out.destroy(corrupt([...via, name], err)));
          out.on('close', () => raw.destroy());
          return raw.pipe(out);
        } catch (err) {
          throw corrupt([...via, name], err);
        }
      };
      const whole = async (): Promise<Buffer> => {
        try {
          return await readAll(await open(), limits.entry, what);
        } catch (err) {
          throw corrupt([...via, name], err);
        }
      };
      if (/\.zip$/i.test(name)) {
        const inner = await whole();
        yield* walk(inner, [...via, name], limits);
      } else if (/\.csv$/i.test(name)) {
        // AEMO mixes `.CSV` and (live rooftop) `.csv`.
        yield {
          name,
          via,
          uncompressedSize: entry.uncompressedSize,
          open,
          text: async () => (await whole()).toString('utf8'),
          bytes: whole,
        };
      }
    }
  } finally {
    await entries.return?.();
    zip.close();
  }
}

/**
 * The CSV files inside a zip given as bytes or a file path, descending into nested zips (daily archives), in the
 * order they are stored. Throws CorruptZipError (message `corrupt zip <outer> > <inner>: <why>`) when any level of
 * the zip cannot be read, ZipLimitError (a CorruptZipError, message `zip refused <outer> > <inner>: <why>`) when it
 * inflates past a limit (ZipOptions). Entries are only ever read into memory or streamed, never written to disk.
 */
export function zipCsvs(input: Buffer | string, options: ZipOptions = {}): AsyncGenerator<ZipCsv> {
  const label = options.label ?? (typeof input === 'string' ? basename(input) : 'zip');
  const limits: Limits = {
    entry: options.maxEntryBytes ?? MAX_ENTRY_BYTES,
    total: options.maxTotalBytes ?? MAX_TOTAL_BYTES,
    ratio: options.maxRatio ?? MAX_RATIO,
    inflated: 0,
  };
  return walk(input, [label], limits);
}
