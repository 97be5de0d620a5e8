// Avro binary -> COPY text, byte to byte, without building a JavaScript object per record. A sink that COPYs millions
// of records a load (Toronto: a year is 2.2 M tickets) spent most of its CPU decoding every record into an object of
// strings, then concatenating those strings back into a line and UTF-8-encoding it again — and on the garbage
// collection of all of it. A plan compiled once per writer schema walks the record's bytes field by field instead:
// strings are copied as bytes (escaping the four characters COPY text reserves), numbers written as digits, nulls
// as \N. The writer's schema is the one the registry gives for the record's id: fields are taken in its order, so the
// COPY column list is the plan's, not a fixed one.
import type avro from 'avsc';
import { copyText, type CopyOut } from './copy-text.js';
import { isoText } from './iso-text.js';

export type Captured = string | number | boolean | null;

export interface CopyRecordPlan {
  /** The COPY columns one record writes, in the writer's field order. */
  readonly columns: readonly string[];
  /** The captured fields of the record last written, in the order `capture` named them (null when absent). */
  readonly captured: Captured[];
  /** For each `spans` field of the record last written: where its UTF-8 bytes start in the buffer, and how many
   *  there are (-1: null), at 2i and 2i + 1. */
  readonly spans: Int32Array;
  /** Writes the record at `pos` of `buf` as tab-separated COPY fields (no newline); returns the position after it. */
  write(buf: Buffer, pos: number, out: CopyOut): number;
  /**
   * Reads past the record at `pos` (checking every length, union branch and enum index stays in bounds) without
   * writing or capturing; returns the position after it. A record `skip` passes, `write` writes without a throw.
   */
  skip(buf: Buffer, pos: number): number;
}

export interface CopyPlanOptions {
  /** The columns to write; writer fields not named here are read past. */
  columns: readonly string[];
  /** Long fields holding epoch milliseconds (Avro timestamp-millis), written as ISO instants. */
  instants?: readonly string[];
  /** Fields whose values the caller needs per record (e.g. a key): kept in `captured` after each write. */
  capture?: readonly string[];
  /** String fields the caller needs as bytes where they lie (e.g. a digest to look up): no string is made of them. */
  spans?: readonly string[];
}

// Field kinds the plan handles itself; anything else (records, arrays, maps, fixed, logical types avsc decodes) is
// decoded by avsc and written with copyText, like the generic sink path does.
const enum Kind {
  Null,
  Boolean,
  Int,
  Instant,
  Float,
  Double,
  String,
  Enum,
  Union,
  Other,
}

interface Step {
  kind: Kind;
  /** Written to COPY (else only read past). */
  out: boolean;
  /** Index in `captured`, or -1. */
  capture: number;
  /** Index in `spans` (pairs), or -1. */
  span: number;
  /** Union branches. */
  branches?: Step[];
  symbols?: readonly string[];
  type: avro.Type;
}

const BACKSLASH = 0x5c;
const TAB = 0x09;
const NL = 0x0a;
const CR = 0x0d;

function stepOf(type: avro.Type, out: boolean, capture: number, instant: boolean, span = -1): Step {
  const t = type as avro.Type & { typeName: string; types?: avro.Type[]; symbols?: string[] };
  switch (t.typeName) {
    case 'null':
      return { kind: Kind.Null, out, capture, span, type };
    case 'boolean':
      return { kind: Kind.Boolean, out, capture, span, type };
    case 'int':
    case 'long':
      return { kind: instant ? Kind.Instant : Kind.Int, out, capture, span, type };
    case 'float':
      return { kind: Kind.Float, out, capture, span, type };
    case 'double':
      return { kind: Kind.Double, out, capture, span, type };
    case 'string':
      return { kind: Kind.String, out, capture, span, type };
    case 'enum':
      return { kind: Kind.Enum, out, capture, span, type, symbols: t.symbols! };
    case 'union:unwrapped':
      return { kind: Kind.Union, out, capture, span, type, branches: t.types!.map((b) => stepOf(b, out, capture, instant, span)) };
    default:
      return { kind: Kind.Other, out, capture, span, type };
  }
}

