// A clean parking chunk read straight into COPY lines (runtime/avro-copy.ts): the chunk's own fields are decoded, its
// tickets are not — each becomes one line of COPY text (the ticket's fields in the writer's order, then its year)
// plus the few values the sink needs per ticket (hash, year, location, street). Decoding 2,000 tickets a chunk into
// objects and writing them out again as text was most of the sink process's CPU, garbage collection included.
// Pure: no I/O.
import type avro from 'avsc';
import { copyRecordPlan, readLong, type CopyRecordPlan } from '../../runtime/avro-copy.js';
import type { ByteSet } from '../../runtime/byte-set.js';
import type { CopyOut } from '../../runtime/copy-text.js';
import type { ParkingTicketChunk } from '../../schemas/toronto/records.gen.js';

/** The parking_tickets columns a ticket's own fields may fill (the rest come from the chunk). */
export const TICKET_FIELD_COLUMNS = [
  'ticket_hash', 'tag_number_masked', 'date_of_infraction', 'time_of_infraction', 'infraction_at', 'date_text', 'time_text', 'infraction_code',
  'infraction_description', 'set_fine_amount', 'location1', 'location2', 'location3', 'location4', 'province', 'location', 'street', 'line',
] as const;
/** Written after a ticket's fields on every line: its year, then the chunk's load columns (copyTickets). */
export const LINE_TAIL_COLUMNS = ['year', 'resource_id', 'load_hash', 'file'] as const;

export interface TouchedKey {
  year: number;
  location: string;
  street: string | null;
  /** Tickets and revenue (in cents) per infraction code among the tickets written (addCode, codeCounts). */
  codes: CodeCounts;
  /** Set when the per-code counts cannot stand for the tickets: a fine not in whole cents, or a second street. */
  inexact: boolean;
}

/**
 * Per-code counts of one key, flat: code, tickets, cents, code, tickets, cents... (NO_CODE for a ticket without a
 * code). A key has a few codes: a scan is as quick as a Map lookup, and the counts a sink keeps for a whole year
 * (~0.5 M groups) take a fraction of the memory of a Map of objects per key.
 */
export type CodeCounts = number[];
/** Stands for a null infraction code: below int4, so never a code the column holds. */
export const NO_CODE = -2_147_483_649;

/** Adds tickets and cents to `code`'s counts; whether the code is new to `c`. */
export function addCode(c: CodeCounts, code: number, count: number, cents: number): boolean {
  for (let i = 0; i < c.length; i += 3)
    if (c[i] === code) {
      c[i + 1]! += count;
      c[i + 2]! += cents;
      return false;
    }
  c.push(code, count, cents);
  return true;
}

/**
 * Adds the counts of `from` (keys of one or more batches) into `into`, by (year, location). Keys `from` marks inexact
 * are left out; a key whose street differs from the one `into` holds becomes inexact there. `into` never shares a key
 * or its counts with `from` (what it adds to stays its own). Returns the code groups `into` gained.
 */
export function addCounts(into: Map<string, TouchedKey>, from: Iterable<TouchedKey>): number {
  let added = 0;
  for (const k of from) {
    if (k.inexact) continue;
    const id = `${k.year}|${k.location}`;
    const have = into.get(id);
    if (!have) {
      into.set(id, { ...k, codes: [...k.codes] });
      added += k.codes.length / 3;
      continue;
    }
    if (have.street !== k.street) have.inexact = true;
    for (let i = 0; i < k.codes.length; i += 3) if (addCode(have.codes, k.codes[i]!, k.codes[i + 1]!, k.codes[i + 2]!)) added++;
  }
  return added;
}

/** The counts as [code (null for none), tickets, cents]. */
export function* codeCounts(c: CodeCounts): Generator<[number | null, number, number]> {
  for (let i = 0; i < c.length; i += 3) yield [c[i] === NO_CODE ? null : c[i]!, c[i + 1]!, c[i + 2]!];
}

export interface TicketSpan {
  /** The chunk's Avro body; its tickets array starts at `start`. */
  body: Buffer;
  start: number;
  count: number;
  plan: CopyRecordPlan;
  /** The COPY columns of each line, without the chunk's load columns: the writer's ticket fields, then year. */
  columns: readonly string[];
  /** Set when the tickets are written (ticketLines): the located (year, location) keys of the tickets kept by the
   *  batch this chunk was written in (one map for all its chunks), with their per-code counts. */
  keys?: Map<string, TouchedKey>;
}

export type ParkingSpanChunk = Omit<ParkingTicketChunk, 'tickets'> & { tickets: TicketSpan };

const plans = new WeakMap<avro.Type, CopyRecordPlan>();
const CAPTURE = ['date_of_infraction', 'location', 'street', 'infraction_code', 'set_fine_amount'] as const;
/** Looked up in the batch's set of hashes where it lies in the chunk's bytes: no string per ticket. */
const SPANS = ['ticket_hash'] as const;

