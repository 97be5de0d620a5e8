// The migrations against the schemas: for every Postgres sink of the pipeline map, the table the migrations made has
// every column the sink writes, its key is a unique index ON CONFLICT can use, each column copied from an Avro field
// has an SQL type that holds that field's values (nulls included), and no NOT NULL column is left for the sink to miss.
// The SQL is written once (infra/migrations) and the record shape once (.avsc); this is what keeps the two in step.
import { afterAll, describe, expect, it } from 'vitest';
import { pipeline } from '../../pipeline.js';
import type { PgSinkComponent } from '../../runtime/components.js';
import { closePool, pool } from '../../runtime/db.js';
import { isTimestampMillis } from '../../runtime/pg-columns.js';

afterAll(closePool);

const sinks = pipeline.flatMap((f) => f.sinks).filter((s): s is PgSinkComponent => s.kind === 'pg-sink');

interface TableColumn {
  column_name: string;
  data_type: string;
  is_nullable: 'YES' | 'NO';
  column_default: string | null;
  is_identity: 'YES' | 'NO';
  is_generated: 'ALWAYS' | 'NEVER';
}

async function tableColumns(table: string): Promise<Map<string, TableColumn>> {
  const r = await pool().query<TableColumn>(
    `select column_name, data_type, is_nullable, column_default, is_identity, is_generated
       from information_schema.columns where table_schema = current_schema() and table_name = $1`,
    [table],
  );
  return new Map(r.rows.map((c) => [c.column_name, c]));
}

/** Column sets of the table's unique, non-partial indexes (what ON CONFLICT (cols) can infer), primary key marked. */
async function uniqueKeys(table: string): Promise<{ primary: boolean; columns: string[] }[]> {
  const r = await pool().query<{ primary: boolean; columns: string[] }>(
    `select i.indisprimary as primary, array_agg(a.attname::text order by k.ord) as columns
       from pg_index i
       cross join lateral unnest(i.indkey) with ordinality as k(attnum, ord)
       join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
      where i.indrelid = $1::regclass and i.indisunique and i.indpred is null
      group by i.indexrelid, i.indisprimary`,
    [table],
  );
  return r.rows;
}

// Which SQL types hold the values of an Avro type as the sink writes them (COPY text: numbers as JS prints them,
// instants as ISO strings, maps as JSON). A string goes into a date column only as YYYY-MM-DD, as documented where
// a schema does so (clean.elexon.curtailment settlement_date).
const HOLDS: Record<string, string[]> = {
  'timestamp-millis': ['timestamp with time zone'],
  // numeric: exact decimal text (e.g. ComparePower's $/kWh prices) kept exact by NUMERIC.
  string: ['text', 'character varying', 'date', 'numeric'],
  enum: ['text', 'character varying', 'USER-DEFINED'],
  int: ['integer', 'bigint', 'numeric', 'double precision'],
  long: ['bigint', 'numeric'],
  float: ['real', 'double precision', 'numeric'],
  double: ['double precision', 'numeric'],
  boolean: ['boolean'],
  map: ['jsonb', 'json'],
  array: ['jsonb', 'json'],
  record: ['jsonb', 'json'],
  bytes: ['bytea'],
};

/** The Avro field's type less its null branch: a name for HOLDS, and whether null is allowed. */
function avroKind(type: unknown): { kind: string; nullable: boolean } {
  const branches = Array.isArray(type) ? type : [type];
  const nonNull = branches.filter((b) => b !== 'null');
  if (nonNull.length !== 1) throw new Error(`union ${JSON.stringify(type)} has no single SQL counterpart`);
  const t = nonNull[0];
  const kind = isTimestampMillis(t) ? 'timestamp-millis' : typeof t === 'string' ? t : String((t as { type: unknown }).type);
  return { kind, nullable: nonNull.length !== branches.length };
}

describe('Postgres sinks of the pipeline map against the migrated tables', () => {
  it('covers every table sink of the map', () => {
    expect(sinks.map((s) => s.table).sort()).toEqual(
      ['aemo_interconnector_flow', 'aemo_region_price', 'aemo_rooftop_pv', 'aemo_rooftop_pv_5min', 'aemo_unit_scada', 'camera_charges', 'camera_locations', 'curtailment_records', 'electricity_plans', 'neso_cmus', 'neso_components', 'neso_locations', 'parking_ticket_chunks'],
    );
  });

  it.each(sinks.map((s) => [s.table, s] as const))('%s has the sink\'s columns and key', async (table, sink) => {
    const columns = await tableColumns(table);
    expect(columns.size, `table ${table} exists`).toBeGreaterThan(0);
    const written = sink.columns.map((c) => c.name);
    expect(written.filter((c) => !columns.has(c)), 'columns the sink writes that the table lacks').toEqual([]);
    expect(new Set(written).size, 'no column written twice').toBe(written.length);

    const keys = await uniqueKeys(table);
    const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.includes(x));
    const conflictTarget = keys.find((k) => sameSet(k.columns, sink.key));
    expect(conflictTarget, `a unique index on (${sink.key.join(', ')}) for ON CONFLICT; table has ${JSON.stringify(keys)}`).toBeDefined();
    expect(conflictTarget!.primary, 'the natural key is the primary key').toBe(true);
    expect(sink.key.filter((k) => !written.includes(k)), 'key columns the sink does not fill').toEqual([]);
    for (const c of [sink.versionColumn, sink.replaceScope]) if (c) expect(written, `${c} is a written column`).toContain(c);

    // Reverse: a NOT NULL column without a default that the sink never fills would fail every insert.
    const required = [...columns.values()].filter((c) => c.is_nullable === 'NO' && c.column_default === null && c.is_identity === 'NO' && c.is_generated === 'NEVER');
    expect(required.map((c) => c.column_name).filter((c) => !written.includes(c)), 'NOT NULL columns the sink never fills').toEqual([]);
  });

  it.each(sinks.map((s) => [s.table, s] as const))('%s columns hold the Avro fields they copy', async (table, sink) => {
    const columns = await tableColumns(table);
    if (sink.topic.schema === 'bytes') throw new Error(`${sink.topic.name} has no Avro value`);
    const fields = new Map((sink.topic.schema.fields as { name: string; type: unknown }[]).map((f) => [f.name, f.type]));
    const copied = sink.columns.filter((c) => c.from !== undefined);
    expect(copied.length, 'columns derived from the schema').toBeGreaterThan(0);
    const problems: string[] = [];
    for (const c of copied) {
      const field = fields.get(c.from!);
      const col = columns.get(c.name);
      if (field === undefined || col === undefined) {
        problems.push(`${c.name}: field ${c.from} or column missing`);
        continue;
      }
      const { kind, nullable } = avroKind(field);
      const holds = HOLDS[kind] ?? [];
      if (!holds.includes(col.data_type)) problems.push(`${c.name} is ${col.data_type}, but field ${c.from} is Avro ${kind} (fits ${holds.join(' | ') || 'nothing'})`);
      if (nullable && col.is_nullable === 'NO') problems.push(`${c.name} is NOT NULL, but field ${c.from} may be null`);
    }
    expect(problems).toEqual([]);
  });
});
