// A clean parking chunk turned straight into COPY lines (sinks/toronto/ticket-lines.ts) gives, per ticket kept, the
// line the object path gives (each column through copyText, the instant through isoText, the year, then the load's
// columns), a repeated ticket once, and the located (year, location) keys of the tickets kept.
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { isoText } from '../../../runtime/iso-text.js';
import { torontoTopics } from '../../../schemas/toronto/topics.js';
import type { ParkingTicket, ParkingTicketChunk } from '../../../schemas/toronto/records.gen.js';
import { copyText, CopyOut } from '../../../runtime/copy-text.js';
import { readParkingChunk, ticketLines } from '../../../sinks/toronto/ticket-lines.js';

const type = avro.Type.forSchema(torontoTopics().parkingClean.schema as avro.Schema);

const ticket = (i: number, over: Partial<ParkingTicket> = {}): ParkingTicket => ({
  ticket_hash: `h${String(i).padStart(3, '0')}`.padEnd(32, 'f'),
  line: i + 2,
  tag_number_masked: `***${i}`,
  date_of_infraction: `201${i % 3}-0${1 + (i % 9)}-15`,
  time_of_infraction: i % 4 ? `0${i % 10}:05` : null,
  infraction_at: 1_500_000_000_000 + i * 61_000,
  date_text: `2016011${i % 10}`,
  time_text: String(i),
  infraction_code: i % 5 ? 29 : null,
  infraction_description: i % 7 ? 'PARK-SIGNED HWY-PROHIBIT DY/TM' : 'tab\there \\ and\nnewline',
  set_fine_amount: i % 6 ? '30' : null,
  location1: 'NR',
  location2: `${i} QUEEN ST W`,
  location3: null,
  location4: i % 2 ? 'É' : null,
  province: 'ON',
  location: i % 8 ? `${i % 5} QUEEN ST W` : null,
  street: i % 8 ? 'QUEEN ST W' : null,
  ...over,
});

describe('parking chunk read into COPY lines', () => {
  it('gives the object path line of every ticket kept, and the keys of those', () => {
    const tickets = Array.from({ length: 40 }, (_, i) => ticket(i));
    const chunk: ParkingTicketChunk = { resource_id: 'r', year: 2016, content_hash: 'c', file: 'f.csv', first_line: 2, last_line: 41, final: false, tickets };
    const read = readParkingChunk(type, type.toBuffer(chunk));
    expect({ ...read, tickets: undefined }).toEqual({ ...chunk, tickets: undefined });
    expect(read.tickets.count).toBe(40);
    const cols = read.tickets.columns;
    expect(cols.at(-1)).toBe('year');
    // Ticket 3 was already written by an earlier chunk of the batch: left out.
    const seen = new Set([tickets[3]!.ticket_hash]);
    const out = new CopyOut(1000);
    const parts = [...ticketLines(read.tickets, Buffer.from('\tTAIL\n'), seen, out), out.take() ?? Buffer.alloc(0)];
    const lines = Buffer.concat(parts).toString('utf8').split('\n').slice(0, -1);
    const kept = tickets.filter((_, i) => i !== 3);
    expect(lines).toEqual(
      kept.map((t) => {
        const r = t as unknown as Record<string, unknown>;
        return cols.map((c) => (c === 'year' ? t.date_of_infraction.slice(0, 4) : c === 'infraction_at' ? isoText(t.infraction_at) : copyText(r[c]))).join('\t') + '\tTAIL';
      }),
    );
    expect(seen.size).toBe(40);
    const keys = new Map(kept.filter((t) => t.location !== null).map((t) => [`${t.date_of_infraction.slice(0, 4)}|${t.location}`, t]));
    expect([...read.tickets.keys!.keys()].sort()).toEqual([...keys.keys()].sort());
    for (const [k, v] of read.tickets.keys!) expect(v).toEqual({ year: Number(k.slice(0, 4)), location: keys.get(k)!.location, street: keys.get(k)!.street });
  });

  it('refuses a chunk cut short or with a ticket whose bytes are out of bounds, when it is read', () => {
    const buf = type.toBuffer({ resource_id: 'r', year: 2016, content_hash: 'c', file: 'f', first_line: 2, last_line: 3, final: true, tickets: [ticket(1), ticket(2)] });
    expect(() => readParkingChunk(type, buf.subarray(0, buf.length - 10))).toThrow();
    // The second ticket's hash claims 127 bytes (its length byte is 64 = 32 bytes, zigzag): past the end of the chunk.
    const bad = Buffer.from(buf);
    const second = bad.indexOf(Buffer.from(ticket(2).ticket_hash)) - 1;
    expect(bad[second]).toBe(64);
    bad[second] = 0x7e;
    expect(() => readParkingChunk(type, bad)).toThrow(RangeError);
  });
});