function planOf(ticket: avro.Type): CopyRecordPlan {
  let plan = plans.get(ticket);
  if (!plan) {
    plan = copyRecordPlan(ticket, { columns: TICKET_FIELD_COLUMNS, instants: ['infraction_at'], capture: CAPTURE, spans: SPANS });
    for (const need of ['ticket_hash', 'date_of_infraction']) if (!plan.columns.includes(need)) throw new Error(`tickets written without ${need}`);
    plans.set(ticket, plan);
  }
  return plan;
}

/** Calls `each(pos)` for every item of the Avro array at `pos` (each returns the position after its item); the end. */
function eachItem(body: Buffer, pos: number, each: (pos: number) => number): number {
  for (;;) {
    let block = readLong(body, pos);
    pos = block.pos;
    let n = block.value;
    if (n === 0) return pos;
    if (n < 0) {
      // A block written with its byte size: the count is negated and the size follows.
      n = -n;
      block = readLong(body, pos);
      pos = block.pos;
    }
    for (let i = 0; i < n; i++) pos = each(pos);
  }
}

/**
 * Reads a clean parking chunk written with `writer`: its own fields decoded, its tickets read past (every length and
 * branch checked) and left as bytes for ticketLines. Throws when the bytes do not hold a chunk (a dead letter).
 */
export function readParkingChunk(writer: avro.Type, body: Buffer): ParkingSpanChunk {
  const fields = (writer as unknown as { fields?: { name: string; type: avro.Type }[] }).fields ?? [];
  const chunk: Record<string, unknown> = {};
  let pos = 0;
  for (const f of fields) {
    if (f.name !== 'tickets') {
      const { value, offset } = f.type.decode(body, pos);
      if (offset < 0) throw new RangeError(`${f.name} runs past the end of the record`);
      chunk[f.name] = value;
      pos = offset;
      continue;
    }
    const items = (f.type as unknown as { itemsType?: avro.Type }).itemsType;
    if (!items) throw new Error('tickets is not an array');
    const plan = planOf(items);
    const start = pos;
    let count = 0;
    pos = eachItem(body, pos, (at) => {
      count++;
      return plan.skip(body, at);
    });
    chunk.tickets = { body, start, count, plan, columns: [...plan.columns, 'year'] } satisfies TicketSpan;
  }
  if (pos !== body.length) throw new RangeError(`${body.length - pos} bytes after the chunk`);
  for (const need of ['resource_id', 'year', 'content_hash', 'file', 'first_line', 'last_line', 'final', 'tickets'])
    if (chunk[need] === undefined) throw new Error(`chunk written without ${need}`);
  return chunk as ParkingSpanChunk;
}

const TAB = 0x09;

const FINE = /^(\d{1,8})(?:\.(\d{1,2}))?$/;
const fineCents = new Map<string, number>();

/** A fine as the numeric(10, 2) column holds it, in cents; NaN when the text is not exactly that (counted in SQL). */
export function centsOf(fine: string): number {
  let cents = fineCents.get(fine);
  if (cents === undefined) {
    const m = FINE.exec(fine);
    cents = m ? Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0')) : NaN;
    // Fines are a few dozen amounts; the bound only guards against a source that writes something else.
    if (fineCents.size < 10_000) fineCents.set(fine, cents);
  }
  return cents;
}

/**
 * Writes the chunk's tickets into `out` as COPY lines — the ticket's fields, its year, then `tail` (the load's
 * columns and the newline) — leaving out a ticket whose hash is in `seen` (a line repeated verbatim is one ticket)
 * and adding the others'. Counts the tickets kept per key and code into `batch` (shared by a batch's chunks, like
 * `seen`; a map per chunk as well cost a second lookup per ticket) and sets span.keys to it. Yields each part `out`
 * fills.
 */
export function* ticketLines(span: TicketSpan, tail: Buffer, seen: ByteSet, out: CopyOut, batch = new Map<string, TouchedKey>()): Generator<Buffer> {
  const { body, plan } = span;
  const got = plan.captured as [string, string | null, string | null, number | null, string | null];
  const hashAt = plan.spans;
  const full: Buffer[] = [];
  eachItem(body, span.start, (at) => {
    const lineStart = out.off;
    const next = plan.write(body, at, out);
    if (!seen.add(body, hashAt[0]!, hashAt[1]!)) {
      out.off = lineStart;
      return next;
    }
    const year = got[0].slice(0, 4);
    out.byte(TAB);
    out.ascii(year);
    out.bytes(tail, 0, tail.length);
    const location = got[1];
    if (location !== null) {
      const k = `${year}|${location}`;
      let key = batch.get(k);
      if (!key) batch.set(k, (key = { year: Number(year), location, street: got[2], codes: [], inexact: false }));
      if (key.street !== got[2]) key.inexact = true;
      const fine = got[4];
      const cents = fine === null ? 0 : centsOf(fine);
      if (Number.isNaN(cents)) key.inexact = true;
      addCode(key.codes, got[3] ?? NO_CODE, 1, cents);
    }
    const part = out.full();
    if (part) full.push(part);
    return next;
  });
  span.keys = batch;
  yield* full;
}
