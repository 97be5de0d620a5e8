// raw parking chunk -> clean parking chunk: every row of the chunk normalised (normalise.ts). The producer has already
// dead-lettered the rows no ticket can come from (with file and line), so a row failing here means the raw topic holds
// something the producer would not write: the whole chunk is dead-lettered with its file and line range rather than
// half of it landing.
import type { ProcessorComponent } from '../../runtime/components.js';
import { reject, type InputMessage, type OutputRecord, type Rejection } from '../../runtime/types.js';
import { columnMap } from '../../schemas/toronto/parking-rows.js';
import type { ParkingRowChunk, ParkingTicket, ParkingTicketChunk } from '../../schemas/toronto/records.gen.js';
import type { TorontoTopics } from '../../schemas/toronto/topics.js';
import { normaliseTicket } from './normalise.js';

export const chunkKey = (c: { resource_id: string; file: string; first_line: number }): string => `${c.resource_id}|${c.file}|${c.first_line}`;

export function normaliseChunk(input: InputMessage<ParkingRowChunk>): OutputRecord<ParkingTicketChunk>[] | Rejection {
  const c = input.value;
  const where = `${c.file} lines ${c.first_line}-${c.last_line}`;
  const cols = columnMap(c.header);
  if ('error' in cols) return reject(`${where}: ${cols.error}`);
  if (c.lines.length !== c.rows.length) return reject(`${where}: ${c.rows.length} rows but ${c.lines.length} line numbers`);
  const tickets: ParkingTicket[] = new Array<ParkingTicket>(c.rows.length);
  try {
    for (let i = 0; i < c.rows.length; i++) tickets[i] = normaliseTicket(c.rows[i]!, cols.map, c.lines[i]!);
  } catch (err) {
    return reject(`${where}: ${(err as Error).message}`);
  }
  const { resource_id, year, content_hash, file, first_line, last_line, final } = c;
  return [{ key: chunkKey(c), value: { resource_id, year, content_hash, file, first_line, last_line, final, tickets } }];
}

export function torontoParkingProcessor(o: { name: string; topics: TorontoTopics }): ProcessorComponent<ParkingRowChunk, ParkingTicketChunk> {
  // A raw chunk is 2,000 lines (~300-600 KB): 4 MiB fetches keep several in one transaction, as they were measured.
  return { kind: 'processor', name: o.name, input: o.topics.parkingRaw, output: o.topics.parkingClean, transform: normaliseChunk, fetchBytes: 4 * 1024 * 1024 };
}
