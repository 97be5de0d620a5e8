// Which text encoding a parking CSV member is in, from its first bytes (shared/specs/civic.md §2 quirk 1): a BOM says
// UTF-16 LE/BE or UTF-8; NUL bytes among the first four without a BOM say BOM-less UTF-16; otherwise the sample is
// tried as UTF-8 and, when it is not valid UTF-8 (or decodes to characters no Toronto file holds), read as Windows-1252 (the 2008 and 2010 files), which any byte
// sequence decodes as. Pure: the caller streams the rest through iconv-lite.
import iconv from 'iconv-lite';
import { Transform } from 'node:stream';

export type TicketEncoding = 'utf8' | 'utf8-bom' | 'utf16le' | 'utf16be' | 'cp1252';

/** How many leading bytes `sniffEncoding` wants (it copes with fewer at the end of a short file). */
export const SNIFF_BYTES = 64 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function sniffEncoding(head: Buffer, atEnd: boolean): TicketEncoding {
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf16be';
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf8-bom';
  const first = head.subarray(0, 4);
  if (first.length >= 2 && first.includes(0)) return first[0] === 0 ? 'utf16be' : 'utf16le';
  // A sample cut mid-character is still UTF-8: drop up to 3 trailing bytes of an incomplete sequence before checking.
  let end = head.length;
  if (!atEnd) {
    let back = 0;
    while (back < 3 && end - back - 1 >= 0 && (head[end - back - 1]! & 0xc0) === 0x80) back++;
    if (end - back - 1 >= 0 && head[end - back - 1]! >= 0xc0) end = end - back - 1;
  }
  let text: string;
  try {
    text = utf8.decode(head.subarray(0, end));
  } catch {
    return 'cp1252';
  }
  // Bytes of cp1252 text can happen to be valid UTF-8 (`É€` = C9 80 = U+0240). Toronto's files are English and French:
  // UTF-8 that decodes to anything beyond Latin-1/Latin Extended-A and common punctuation is taken for cp1252.
  const beyond = /[\u0180-\u1fff\u2070-\u20ab\u20ad-\u2121\u2123-\uffff]/;
  return beyond.test(text) ? 'cp1252' : 'utf8';
}

const ICONV: Record<TicketEncoding, string> = { utf8: 'utf8', 'utf8-bom': 'utf8', utf16le: 'utf16le', utf16be: 'utf16be', cp1252: 'win1252' };

/**
 * A byte -> text stream (strings) for the rest of the member: sniffs the first SNIFF_BYTES, then decodes everything with
 * iconv-lite (a BOM is stripped; an invalid UTF-8 sequence after the sample becomes U+FFFD rather than a crash).
 * `onEncoding` tells the caller what was chosen.
 */
export function decodingStream(onEncoding: (e: TicketEncoding) => void): Transform {
  let head: Buffer[] = [];
  let headBytes = 0;
  let decoder: ReturnType<typeof iconv.getDecoder> | undefined;
  const start = (t: Transform, atEnd: boolean) => {
    const bytes = Buffer.concat(head);
    head = [];
    const enc = sniffEncoding(bytes, atEnd);
    onEncoding(enc);
    decoder = iconv.getDecoder(ICONV[enc], { stripBOM: true });
    const s = decoder.write(bytes);
    if (s) t.push(s);
  };
  return new Transform({
    // Text out, as strings: the CSV reader takes text, and pushing strings to a byte stream would encode them again.
    readableObjectMode: true,
    decodeStrings: true,
    transform(chunk: Buffer, _enc, done) {
      if (decoder) {
        const s = decoder.write(chunk);
        return done(null, s || undefined);
      }
      head.push(chunk);
      headBytes += chunk.length;
      if (headBytes >= SNIFF_BYTES) start(this, false);
      done();
    },
    flush(done) {
      if (!decoder) start(this, true);
      const s = decoder!.end();
      done(null, s || undefined);
    },
  });
}
