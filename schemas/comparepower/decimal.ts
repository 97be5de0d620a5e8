// Exact decimal text for the API's numbers. JSON.parse gives doubles; a double's shortest round-trip text
// (String(n)) is the decimal the API wrote whenever it wrote at most 15 significant digits, which every price, fee
// and percentage does (3-6 decimals). From here on the value only travels as text and Postgres NUMERIC: it never
// goes through float arithmetic. Pure, no I/O.

const PLAIN = /^-?\d+(\.\d+)?$/;

/** Expands exponent notation (1e-7, 1.5e+21) into plain decimal text, digit for digit. */
function plainOf(s: string): string {
  const m = /^(-?)(\d+)(?:\.(\d+))?e([+-]?\d+)$/i.exec(s);
  if (!m) return s;
  const [, sign, int, frac = '', expText] = m;
  const exp = Number(expText);
  const digits = int! + frac;
  const point = int!.length + exp;
  let out: string;
  if (point <= 0) out = `0.${'0'.repeat(-point)}${digits}`;
  else if (point >= digits.length) out = digits + '0'.repeat(point - digits.length);
  else out = `${digits.slice(0, point)}.${digits.slice(point)}`;
  return sign + normalise(out);
}

/** Drops leading zeros of the integer part and trailing zeros of the fraction ("0.1740" -> "0.174", "5.0" -> "5"). */
function normalise(s: string): string {
  const neg = s.startsWith('-');
  let [int = '0', frac = ''] = (neg ? s.slice(1) : s).split('.');
  int = int.replace(/^0+(?=\d)/, '');
  frac = frac.replace(/0+$/, '');
  const out = frac ? `${int}.${frac}` : int;
  return neg && out !== '0' ? `-${out}` : out;
}

/** The exact decimal text of a JSON number or numeric string; null for null/absent; undefined when not a number. */
export function decimalText(x: unknown): string | null | undefined {
  if (x === null || x === undefined) return null;
  if (typeof x === 'number') return Number.isFinite(x) ? normalise(plainOf(String(x))) : undefined;
  if (typeof x === 'string') {
    const t = x.trim();
    if (PLAIN.test(t)) return normalise(t);
    if (/^-?\d+(\.\d+)?e[+-]?\d+$/i.test(t)) return normalise(plainOf(t));
  }
  return undefined;
}

/** Orders two decimal texts exactly (no conversion to floats). */
export function compareDecimal(a: string, b: string): number {
  const na = a.startsWith('-');
  const nb = b.startsWith('-');
  if (na !== nb) return na ? -1 : 1;
  const sign = na ? -1 : 1;
  const [ai = '0', af = ''] = (na ? a.slice(1) : a).split('.');
  const [bi = '0', bf = ''] = (nb ? b.slice(1) : b).split('.');
  const ia = ai.replace(/^0+(?=\d)/, '');
  const ib = bi.replace(/^0+(?=\d)/, '');
  if (ia.length !== ib.length) return sign * (ia.length < ib.length ? -1 : 1);
  if (ia !== ib) return sign * (ia < ib ? -1 : 1);
  const len = Math.max(af.length, bf.length);
  const fa = af.padEnd(len, '0');
  const fb = bf.padEnd(len, '0');
  return fa === fb ? 0 : sign * (fa < fb ? -1 : 1);
}
