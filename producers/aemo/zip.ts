// NEMWEB zips: a live file is a zip holding one CSV; a daily (or weekly) archive is a zip of those zips. Entries are
// read one at a time so at most one inner zip (a few KB to MB) is in memory; the CSV itself can be streamed.
import { basename } from 'node:path';
import { PassThrough } from 'node:stream';
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';
import type { Entry, ZipFile } from 'yauzl';

/** The zip (or a zip nested in it) cannot be read. The caller dead-letters the whole file. */
export class CorruptZipError extends Error {
  override name = 'CorruptZipError';
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
}

export interface ZipOptions {
  /** Name used in error messages and `via`; defaults to the file's base name, or `zip` for a Buffer. */
  label?: string;
  /** A nested zip is buffered whole (yauzl needs random access); refuse anything bigger than this. */
  maxNestedBytes?: number;
}

const DEFAULT_MAX_NESTED_BYTES = 256 * 1024 * 1024;

const corrupt = (via: string[], err: unknown): CorruptZipError => {
  if (err instanceof CorruptZipError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new CorruptZipError(`corrupt zip ${via.join(' > ')}: ${message}`, { cause: err });
};

async function readAll(stream: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > limit) {
      stream.destroy();
      throw new Error(`entry larger than ${limit} bytes`);
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

async function* walk(input: Buffer | string, via: string[], maxNested: number): AsyncGenerator<ZipCsv> {
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
      const open = async (): Promise<Readable> => {
        try {
          const raw = await zip.openReadStreamPromise(entry);
          // Re-label mid-stream failures (bad deflate data, wrong size) so the caller sees which file broke.
          const out = new PassThrough();
          raw.on('error', (err) => out.destroy(corrupt([...via, name], err)));
          out.on('close', () => raw.destroy());
          return raw.pipe(out);
        } catch (err) {
          throw corrupt([...via, name], err);
        }
      };
      if (/\.zip$/i.test(name)) {
        let inner: Buffer;
        try {
          inner = await readAll(await open(), maxNested);
        } catch (err) {
          throw corrupt([...via, name], err);
        }
        yield* walk(inner, [...via, name], maxNested);
      } else if (/\.csv$/i.test(name)) {
        // AEMO mixes `.CSV` and (live rooftop) `.csv`.
        yield {
          name,
          via,
          uncompressedSize: entry.uncompressedSize,
          open,
          text: async () => {
            try {
              return (await readAll(await open(), Number.MAX_SAFE_INTEGER)).toString('utf8');
            } catch (err) {
              throw corrupt([...via, name], err);
            }
          },
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
 * the zip cannot be read.
 */
export function zipCsvs(input: Buffer | string, options: ZipOptions = {}): AsyncGenerator<ZipCsv> {
  const label = options.label ?? (typeof input === 'string' ? basename(input) : 'zip');
  return walk(input, [label], options.maxNestedBytes ?? DEFAULT_MAX_NESTED_BYTES);
}
