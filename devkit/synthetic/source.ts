// A built-in source of AEMO SCADA-shaped readings, deterministic from its options. It feeds the demo, the runtime's
// tests (which ask for a few malformed records on purpose) and the pipeline benchmark.
import { rawTopic, type TopicSpec } from '../../schemas/topics.js';
import type { SourceComponent } from '../../runtime/components.js';
import type { RawRecord, Source } from '../../runtime/types.js';
import type { RawScada } from '../../schemas/synthetic/records.gen.js';

// The raw reading's type is generated from schemas/synthetic/raw-scada.avsc.
export type { RawScada };

export interface SyntheticOptions {
  /** Records in all. */
  count?: number;
  /** Distinct units per interval. */
  units?: number;
  /** Indexes of records to make malformed (an unparseable value, an impossible date, an empty unit, in turn). */
  malformed?: number[];
  /** First interval end, NEM time. */
  start?: string;
  batchSize?: number;
}

export interface SyntheticCursor {
  next: number;
}

const NEM_OFFSET_MS = 10 * 3600 * 1000;

// The last label made: consecutive readings share an interval, and formatting it was 5 % of the pipeline bench's
// source CPU — the generator's cost, not the pipeline's.
let lastLabel = { utcMs: NaN, text: '' };

/** NEM label (UTC+10, no DST) of an instant: `YYYY/MM/DD HH:MM:SS`. */
export function nemLabel(utcMs: number): string {
  if (utcMs === lastLabel.utcMs) return lastLabel.text;
  const d = new Date(utcMs + NEM_OFFSET_MS).toISOString();
  lastLabel = { utcMs, text: `${d.slice(0, 4)}/${d.slice(5, 7)}/${d.slice(8, 10)} ${d.slice(11, 19)}` };
  return lastLabel.text;
}

/** The i-th reading: unit i mod units, interval i div units, a value that is a pure function of i. */
export function syntheticReading(i: number, units: number, startUtc: number): RawScada {
  const interval = Math.floor(i / units);
  const value = (((i * 7919) % 200_000) - 20_000) / 1000; // -20 .. 180 MW, three decimals, some negative
  return { settlementdate: nemLabel(startUtc + interval * 300_000), duid: `UNIT${String(i % units).padStart(3, '0')}`, scadavalue: value.toFixed(3) };
}

function corrupt(r: RawScada, n: number): RawScada {
  if (n % 3 === 0) return { ...r, scadavalue: 'n/a' };
  if (n % 3 === 1) return { ...r, settlementdate: '2024/13/45 99:99:99' };
  return { ...r, duid: '' };
}

export function syntheticSourceOf(name: string): Source<RawScada, SyntheticCursor, SyntheticOptions> {
  return {
    name,
    async *read(cursor, o, ctx) {
      const count = o.count ?? 2016;
      const units = o.units ?? 7;
      const startUtc = Date.parse(`${(o.start ?? '2024/08/01 00:05:00').replace(/\//g, '-').replace(' ', 'T')}+10:00`);
      const malformed = new Map((o.malformed ?? []).map((i, n) => [i, n]));
      const size = o.batchSize ?? 5000;
      for (let i = cursor?.next ?? 0; i < count && !ctx.signal.aborted; ) {
        const records: RawRecord<RawScada>[] = [];
        const end = Math.min(count, i + size);
        for (; i < end; i++) {
          const good = syntheticReading(i, units, startUtc);
          const n = malformed.get(i);
          const value = n === undefined ? good : corrupt(good, n);
          records.push({
            key: `${value.duid}|${value.settlementdate}`,
            value,
            eventTime: startUtc + Math.floor(i / units) * 300_000,
            sourceRef: `synthetic:${name}`,
            headers: { row: String(i) },
          });
        }
        ctx.progress?.(i, count);
        yield { records, cursor: { next: i } };
      }
    },
  };
}

export function syntheticSource(name = 'synthetic', raw: TopicSpec = syntheticRawTopic(name)): SourceComponent<RawScada, SyntheticCursor, SyntheticOptions> {
  return { kind: 'source', name, topics: [raw], source: syntheticSourceOf(name), pollEveryMs: 60_000 };
}

export const syntheticRawTopic = (name = 'synthetic') =>
  rawTopic(`raw.${name}.scada`, { key: 'duid|settlementdate (NEM label)', schema: './synthetic/raw-scada.avsc', description: 'SCADA-shaped readings as generated, strings as in an MMS CSV' });
