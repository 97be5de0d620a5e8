// Field parsing shared by the AEMO normalisers. Each helper throws FieldError with a reason naming the AEMO column and
// the value, and `normaliser` turns that into a Rejection, so a transform reads as a list of fields.
import type { InputMessage, OutputRecord, Transform } from '../../runtime/types.js';
import { reject } from '../../runtime/types.js';
import { parseNemTime } from '../../schemas/aemo/nem-time.js';
import type { NemTime } from '../../schemas/aemo/nem-time.js';

export class FieldError extends Error {
  override name = 'FieldError';
}

// Plain decimal or scientific notation as AEMO writes it (`-1E-05`, `0.20`, `.5`); no hex, no Infinity, no spaces.
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

const show = (v: string): string => JSON.stringify(v);

/** A number exactly as written; '' or an absent column (null) -> null. */
export function decimal(value: string | null | undefined, column: string): number | null {
  if (value === null || value === undefined || value === '') return null;
  if (!DECIMAL.test(value)) throw new FieldError(`${column}: not a number: ${show(value)}`);
  const n = Number(value);
  // `1e400` matches DECIMAL but overflows to Infinity, which no sink or aggregate can use: reject it, don't store it.
  if (!Number.isFinite(n)) throw new FieldError(`${column}: not a finite number: ${show(value)}`);
  return n;
}

export function requiredDecimal(value: string | null | undefined, column: string): number {
  const n = decimal(value, column);
  if (n === null) throw new FieldError(`${column}: missing`);
  return n;
}

/** A whole number fitting an Avro int; `1.0` is accepted (re-serialised archives may write ints that way). */
export function integer(value: string | null | undefined, column: string): number | null {
  const n = decimal(value, column);
  if (n === null) return null;
  if (!Number.isInteger(n) || Math.abs(n) > 2 ** 31 - 1) throw new FieldError(`${column}: not an integer: ${show(value ?? '')}`);
  return n;
}

export function requiredInteger(value: string | null | undefined, column: string): number {
  const n = integer(value, column);
  if (n === null) throw new FieldError(`${column}: missing`);
  return n;
}

export function requiredText(value: string | null | undefined, column: string): string {
  if (value === null || value === undefined || value === '') throw new FieldError(`${column}: missing`);
  return value;
}

export function requiredTime(value: string | null | undefined, column: string): Readonly<NemTime> {
  const text = requiredText(value, column);
  const t = parseNemTime(text);
  if (!t) throw new FieldError(`${column}: not a NEM timestamp: ${show(text)}`);
  return t;
}

/** UTC ms of an optional timestamp; '' or absent -> null, anything unparseable -> FieldError. */
export function optionalTime(value: string | null | undefined, column: string): number | null {
  if (value === null || value === undefined || value === '') return null;
  return requiredTime(value, column).utc;
}

/** Wraps a field-by-field normaliser as a Transform: a FieldError becomes a Rejection; other errors propagate. */
export function normaliser<R, C>(fn: (input: InputMessage<R>) => OutputRecord<C>[]): Transform<R, C> {
  return (input) => {
    try {
      return fn(input);
    } catch (err) {
      if (err instanceof FieldError) return reject(err.message);
      throw err;
    }
  };
}
