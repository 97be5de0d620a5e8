// A clean parking chunk turned straight into COPY lines (sinks/toronto/ticket-lines.ts) gives, per ticket kept, the
// line the object path gives (each column through copyText, the instant through isoText, the year, then the load's
// columns), a repeated ticket once, and the located (year, location) keys of the tickets kept.
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { isoText } from '../../../runtime/iso-text.js';
import { torontoTopics } from '../../../schemas/toronto/topics.js';
import type { ParkingTicket, ParkingTicketChunk } from '../../../schemas/toronto/records.gen.js';
import { ByteSet } from '../../../runtime/byte-set.js';
import { copyText, CopyOut } from '../../../runtime/copy-text.js';
import { centsOf, codeCounts, readParkingChunk, ticketLines, type CodeCounts, type TouchedKey } from '../../../sinks/toronto/ticket-lines.js';

const codeMap = (c: CodeCounts) => new Map([...codeCounts(c)].map(([code, count, cents]) => [code, { count, cents }]));

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
  infraction_code: i % 5 ? 29 + (i % 2) : null,
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
    const seen = new ByteSet();
    seen.add(Buffer.from(tickets[3]!.ticket_hash), 0, 32);
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
    for (const [k, v] of read.tickets.keys!) {
      // Per code: the tickets kept of the key, and their fines in cents (a null fine counts 0).
      const codes = new Map<number | null, { count: number; cents: number }>();
      for (const t of kept.filter((x) => `${x.date_of_infraction.slice(0, 4)}|${x.location}` === k)) {
        const c = codes.get(t.infraction_code) ?? { count: 0, cents: 0 };
        codes.set(t.infraction_code, { count: c.count + 1, cents: c.cents + (t.set_fine_amount === null ? 0 : Number(t.set_fine_amount) * 100) });
      }
      expect({ ...v, codes: codeMap(v.codes) }).toEqual({ year: Number(k.slice(0, 4)), location: keys.get(k)!.location, street: keys.get(k)!.street, codes, inexact: false });
    }
    expect([...read.tickets.keys!.values()].some((v) => v.codes.length > 3)).toBe(true);
  });

  it('counts a key met in two chunks of a batch once, with both chunks\' tickets', () => {
    const chunkOf = (tickets: ParkingTicket[]) =>
      readParkingChunk(type, type.toBuffer({ resource_id: 'r', year: 2016, content_hash: 'c', file: 'f.csv', first_line: 2, last_line: 9, final: false, tickets }));
    const first = chunkOf([ticket(1, { location: 'A', infraction_code: 5 }), ticket(2, { location: 'A', infraction_code: 6, date_of_infraction: '2011-01-01' })]);
    const second = chunkOf([ticket(3, { location: 'A', infraction_code: 5, date_of_infraction: '2011-02-01', set_fine_amount: '45' })]);
    const batch = new Map<string, TouchedKey>();
    const seen = new ByteSet();
    for (const c of [first, second]) Array.from(ticketLines(c.tickets, Buffer.from('\n'), seen, new CopyOut(), batch));
    expect([...batch.keys()]).toEqual(['2011|A']);
    expect(codeMap(batch.get('2011|A')!.codes)).toEqual(new Map([[5, { count: 2, cents: 7500 }], [6, { count: 1, cents: 3000 }]]));
    expect(second.tickets.keys!.get('2011|A')).toBe(batch.get('2011|A'));
  });

  it('marks a key inexact when its fines are not whole cents or its tickets name two streets', () => {
    const tickets = [
      ticket(1, { location: 'A', set_fine_amount: '30.125' }),
      ticket(2, { location: 'B', street: 'ONE', date_of_infraction: '2016-03-01' }),
      ticket(3, { location: 'B', street: 'TWO', date_of_infraction: '2016-03-02' }),
      ticket(4, { location: 'C', set_fine_amount: '42.5', date_of_infraction: '2016-01-01', infraction_code: 5 }),
      ticket(5, { location: 'C', set_fine_amount: '0.07', date_of_infraction: '2016-02-01', infraction_code: 5 }),
    ];
    const chunk: ParkingTicketChunk = { resource_id: 'r', year: 2016, content_hash: 'c', file: 'f.csv', first_line: 2, last_line: 6, final: false, tickets };
    const read = readParkingChunk(type, type.toBuffer(chunk));
    Array.from(ticketLines(read.tickets, Buffer.from('\n'), new ByteSet(), new CopyOut()));
    const keys = read.tickets.keys!;
    expect(keys.get(`${tickets[0]!.date_of_infraction.slice(0, 4)}|A`)!.inexact).toBe(true);
    expect(keys.get(`${tickets[1]!.date_of_infraction.slice(0, 4)}|B`)!.inexact).toBe(true);
    const c = keys.get('2016|C')!;
    expect(c.inexact).toBe(false);
    expect([...codeCounts(c.codes)]).toEqual([[5, 2, 4257]]);
  });
});

describe('centsOf', () => {
  it('reads a fine as numeric(10, 2) holds it, and nothing else', () => {
    expect([centsOf('30'), centsOf('29.5'), centsOf('450.00'), centsOf('0.07'), centsOf('12345678.99')]).toEqual([3000, 2950, 45000, 7, 1234567899]);
    for (const bad of ['30.125', '-5', '.5', '1e3', '', ' 30', '123456789']) expect(centsOf(bad)).toBeNaN();
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