/** A plan for records written with `writer` (an avsc record type, e.g. the items of an array field). */
export function copyRecordPlan(writer: avro.Type, o: CopyPlanOptions): CopyRecordPlan {
  const fields = (writer as unknown as { fields?: { name: string; type: avro.Type }[] }).fields;
  if (!fields) throw new Error(`${writer.name ?? 'type'} is not a record`);
  const wanted = new Set(o.columns);
  const instants = new Set(o.instants ?? []);
  const capture = o.capture ?? [];
  const spanned = o.spans ?? [];
  const spans = new Int32Array(2 * spanned.length);
  const columns: string[] = [];
  const steps = fields.map((f) => {
    const out = wanted.has(f.name);
    if (out) columns.push(f.name);
    return stepOf(f.type, out, capture.indexOf(f.name), instants.has(f.name), spanned.indexOf(f.name));
  });
  const captured: Captured[] = capture.map(() => null);
  let pos = 0;
  let src: Buffer;

  const long = (): number => {
    const v = zigzagAt(src, pos);
    pos = after;
    return v;
  };

  // w === null: only read past the value (checking it stays inside the bytes), writing and capturing nothing.
  const run = (s: Step, w: CopyOut | null): void => {
    switch (s.kind) {
      case Kind.Null:
        if (w === null) return;
        if (s.out) w.ascii('\\N');
        if (s.capture >= 0) captured[s.capture] = null;
        if (s.span >= 0) spans[2 * s.span + 1] = -1;
        return;
      case Kind.Boolean: {
        const v = src[pos++] === 1;
        if (w === null) return;
        if (s.out) w.ascii(v ? 'true' : 'false'); // as copyText writes a boolean
        if (s.capture >= 0) captured[s.capture] = v;
        return;
      }
      case Kind.Int:
      case Kind.Instant: {
        const v = long();
        if (w === null) return;
        if (s.out) w.ascii(s.kind === Kind.Instant ? isoText(v) : String(v));
        if (s.capture >= 0) captured[s.capture] = v;
        return;
      }
      case Kind.Float:
      case Kind.Double: {
        const size = s.kind === Kind.Float ? 4 : 8;
        if (pos + size > src.length) throw new RangeError('number runs past the end of the record');
        const v = size === 4 ? src.readFloatLE(pos) : src.readDoubleLE(pos);
        pos += size;
        if (w === null) return;
        if (s.out) w.ascii(String(v));
        if (s.capture >= 0) captured[s.capture] = v;
        return;
      }
      case Kind.String: {
        const len = long();
        if (len < 0 || pos + len > src.length) throw new RangeError('string runs past the end of the record');
        const end = pos + len;
        if (w !== null && s.out) {
          // Room for the worst case (every byte escaped); multi-byte UTF-8 bytes are all >= 0x80, never special.
          w.room(2 * len);
          const b = w.buf;
          let o = w.off;
          for (let i = pos; i < end; i++) {
            const c = src[i]!;
            if (c === BACKSLASH) {
              b[o++] = BACKSLASH;
              b[o++] = BACKSLASH;
            } else if (c <= CR && (c === TAB || c === NL || c === CR)) {
              b[o++] = BACKSLASH;
              b[o++] = c === TAB ? 0x74 : c === NL ? 0x6e : 0x72;
            } else b[o++] = c;
          }
          w.off = o;
        }
        if (w !== null && s.capture >= 0) captured[s.capture] = src.toString('utf8', pos, end);
        if (w !== null && s.span >= 0) {
          spans[2 * s.span] = pos;
          spans[2 * s.span + 1] = len;
        }
        pos = end;
        return;
      }
      case Kind.Enum: {
        const symbol = s.symbols![long()];
        if (symbol === undefined) throw new RangeError('enum index out of range');
        if (w === null) return;
        if (s.out) w.utf8(copyText(symbol));
        if (s.capture >= 0) captured[s.capture] = symbol;
        return;
      }
      case Kind.Union: {
        const branch = s.branches![long()];
        if (!branch) throw new RangeError('union branch out of range');
        run(branch, w);
        return;
      }
      case Kind.Other: {
        const { value, offset } = s.type.decode(src, pos);
        if (offset < 0) throw new RangeError('value runs past the end of the record');
        pos = offset;
        if (w === null) return;
        if (s.out) w.utf8(copyText(value));
        if (s.capture >= 0) captured[s.capture] = typeof value === 'object' && value !== null ? JSON.stringify(value) : (value as Captured);
        return;
      }
    }
  };

  return {
    columns,
    captured,
    spans,
    write(buf, at, w) {
      src = buf;
      pos = at;
      let first = true;
      for (const s of steps) {
        if (s.out) {
          if (!first) w.byte(TAB);
          first = false;
        }
        run(s, w);
      }
      if (pos > buf.length) throw new RangeError('record runs past the end of its bytes');
      return pos;
    },
    skip(buf, at) {
      src = buf;
      pos = at;
      for (const s of steps) run(s, null);
      if (pos > buf.length) throw new RangeError('record runs past the end of its bytes');
      return pos;
    },
  };
}

/** Where the last zigzagAt ended (a module variable, not an object per number: this runs for every field). */
let after = 0;

/**
 * The Avro long (zigzag varint) at `at` of `buf`, as avsc's Tap.readLong reads it: 28 bits in int arithmetic, the
 * rest (rare) in doubles. Sets `after`.
 */
function zigzagAt(buf: Buffer, at: number): number {
  let pos = at;
  let b = buf[pos++]!;
  let n = b & 0x7f;
  let k = 7;
  while (b & 0x80 && k < 28) {
    b = buf[pos++]!;
    n |= (b & 0x7f) << k;
    k += 7;
  }
  if (!(b & 0x80)) {
    after = pos;
    return (n >>> 1) ^ -(n & 1);
  }
  let f = n >>> 0;
  let fk = 268435456;
  do {
    b = buf[pos++]!;
    f += (b & 0x7f) * fk;
    fk *= 128;
  } while (b & 0x80);
  after = pos;
  return f % 2 ? -(f + 1) / 2 : f / 2;
}

/** The Avro long (zigzag varint) at `at` of `buf`, and the position after it (an array's block counts). */
export function readLong(buf: Buffer, at: number): { value: number; pos: number } {
  const value = zigzagAt(buf, at);
  if (after > buf.length) throw new RangeError('long runs past the end of the bytes');
  return { value, pos: after };
}
