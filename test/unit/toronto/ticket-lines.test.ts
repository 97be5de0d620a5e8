// A clean parking chunk read straight into COPY lines (sinks/toronto/ticket-lines.ts) gives, per ticket, the line the
// object path gives (each column through copyText, the instant through isoText, then the year), its hash, and the
// chunk's located (year, location) keys.
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { isoText } from '../../../runtime/iso-text.js';
import { copyText } from '../../../runtime/pg-sink-runner.js';
import { torontoTopics } from '../../../schemas/toronto/topics.js';
import type { ParkingTicket, ParkingTicketChunk } from '../../../schemas/toronto/records.gen.js';
import { readParkingChunk } from '../../../sinks/toronto/ticket-lines.js';

const type = avro.Type.forSchema(torontoTopics().parkingClean.schema as avro.Schema);

const ticket = (i: number, over: Partial<ParkingTicket> = {}): ParkingTicket => ({
  ticket_hash: `h${i}`.padEnd(32, '0'),
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
  it('gives the object path line, hash and keys of every ticket', () => {
    const tickets = Array.from({ length: 40 }, (_, i) => ticket(i));
    const chunk: ParkingTicketChunk = { resource_id: 'r', year: 2016, content_hash: 'c', file: 'f.csv', first_line: 2, last_line: 41, final: false, tickets };
    const read = readParkingChunk(type, type.toBuffer(chunk));
    expect({ ...read, tickets: undefined }).toEqual({ ...chunk, tickets: undefined });
    const cols = read.tickets.columns;
    expect(cols.at(-1)).toBe('year');
    let start = 0;
    read.tickets.ends.forEach((end, i) => {
      const t = tickets[i]! as unknown as Record<string, unknown>;
      const want = cols.map((c) => (c === 'year' ? (t.date_of_infraction as string).slice(0, 4) : c === 'infraction_at' ? isoText(t[c] as number) : copyText(t[c]))).join('\t');
      expect(read.tickets.text.toString('utf8', start, end)).toBe(want);
      start = end;
    });
    expect(read.tickets.hashes).toEqual(tickets.map((t) => t.ticket_hash));
    const keys = new Map(tickets.filter((t) => t.location !== null).map((t) => [`${t.date_of_infraction.slice(0, 4)}|${t.location}`, t]));
    expect([...read.tickets.keys.keys()].sort()).toEqual([...keys.keys()].sort());
    for (const [k, v] of read.tickets.keys) expect(v).toEqual({ year: Number(k.slice(0, 4)), location: keys.get(k)!.location, street: keys.get(k)!.street });
  });

  it('refuses a chunk cut short', () => {
    const buf = type.toBuffer({ resource_id: 'r', year: 2016, content_hash: 'c', file: 'f', first_line: 2, last_line: 3, final: true, tickets: [ticket(1), ticket(2)] });
    expect(() => readParkingChunk(type, buf.subarray(0, buf.length - 10))).toThrow();
  });
});
