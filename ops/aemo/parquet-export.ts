// `export parquet`: the clean AEMO topics -> the reference updater's four parquet files, the I/O half.
//
// A parquet file is immutable, so "appending" is: keep the file's rows (read once at start), merge new rows on the
// natural key (latest wins), write the whole file to a temp name and rename it over the old one (atomic on one
// filesystem). Each file carries, in its key-value metadata, the next offset per partition of the topic it was built
// from; the export resumes from there. File and position change in the same rename, so a crash at any moment
// neither loses nor duplicates rows. The consumer group (read_committed) only shows lag.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import parquet from '@dsnp/parquetjs';
import type { TopicSpec } from '../../schemas/topics.js';
import { consume } from '../../runtime/consumer.js';
import { log } from '../../runtime/log.js';
import type { Serde } from '../../runtime/serde.js';
import type { CleanInterconnectorFlow, CleanRegionPrice, CleanUnitScada, RooftopPv5Min } from '../../schemas/aemo/clean.js';
import { flowRow, genRow, GEN_OUTPUT, mergeRooftop, mergeRows, ROOFTOP_SOLAR, sortedRows, SPOT_HIST, spotRow, TRANSMISSION_FLOWS, type ParquetFileSpec, type Row } from './parquet.js';

export const OFFSETS_KEY = 'gridstream.offsets';

export interface ExportTopics {
  scada: TopicSpec;
  price: TopicSpec;
  interconnector: TopicSpec;
  rooftop5: TopicSpec;
}

export interface ExportOptions {
  outDir: string;
  topics: ExportTopics;
  serde: Serde;
  /** Keep consuming and rewrite the files every `flushEveryMs` while new rows come in. */
  follow?: boolean;
  flushEveryMs?: number;
  groupId?: string;
}

export interface ExportResult {
  /** Rows added or changed, per file written. */
  written: Record<string, number>;
}

interface OutFile {
  spec: ParquetFileSpec;
  path: string;
  rows: Map<string, Row>;
  /** Next offset per partition included in `rows`. */
  offsets: Map<number, bigint>;
  changed: number;
  apply: (value: unknown) => boolean;
}

async function readFile(path: string, spec: ParquetFileSpec): Promise<{ rows: Map<string, Row>; offsets: Map<number, bigint> }> {
  const rows = new Map<string, Row>();
  const offsets = new Map<number, bigint>();
  if (!existsSync(path)) return { rows, offsets };
  const reader = await parquet.ParquetReader.openFile(path);
  try {
    const cursor = reader.getCursor();
    for (let rec = (await cursor.next()) as Record<string, unknown> | null; rec; rec = (await cursor.next()) as Record<string, unknown> | null) {
      const row: Row = {};
      for (const c of spec.columns) {
        const v = rec[c.name];
        row[c.name] = v instanceof Date ? v.getTime() : typeof v === 'bigint' ? Number(v) : ((v ?? null) as number | string | null);
      }
      rows.set(spec.key(row), row);
    }
    const stored = reader.getMetadata()[OFFSETS_KEY];
    if (typeof stored === 'string') for (const [p, o] of Object.entries(JSON.parse(stored) as Record<string, string>)) offsets.set(Number(p), BigInt(o));
  } finally {
    await reader.close();
  }
  return { rows, offsets };
}

