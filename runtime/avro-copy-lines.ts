// COPY lines of a batch straight from its records' Avro bytes (runtime/avro-copy.ts), for a sink whose columns are
// the clean record's fields one to one (fieldColumns) and that needs no decoded values after the write: no object
// per record, no Date per instant, no string per field. Anything this does not take — a writer schema not yet known,
// one that lacks a column's field, two writer schemas in one batch, bytes that do not read — gives no lines, and the
// sink decodes the batch as usual (which dead-letters what is bad).
import type avro from 'avsc';
import type { KafkaMessage } from 'kafkajs';
import { copyRecordPlan, type CopyRecordPlan } from './avro-copy.js';
import type { PgSinkComponent } from './components.js';
import { CopyOut } from './copy-text.js';
import { fieldOf } from './pg-columns.js';
import type { Serde } from './serde.js';

export interface AvroCopyBatch {
  /** Table columns, in the order the lines hold them (the writer schema's field order). */
  columns: string[];
  /** The lines, gathered into parts for the COPY stream. */
  parts: Buffer[];
  rows: number;
}

const NL = 0x0a;

export class AvroCopyLines {
  private readonly plans = new WeakMap<avro.Type, CopyRecordPlan | null>();

  private constructor(
    private readonly serde: Serde,
    /** Table column by field, and the fields holding epoch ms written as instants. */
    private readonly columnOf: Map<string, string>,
    private readonly instants: string[],
  ) {}

  /** For a sink that stores its record's fields one to one and keeps no values for after the write; else undefined. */
  static of<V>(sink: PgSinkComponent<V>, serde: Serde): AvroCopyLines | undefined {
    if (sink.decode || sink.isRow || sink.touched || sink.afterCommit) return undefined;
    const columnOf = new Map<string, string>();
    const instants: string[] = [];
    for (const c of sink.columns) {
      const made = fieldOf(c);
      if (!made) return undefined;
      columnOf.set(made.field, c.name);
      if (made.instant) instants.push(made.field);
    }
    return new AvroCopyLines(serde, columnOf, instants);
  }

  private planOf(writer: avro.Type): CopyRecordPlan | null {
    let plan = this.plans.get(writer);
    if (plan === undefined) {
      plan = copyRecordPlan(writer, { columns: [...this.columnOf.keys()], instants: this.instants });
      // A writer without one of the columns' fields: the decode path writes what it writes for a missing field.
      if (plan.columns.length !== this.columnOf.size) plan = null;
      this.plans.set(writer, plan);
    }
    return plan;
  }

  /** The COPY lines of the batch's records (tombstones skipped, as the sink skips them), or undefined. */
  lines(messages: KafkaMessage[]): AvroCopyBatch | undefined {
    const out = new CopyOut(64 * 1024);
    const parts: Buffer[] = [];
    let plan: CopyRecordPlan | undefined;
    let rows = 0;
    const write = (writer: avro.Type, body: Buffer): number => {
      const p = this.planOf(writer);
      if (!p || (plan && p !== plan)) return -1;
      plan = p;
      return p.write(body, 0, out) === body.length ? 1 : -1; // trailing bytes: not a record of this schema
    };
    for (const m of messages) {
      if (!m.value) continue;
      let wrote: unknown;
      try {
        wrote = this.serde.decodeKnown(m.value, write);
      } catch {
        return undefined;
      }
      if (wrote !== 1) return undefined;
      out.byte(NL);
      rows++;
      const full = out.full();
      if (full) parts.push(full);
    }
    const last = out.take();
    if (last) parts.push(last);
    if (!plan) return undefined;
    return { columns: plan.columns.map((f) => this.columnOf.get(f)!), parts, rows };
  }
}
