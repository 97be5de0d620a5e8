// Values of the register as NESO writes them, read into typed fields. Pure: no I/O.

/** Trimmed text, or null for null, blank and the placeholders that mean "nothing". */
export function textOf(x: unknown): string | null {
  if (x === null || x === undefined) return null;
  const s = (typeof x === 'string' ? x : typeof x === 'number' || typeof x === 'boolean' ? String(x) : JSON.stringify(x)).trim();
  return s === '' ? null : s;
}

/**
 * A capacity: a number (MW) when the value is one ("43.4", 43.4, "1,250.5"), else null with the original text kept
 * ("N/A", "TBC", "see plan"). Blank gives null and no text.
 */
export function capacityOf(x: unknown): { mw: number | null; text: string | null } {
  if (typeof x === 'number') return Number.isFinite(x) ? { mw: x, text: null } : { mw: null, text: String(x) };
  const t = textOf(x);
  if (t === null) return { mw: null, text: null };
  const plain = t.replace(/,/g, '').replace(/\s*MW$/i, '');
  if (/^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/.test(plain)) {
    const n = Number(plain);
    if (Number.isFinite(n)) return { mw: n, text: null };
  }
  return { mw: null, text: t };
}

/** A whole number, or null when blank or not one. */
export function integerOf(x: unknown): number | null {
  const t = textOf(x);
  if (t === null || !/^[-+]?\d{1,9}$/.test(t)) return null;
  return Number(t);
}

/**
 * A delivery year as its first calendar year and a YYYY/YY label: 2020, "2020", "2016/2017", "2016/17", "2029-30",
 * "2029-2030". Throws for anything else (the record is dead-lettered with the reason).
 */
export function deliveryYearOf(x: unknown): { start: number; label: string } {
  const t = textOf(x);
  if (t === null) throw new Error('Delivery Year is blank');
  const m = /^(\d{4})(?:\s*[-/]\s*(\d{2}|\d{4}))?$/.exec(t);
  if (!m) throw new Error(`Delivery Year is not a year: ${JSON.stringify(t).slice(0, 80)}`);
  const start = Number(m[1]);
  if (start < 1990 || start > 2100) throw new Error(`Delivery Year out of range: ${start}`);
  if (m[2] !== undefined) {
    const end = m[2].length === 2 ? Number(m[2]) : Number(m[2]) % 100;
    if (end !== (start + 1) % 100) throw new Error(`Delivery Year is not one year long: ${JSON.stringify(t)}`);
  }
  return { start, label: `${start}/${String((start + 1) % 100).padStart(2, '0')}` };
}

// UK postcode: outward code (area, district) and inward code (sector digit, unit letters). The inward letters never
// include C I K M O V; matching the last one in the text skips street numbers and grid references before it.
const POSTCODE = /\b([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][ABD-HJLNP-UW-Z]{2})\b/gi;

/** The last full UK postcode in a location string, as "OUT IN" upper case, with its outward code. */
export function postcodeOf(location: string | null): { postcode: string; outward: string } | null {
  if (!location) return null;
  let last: RegExpExecArray | null = null;
  for (const m of location.matchAll(POSTCODE)) last = m;
  if (!last) return null;
  const outward = last[1]!.toUpperCase();
  return { postcode: `${outward} ${last[2]!.toUpperCase()}`, outward };
}

/** Telephone without Excel's leading "'" guard. */
export function telephoneOf(x: unknown): string | null {
  const t = textOf(x);
  return t === null ? null : t.replace(/^'+/, '').trim() || null;
}

export const TECHNOLOGY_CLASSES = ['battery', 'storage', 'gas', 'chp', 'dsr', 'waste', 'biomass', 'nuclear', 'wind', 'solar', 'hydro', 'interconnector', 'coal', 'oil', 'other', 'unknown'] as const;
export type TechnologyClass = (typeof TECHNOLOGY_CLASSES)[number];

// First match wins, so the specific come before the general ("Storage - Battery" is battery, not storage).
const TECHNOLOGY_RULES: [RegExp, TechnologyClass][] = [
  [/interconnector/i, 'interconnector'],
  [/batter|electro.?chemical|bess/i, 'battery'],
  [/storage|pumped|flywheel/i, 'storage'],
  [/\bdsr\b|demand side|load reduction/i, 'dsr'],
  [/\bchp\b|autogeneration|combined heat/i, 'chp'],
  [/waste|\befw\b|landfill|anaerobic/i, 'waste'],
  [/biomass|bio.?fuel|wood/i, 'biomass'],
  [/nuclear/i, 'nuclear'],
  [/wind/i, 'wind'],
  [/solar|photovoltaic|\bpv\b/i, 'solar'],
  [/hydro/i, 'hydro'],
  [/coal/i, 'coal'],
  [/\bgas\b|ccgt|ocgt|reciprocating|turbine/i, 'gas'],
  [/\boil\b|diesel/i, 'oil'],
];

/** A technology class from the most specific field first (technology class, then fuel, then description). */
export function technologyClassOf(...candidates: (string | null)[]): TechnologyClass {
  const present = candidates.filter((c): c is string => c !== null && c.trim() !== '');
  for (const c of present) for (const [re, cls] of TECHNOLOGY_RULES) if (re.test(c)) return cls;
  return present.length ? 'other' : 'unknown';
}