async function writeFile(f: OutFile): Promise<void> {
  const schema = new parquet.ParquetSchema(
    Object.fromEntries(f.spec.columns.map((c) => [c.name, { type: c.type, optional: c.optional ?? false, compression: 'SNAPPY' as const }])),
  );
  const tmp = `${f.path}.tmp-${process.pid}`;
  const writer = await parquet.ParquetWriter.openFile(schema, tmp, { rowGroupSize: 8192 });
  writer.setMetadata(OFFSETS_KEY, JSON.stringify(Object.fromEntries([...f.offsets].map(([p, o]) => [p, o.toString()]))));
  try {
    for (const r of sortedRows(f.rows)) {
      const out: Record<string, unknown> = {};
      for (const c of f.spec.columns) {
        const v = r[c.name];
        if (v === null || v === undefined) continue; // optional column left empty
        out[c.name] = c.type === 'TIMESTAMP_MILLIS' ? new Date(v as number) : v;
      }
      await writer.appendRow(out);
    }
    await writer.close();
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  await rename(tmp, f.path);
}

export const exportGroup = (outDir: string) => `gridstream.export.parquet.${createHash('sha1').update(resolve(outDir)).digest('hex').slice(0, 12)}`;

export async function exportParquet(o: ExportOptions): Promise<ExportResult> {
  await mkdir(o.outDir, { recursive: true });
  const open = async <V>(spec: ParquetFileSpec, merge: (rows: Map<string, Row>, v: V) => boolean): Promise<OutFile> => {
    const path = join(o.outDir, spec.file);
    const { rows, offsets } = await readFile(path, spec);
    return { spec, path, rows, offsets, changed: 0, apply: (v) => merge(rows, v as V) };
  };
  const one = <V>(shape: (v: V) => Row | null, spec: ParquetFileSpec) => (rows: Map<string, Row>, v: V) => {
    const r = shape(v);
    if (!r) return false;
    mergeRows(rows, [r], spec);
    return true;
  };
  const files = new Map<string, OutFile>([
    [o.topics.scada.name, await open<CleanUnitScada>(GEN_OUTPUT, one(genRow, GEN_OUTPUT))],
    [o.topics.price.name, await open<CleanRegionPrice>(SPOT_HIST, one(spotRow, SPOT_HIST))],
    [o.topics.interconnector.name, await open<CleanInterconnectorFlow>(TRANSMISSION_FLOWS, one(flowRow, TRANSMISSION_FLOWS))],
    [o.topics.rooftop5.name, await open<RooftopPv5Min>(ROOFTOP_SOLAR, (rows, v) => (mergeRooftop(rows, [v]), true))],
  ]);
  for (const t of Object.values(o.topics)) await o.serde.use(t.name).catch(() => undefined); // topics never written have no schema yet

  const written: Record<string, number> = {};
  const dirty = new Set<OutFile>();
  const flush = async () => {
    for (const f of dirty) {
      await writeFile(f);
      written[f.spec.file] = (written[f.spec.file] ?? 0) + f.changed;
      log.info({ file: f.path, rows: f.rows.size, changed: f.changed }, 'parquet file written');
      f.changed = 0;
    }
    dirty.clear();
  };
  // Batches and timed flushes take turns, so a file is never written while a batch is half applied to it.
  let turn: Promise<void> = Promise.resolve();
  const serial = (fn: () => Promise<void>) => (turn = turn.then(fn));
  let lastFlush = Date.now();
  const every = o.flushEveryMs ?? 60_000;
  const timer = o.follow ? setInterval(() => void serial(async () => { if (dirty.size && Date.now() - lastFlush >= every) { await flush(); lastFlush = Date.now(); } }), Math.min(every, 5_000)) : undefined;

  try {
    await consume({
      stage: 'export:parquet',
      groupId: o.groupId ?? exportGroup(o.outDir),
      topics: [...files.keys()],
      mode: o.follow ? 'forever' : 'drain',
      autoCommit: true,
      // The file is the truth (the group's committed offset may be ahead of a flush that never happened): a partition
      // the file has no offset for starts at the beginning.
      startAt: async (topic, partition) => files.get(topic)?.offsets.get(partition) ?? 0n,
      handle: ({ batch, resolveOffset }) =>
        serial(async () => {
          const f = files.get(batch.topic)!;
          const from = f.offsets.get(batch.partition) ?? -1n;
          for (const m of batch.messages) {
            if (BigInt(m.offset) < from || !m.value) continue;
            const value = o.serde.decodeKnown(m.value) ?? (await o.serde.decode(m.value));
            if (f.apply(value)) f.changed++;
          }
          const last = batch.messages[batch.messages.length - 1]!.offset;
          if (BigInt(last) + 1n > from) {
            f.offsets.set(batch.partition, BigInt(last) + 1n);
            dirty.add(f);
          }
          resolveOffset(last);
        }),
    });
    await serial(flush);
  } finally {
    if (timer) clearInterval(timer);
  }
  return { written };
}
