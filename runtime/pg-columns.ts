// Sink columns derived from a topic's Avro schema: most tables store a clean record's fields one to one under the same
// names, so listing them by hand would write each record shape again. timestamp-millis fields (UTC ms in the value)
// become Dates, the one conversion every such copy needs; anything else (a derived key, a renamed or computed value)
// is written as an explicit column beside these.
import type { PgColumn } from './components.js';
import type { TopicSpec } from '../schemas/topics.js';

type FieldName<V> = keyof V & string;

export interface FieldColumnOptions<V> {
  /** Fields the table does not store. */
  omit?: FieldName<V>[];
  /** Fields stored under another column name (e.g. the old system's name). */
  rename?: Partial<Record<FieldName<V>, string>>;
}

interface AvroField {
  name: string;
  type: unknown;
}

/** What fieldColumns made a column of: the field it copies, and whether it turns epoch ms into an instant. */
const madeOf = new WeakMap<object, { field: string; instant: boolean }>();

/** The field a column copies one to one (a column fieldColumns made), or undefined for any other column. */
export const fieldOf = <V>(column: PgColumn<V>): { field: string; instant: boolean } | undefined => madeOf.get(column);

/** One column per field of the topic's value schema, in schema order. */
export function fieldColumns<V>(topic: TopicSpec, o: FieldColumnOptions<V> = {}): PgColumn<V>[] {
  if (topic.schema === 'bytes') throw new Error(`${topic.name} carries raw bytes: no fields to store`);
  const fields = topic.schema.fields as AvroField[];
  const names = new Set(fields.map((f) => f.name));
  for (const n of [...(o.omit ?? []), ...Object.keys(o.rename ?? {})]) {
    if (!names.has(n)) throw new Error(`${topic.name} has no field ${n}`);
  }
  const rename = (o.rename ?? {}) as Record<string, string | undefined>;
  return fields
    .filter((f) => !(o.omit as string[] | undefined)?.includes(f.name))
    .map((f) => {
      const field = f.name;
      const get = (v: V) => (v as Record<string, unknown>)[field];
      const instant = isTimestampMillis(f.type);
      const value = instant
        ? (v: V) => {
            const ms = get(v);
            return ms === null || ms === undefined ? null : new Date(ms as number);
          }
        : get;
      const column: PgColumn<V> = { name: rename[field] ?? field, value, from: field };
      madeOf.set(column, { field, instant });
      return column;
    });
}

/** `{"type":"long","logicalType":"timestamp-millis"}`, alone or as the non-null branch of a union with null. */
export function isTimestampMillis(type: unknown): boolean {
  const branches = Array.isArray(type) ? type.filter((b) => b !== 'null') : [type];
  return branches.length === 1 && typeof branches[0] === 'object' && branches[0] !== null && (branches[0] as { logicalType?: unknown }).logicalType === 'timestamp-millis';
}
