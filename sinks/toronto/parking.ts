// clean parking chunks -> parking_tickets, exactly once, through the generic Postgres sink runner: its natural-key
// table is parking_ticket_chunks (one row per chunk, key resource|file|first line, with the runner's offsets in the
// same transaction), and its `touched` hook, in that transaction, COPYs the chunks' tickets into a temp stage and
// upserts them set-wise on ticket_hash (a line repeated verbatim is one ticket) — or, while a load meets no ticket the
// table holds (a first load), COPYs them straight into parking_tickets: the same rows for half the work. A replayed
// chunk writes the same rows again: nothing changes. The (year, location) keys written are marked dirty; the metrics are
// settled (parking-metrics.ts) when a load's final chunk lands, when the batch is small and no load is coming in (the
// sink has caught up), when keys have waited five minutes (a long backfill's metrics still move), or by the sink's heal
// once no batch has come for 30 s (a load whose source stopped mid-year) or at the end of a drain. A bulk year is
// settled once, when it is whole (measured: ~12 s of a 131 s full-year load went to a mid-load settle the final one
// redid), from the per-code counts this instance kept of the tickets it COPYed straight in (migration 064; keys whose
// counts it does not hold are counted from the tickets). When the final chunk of a load lands, tickets an earlier
// load of the same resource wrote and this one did not (a republished year) are removed.
import { randomUUID } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import copyStreams from 'pg-copy-streams';
import type pg from 'pg';
import type { PgSinkComponent } from '../../runtime/components.js';
import { ByteSet } from '../../runtime/byte-set.js';
import { withTransaction } from '../../runtime/db.js';
import { copyText, CopyOut } from '../../runtime/copy-text.js';
import type { TorontoTopics } from '../../schemas/toronto/topics.js';
import { settleGeneration, settleLockKey, settleParkingMetrics, type CountedKeys, type Settled } from './parking-metrics.js';
import { ident, type TorontoTables } from './tables.js';
import { addCounts, LINE_TAIL_COLUMNS, readParkingChunk, TICKET_FIELD_COLUMNS, ticketLines, type ParkingSpanChunk, type TouchedKey } from './ticket-lines.js';

const TICKET_COLUMNS = [...TICKET_FIELD_COLUMNS, ...LINE_TAIL_COLUMNS];

/** Remembered marked keys beyond this are forgotten (marked again): a bound on memory, not a correctness limit. */
const MARKED_MAX = 1_000_000;
/** Settle when this many chunks or fewer came in one batch: the sink is keeping up, not bulk loading. */
const SMALL_BATCH_CHUNKS = 3;
const SETTLE_AFTER_MS = 5 * 60_000;
/** Dirty keys no batch has touched for this long are settled by heal, in a transaction of its own (default). */
const IDLE_SETTLE_MS = 30_000;

export interface TorontoParkingSinkOptions {
  name: string;
  topics: TorontoTopics;
  tables: TorontoTables;
  /** Called after a batch whose transaction settled metrics (e.g. rebuild the map payloads of those neighbourhoods). */
  onSettled?: (s: Settled) => Promise<void>;
  /** How long the topic must be quiet before heal settles keys a stopped load left dirty (default 30 s). */
  idleSettleMs?: number;
}

export const chunkRowKey = (c: { resource_id: string; file: string; first_line: number }) => `${c.resource_id}|${c.file}|${c.first_line}`;

/**
 * COPYs the chunks' tickets into `into` (the stage, or the table itself on a first load); returns their keys. The
 * tickets are turned into COPY text from their Avro bytes while Postgres reads what came before (ticket-lines.ts).
 */
