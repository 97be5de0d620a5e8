// COPY text (Postgres's text format for COPY ... FROM STDIN): one value's escaped text, and the buffer lines are
// gathered in before they go to the COPY stream. Every Postgres sink writes through these.
import { isoText } from './iso-text.js';

const COPY_SPECIAL = /[\\\t\n\r]/;

/** COPY text format: backslash escapes for the four characters that would break a line. */
export function copyText(v: unknown): string {
  if (v === null || v === undefined) return '\\N';
  if (typeof v === 'number') return String(v);
  if (v instanceof Date) return isoText(v.getTime());
  const s = typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
  // Most values hold none of the four characters: one test instead of four replaces (this runs for every field).
  if (!COPY_SPECIAL.test(s)) return s;
  return s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

/**
 * COPY text gathered into Buffers of about `part` bytes, written byte by byte or a line at a time. Text is UTF-8-encoded
 * straight into the buffer: a part built by `+=` is a rope of thousands of pieces that Buffer.from (inside the COPY
 * stream) must flatten and encode in one go, measured 3.5x slower (13 % of the Toronto sink process's CPU once).
 */
export class CopyOut {
  buf: Buffer;
  off = 0;

  constructor(private readonly part = 256 * 1024) {
    this.buf = Buffer.allocUnsafe(part + part / 4);
  }

  /** Makes room for `n` more bytes. */
  room(n: number): void {
    if (this.off + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.off + n) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    this.buf.copy(grown, 0, 0, this.off);
    this.buf = grown;
  }

  /** Text made of code units below 0x80 (digits, instants, \N). */
  ascii(s: string): void {
    this.room(s.length);
    this.off += this.buf.write(s, this.off, 'latin1');
  }

  /** Text already in COPY form (escaped, or \N). */
  utf8(t: string): void {
    this.room(t.length * 3);
    this.off += this.buf.write(t, this.off, 'utf8');
  }

  byte(b: number): void {
    this.room(1);
    this.buf[this.off++] = b;
  }

  /** Bytes [start, end) of `from`. */
  bytes(from: Buffer, start: number, end: number): void {
    this.room(end - start);
    this.off += from.copy(this.buf, this.off, start, end);
  }

  /** The part gathered so far once it holds `part` bytes or more (call between lines), else undefined. */
  full(): Buffer | undefined {
    return this.off >= this.part ? this.take() : undefined;
  }

  /** What was written (undefined when nothing was); the next writes go into a fresh buffer. */
  take(): Buffer | undefined {
    if (this.off === 0) return undefined;
    const out = this.buf.subarray(0, this.off);
    this.buf = Buffer.allocUnsafe(this.part + this.part / 4);
    this.off = 0;
    return out;
  }
}


/** COPY text lines (each ending in its newline) gathered into parts of about `part` bytes, for a COPY stream. */
export function* copyParts(lines: Iterable<string>, part?: number): Generator<Buffer> {
  const out = new CopyOut(part);
  for (const line of lines) {
    out.utf8(line);
    const full = out.full();
    if (full) yield full;
  }
  const last = out.take();
  if (last) yield last;
}