async function copyTickets(client: pg.PoolClient, into: string, chunks: ParkingSpanChunk[]): Promise<Map<string, TouchedKey>> {
  const keys = new Map<string, TouchedKey>();
  // A verbatim duplicate line is one ticket: the first of a batch is kept (in file and line order, as the chunks come),
  // so neither the upsert nor a direct COPY meets one key twice, and Postgres need not sort the stage for DISTINCT ON.
  const seen = new ByteSet(1 << 16);
  // Chunks written with different ticket schemas have different columns: one COPY per set of columns.
  const byColumns = new Map<string, ParkingSpanChunk[]>();
  for (const c of chunks) {
    const cols = [...c.tickets.columns, ...LINE_TAIL_COLUMNS.slice(1)].join(', ');
    const group = byColumns.get(cols);
    if (group) group.push(c);
    else byColumns.set(cols, [c]);
  }
  for (const [cols, group] of byColumns) {
    const lines = function* () {
      const out = new CopyOut();
      for (const c of group) {
        const tail = Buffer.from(`\t${copyText(c.resource_id)}\t${copyText(c.content_hash)}\t${copyText(c.file)}\n`);
        yield* ticketLines(c.tickets, tail, seen, out, keys);
      }
      const last = out.take();
      if (last) yield last;
    };
    await pipeline(Readable.from(lines()), client.query(copyStreams.from(`copy ${into} (${cols}) from stdin`)));
  }
  return keys;
}

/** Whether a key's metrics must be counted from parking_tickets rather than from the counts the sink keeps. */
const recounts = (k: TouchedKey, copied: boolean): boolean => !copied || k.inexact;

/** Kept per-code groups beyond this are not kept: the settle counts those keys from the tickets (a memory bound). */
const COUNTED_MAX = 2_000_000;

export function torontoParkingSink(o: TorontoParkingSinkOptions): PgSinkComponent<ParkingSpanChunk> {
  const T = Object.fromEntries(Object.entries(o.tables).map(([k, v]) => [k, ident(v)])) as Record<keyof TorontoTables, string>;
  const stage = ident(`stage_${o.tables.tickets}`.slice(0, 63));
  // Resources whose current load met tickets already in the table (a reload, a replay): they go through the upsert
  // until the load's final chunk. In memory: a restarted sink tries the direct COPY once more and falls back again.
  const upserting = new Set<string>();
  // Resources whose load's chunks are landing and whose final chunk has not yet (in memory, like `upserting`).
  const open = new Set<string>();
  let lastBatchAt = 0;
  // The (year, location) keys this process's committed batches marked dirty since settle `generation`.
  // Each remembered key says whether it was marked to be counted from the tickets (true) or from `counted` (false).
  let marked = { generation: -1, keys: new Map<string, boolean>() };
  // The generation each chunk's keys were marked under, and whether they were COPYed straight in: a batch that
  // committed before a settle another batch ran must not add its keys to what is remembered after that settle.
  const markedAt = new WeakMap<ParkingSpanChunk, { generation: number; copied: boolean }>();
  // Per-code counts of the tickets this instance's committed batches COPYed straight in since settle `generation`
  // (their keys marked counted_by `owner`): the settle adds them instead of reading those tickets again.
  const owner = randomUUID();
  let batchSeq = 0;
  const noCounts = (generation: number) => ({ generation, batches: 0, groups: 0, full: false, keys: new Map<string, TouchedKey>() });
  let counted = noCounts(-1);
  // The batch in flight: what afterCommit adds to `counted` once its transaction has committed.
  let inFlight: { generation: number; keys?: Map<string, TouchedKey>; settled?: Settled } | undefined;
  const countedFor = (batch?: Map<string, TouchedKey>): CountedKeys => ({
    owner,
    generation: counted.full ? -1 : counted.generation,
    batches: counted.batches + (batch ? 1 : 0),
    keys: function* () {
      yield* counted.keys.values();
      if (batch) yield* batch.values();
    },
  });
  const sink: PgSinkComponent<ParkingSpanChunk> = {
    kind: 'pg-sink',
    name: o.name,
    topic: o.topics.parkingClean,
    table: o.tables.chunks,
    key: ['chunk_key'],
    rowKey: (r) => String(r.chunk_key),
    decode: readParkingChunk,
    // ~35 chunks (70 k tickets) a batch instead of ~10: a full year in ~30 transactions instead of ~110, each with its
    // fixed statements and round trips (measured: 33.7k -> 37.8-38.3k rows/s end to end; RSS 302 -> 333 MB).
    fetchBytes: 16 * 1024 * 1024,
    columns: [
      { name: 'chunk_key', value: (c) => chunkRowKey(c) },
      { name: 'resource_id', value: (c) => c.resource_id, from: 'resource_id' },
      { name: 'year', value: (c) => c.year, from: 'year' },
      { name: 'content_hash', value: (c) => c.content_hash, from: 'content_hash' },
      { name: 'file', value: (c) => c.file, from: 'file' },
      { name: 'first_line', value: (c) => c.first_line, from: 'first_line' },
      { name: 'last_line', value: (c) => c.last_line, from: 'last_line' },
      { name: 'row_count', value: (c) => c.tickets.count },
      { name: 'final', value: (c) => c.final, from: 'final' },
    ],
    touched: async (client, chunks) => {
      inFlight = undefined;
      lastBatchAt = Date.now();
      // A first load meets no ticket it already holds: its tickets are COPYed straight into the table under a
      // savepoint (no stage, no upsert — the same rows the upsert would write). The first unique violation of a
      // resource's load rolls that back and sends the batch, and the rest of that load, through the stage and upsert.
      const resource = chunks[0]?.resource_id ?? '';
      let keys: Map<string, TouchedKey> | undefined;
      let copied = false;
      if (!upserting.has(resource)) {
        await client.query('savepoint gs_direct');
        try {
          keys = await copyTickets(client, T.tickets, chunks);
          await client.query('release savepoint gs_direct');
          copied = true;
        } catch (err) {
          if ((err as { code?: string }).code !== '23505') throw err;
          await client.query('rollback to savepoint gs_direct');
          upserting.add(resource);
          keys = undefined;
        }
      }
      if (!keys) {
        await client.query(`create temp table if not exists ${stage} on commit drop as select ${TICKET_COLUMNS.join(', ')} from ${T.tickets} with no data`);
        await client.query(`truncate ${stage}`);
        keys = await copyTickets(client, stage, chunks);
        const cols = TICKET_COLUMNS.join(', ');
        const nonKey = TICKET_COLUMNS.filter((c) => c !== 'ticket_hash');
        await client.query(
          `insert into ${T.tickets} (${cols}) select ${cols} from ${stage}
           on conflict (ticket_hash) do update set ${nonKey.map((c) => `${c} = excluded.${c}`).join(', ')}
           where (${nonKey.map((c) => `${T.tickets}.${c}`).join(', ')}) is distinct from (${nonKey.map((c) => `excluded.${c}`).join(', ')})`,
        );
      }
      // Holding the settle lock shared, the generation read here cannot change before this transaction ends.
      await client.query('select pg_advisory_xact_lock_shared(hashtext($1))', [settleLockKey(o.tables)]);
      const generation = await settleGeneration(client, o.tables);
      if (generation !== marked.generation || marked.keys.size > MARKED_MAX) marked = { generation, keys: new Map() };
      // Counts kept since an earlier generation stand for nothing: a settle this instance did not run has counted their
      // keys from the tickets.
      if (counted.generation !== generation) counted = noCounts(generation);
      for (const c of chunks) markedAt.set(c, { generation, copied });
      // Tickets COPYed straight in are all new: this instance keeps their per-code counts (after the commit) and the
      // settle adds them to the metrics instead of reading the tickets again. Upserted tickets may replace others:
      // their keys are counted from the table.
      const keeps = copied && [...keys.values()].some((k) => !k.inexact);
      // The keys come from the COPY loop (a `select distinct` over the stage cost Postgres a sort of every row), less
      // those this process marked since the last settle: a bulk year meets the same ~100 k locations in every batch. A
      // key marked counted is marked again when it must now be counted from the tickets; a key two instances mark
      // counted is counted from the tickets (neither holds all its counts).
      const fresh = [...keys].filter(([k, v]) => {
        const was = marked.keys.get(k);
        return was === undefined || (was === false && recounts(v, copied));
      });
      if (fresh.length)
        await client.query(
          `insert into ${T.dirty} (year, location, street, counted_by) select * from unnest($1::int[], $2::text[], $3::text[], $4::text[])
           on conflict (year, location) do update set counted_by = null
           where ${T.dirty}.counted_by is not null and ${T.dirty}.counted_by is distinct from excluded.counted_by`,
          [fresh.map(([, k]) => k.year), fresh.map(([, k]) => k.location), fresh.map(([, k]) => k.street), fresh.map(([, k]) => (recounts(k, copied) ? null : owner))],
        );
      if (keeps) await client.query(`insert into ${T.countedBatches} (counted_by, batch) values ($1, $2)`, [owner, ++batchSeq]);
      inFlight = { generation, keys: keeps ? keys : undefined };
      const loads = [...new Map(chunks.map((c) => [`${c.resource_id}|${c.content_hash}`, c])).values()];
      await client.query(`insert into ${T.loads} (resource_id, load_hash) select * from unnest($1::text[], $2::text[]) on conflict do nothing`, [
        loads.map((c) => c.resource_id),
        loads.map((c) => c.content_hash),
      ]);
      // A final chunk closes its load: rows of an earlier load of the resource that this load did not write again go
      // (only looked for when parking_ticket_loads holds an earlier load: the delete scans every ticket).
      for (const c of chunks.filter((x) => x.final)) {
        const earlier = await client.query(`delete from ${T.loads} where resource_id = $1 and load_hash <> $2`, [c.resource_id, c.content_hash]);
        if (earlier.rowCount)
          await client.query(
            `with gone as (delete from ${T.tickets} where resource_id = $1 and load_hash <> $2 returning year, location, street)
             insert into ${T.dirty} (year, location, street) select distinct on (year, location) year, location, street from gone where location is not null
             on conflict (year, location) do update set counted_by = null`,
            [c.resource_id, c.content_hash],
          );
        await client.query(`delete from ${T.chunks} where resource_id = $1 and content_hash <> $2`, [c.resource_id, c.content_hash]);
        upserting.delete(c.resource_id);
      }
      for (const c of chunks) if (c.final) open.delete(c.resource_id);
      else open.add(c.resource_id);
      const old = await client.query<{ old: boolean }>(`select coalesce(min(since) < now() - make_interval(secs => $1), false) as old from ${T.dirty}`, [SETTLE_AFTER_MS / 1000]);
      // A small batch means the sink has caught up — unless a load is still coming in (a processor slower than this
      // sink for a while): its keys wait for its final chunk.
      const caughtUp = chunks.length <= SMALL_BATCH_CHUNKS && open.size === 0;
      if (chunks.some((c) => c.final) || caughtUp || old.rows[0]!.old) {
        inFlight.settled = await settleParkingMetrics(client, o.tables, { counted: countedFor(inFlight.keys) });
      }
      lastBatchAt = Date.now();
    },
    // A load that stopped mid-year (its source killed, the year not republished yet) leaves keys dirty that no batch
    // will settle: once the topic has been quiet for idleSettleMs, or a drain has read all there is, they settle here.
    heal: async ({ drained }) => {
      if (!drained && Date.now() - lastBatchAt < (o.idleSettleMs ?? IDLE_SETTLE_MS)) return;
      const s = await withTransaction((client) => settleParkingMetrics(client, o.tables, { counted: countedFor() }));
      // Settled (or nothing was dirty): the counts kept are in the metrics, or stood for nothing.
      counted = noCounts(s.generation);
      if (s.keys > 0) await o.onSettled?.(s);
    },
    afterCommit: async (chunks) => {
      // Committed: the counts of the tickets COPYed are kept until a settle adds them (or are in the metrics already,
      // when this batch settled). Synchronous, before anything here can fail: what the database says this instance
      // holds (parking_metric_counted_batches) it must hold.
      const b = inFlight;
      inFlight = undefined;
      if (b?.settled) counted = noCounts(b.settled.generation);
      else if (b?.keys) {
        if (counted.generation !== b.generation) counted = noCounts(b.generation);
        counted.batches++;
        if (counted.groups < COUNTED_MAX) counted.groups += addCounts(counted.keys, b.keys.values());
        else counted.full = true;
      }
      // Their keys are in the dirty table until the next settle (which bumps the generation, so a settle this very
      // batch ran makes the next batch forget them again).
      const batchKeys = new Map<Map<string, TouchedKey>, { generation: number; copied: boolean } | undefined>();
      for (const c of chunks) if (c.tickets.keys) batchKeys.set(c.tickets.keys, markedAt.get(c));
      for (const [keys, at] of batchKeys) {
        if (at?.generation !== marked.generation) continue;
        for (const [k, v] of keys) if (!marked.keys.get(k)) marked.keys.set(k, recounts(v, at.copied));
      }
      if (b?.settled && b.settled.keys > 0) await o.onSettled?.(b.settled);
    },
  };
  return sink;
}
