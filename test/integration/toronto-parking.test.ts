// Toronto parking tickets end to end on the real stack: CKAN double -> source (yearly ZIP streamed, decoded, chunked)
// -> raw chunks -> processor -> clean chunks -> parking_tickets + yearly metrics. The year's ZIP holds generated rows
// in the City's raw format plus rows built from the real aggregated fixture (tpt_sample.csv), with every quirk:
// cp1252, float codes/fines, times without leading zeros, slashed dates, a header repeated inside a member, verbatim
// duplicate lines and broken lines.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closePool, pool, withTransaction } from '../../runtime/db.js';
import { readTopic } from '../../runtime/inspect.js';
import { offsetsForDates, replay } from '../../runtime/replay.js';
import { runPgSink } from '../../runtime/pg-sink-runner.js';
import { runProcessor } from '../../runtime/processor-runner.js';
import { runSource } from '../../runtime/producer-runner.js';
import { startCkanDouble, type CkanDouble } from '../../devkit/toronto/ckan-double.js';
import { BASE_VARIANT, BROKEN_LINES, generateYear, renderRow, VARIANTS, type TicketRow } from '../../devkit/toronto/tickets.js';
import { putYear, tempDir, writeYearZip } from '../../devkit/toronto/years.js';
import { settleParkingMetrics } from '../../sinks/toronto/parking-metrics.js';
import { torontoParkingSink } from '../../sinks/toronto/parking.js';
import { ident } from '../../sinks/toronto/tables.js';
import { readParkingChunk, type ParkingSpanChunk } from '../../sinks/toronto/ticket-lines.js';
import { dumpTable, dumpTickets, fixtureTicketRows, torontoTestFlow, type TorontoTestFlow } from '../support/toronto.js';

const YEAR = 2016;
const GENERATED = 9000;
const DUPLICATES = 5;
const quirky = VARIANTS.find((v) => v.encoding === 'cp1252')!;

let ckan: CkanDouble;
let f: TorontoTestFlow;
let rows: TicketRow[];
let fixture: ReturnType<typeof fixtureTicketRows>;

const runAll = async (flow: TorontoTestFlow, options: Record<string, unknown> = { years: String(YEAR), parkingOnly: true }) => {
  const produced = await runSource(flow.source, { serde: flow.serde, once: true, options });
  await runProcessor(flow.parkingProcessor, { serde: flow.serde, mode: 'drain' });
  await runPgSink(flow.parkingSink, { serde: flow.serde, mode: 'drain' });
  return produced;
};

beforeAll(async () => {
  ckan = await startCkanDouble();
  fixture = fixtureTicketRows(YEAR);
  rows = [...generateYear(YEAR, GENERATED), ...fixture.rows];
  const dir = await tempDir();
  const zip = await writeYearZip(dir, YEAR, () => rows, rows.length, quirky, { duplicates: DUPLICATES, broken: true });
  putYear(ckan, 'res-2016', YEAR, zip.path);
  f = await torontoTestFlow('tor', ckan.baseUrl, { rowsPerChunk: 1000, chunksPerBatch: 2 });
  await runAll(f);
});
afterAll(async () => {
  await ckan?.close();
  await closePool();
});

const distinctLines = () => new Set(rows.map((r) => renderRow(r, BASE_VARIANT))).size;

describe('a quirky year loads', () => {
  it('holds one ticket per distinct row: duplicates merged, broken rows dead-lettered with file and line', async () => {
    const n = await pool().query<{ n: number }>(`select count(*)::int as n from ${ident(f.tables.tickets)}`);
    expect(n.rows[0]!.n).toBe(distinctLines());
    const dead = await readTopic(`dlq.${f.topics.parkingRaw.name}`);
    expect(dead).toHaveLength(BROKEN_LINES.length);
    for (const d of dead) {
      expect(d.headers.file).toMatch(/^Parking_Tags_Data_2016/);
      expect(Number(d.headers.line)).toBeGreaterThan(1);
    }
    expect(dead.map((d) => d.headers.reason).join('\n')).toMatch(/fields where the header has 11[\s\S]*no tag number[\s\S]*unreadable date/);
  });

  it('normalises times, fines, codes, locations and Toronto local time', async () => {
    const r = await pool().query(`select time_of_infraction, infraction_code, set_fine_amount::text as fine, location, street, infraction_at, time_text, date_text from ${ident(f.tables.tickets)} where tag_number_masked = '***F0000'`);
    const t = r.rows[0] as Record<string, unknown>;
    expect(t.time_of_infraction).toBe('00:00');
    expect(t.time_text).toBe('0.0'); // written as a float without leading zeros
    expect(t.date_text).toBe('2016/01/15');
    expect(t.fine).toBe('30.00');
    expect(t.location).toBe('1 COLLINSON BLVD');
    expect(t.street).toBe('COLLINSON BLVD');
    expect((t.infraction_at as Date).toISOString()).toBe('2016-01-15T05:00:00.000Z'); // EST
    const accents = await pool().query<{ n: number }>(`select count(*)::int as n from ${ident(f.tables.tickets)} where location like '%SAINT-ÉTIENNE%'`);
    expect(accents.rows[0]!.n).toBeGreaterThan(0); // cp1252 decoded
  });

  it('yearly location metrics equal a direct SQL aggregation over parking_tickets', async () => {
    const direct = await pool().query(
      `select md5(location) as location_key, location, year, count(*)::bigint as ticket_count, sum(coalesce(set_fine_amount, 0))::numeric(18,2) as total_revenue,
              (select infraction_code from ${ident(f.tables.tickets)} t2 where t2.location = t.location and t2.year = t.year group by infraction_code order by count(*) desc, infraction_code limit 1) as top_infraction
       from ${ident(f.tables.tickets)} t where location is not null group by location, year order by 1, 3`,
    );
    const metrics = await pool().query(`select location_key, location, year, ticket_count, total_revenue, top_infraction from ${ident(f.tables.locations)} order by 1, 3`);
    expect(metrics.rows.length).toBeGreaterThan(100);
    expect(metrics.rows).toEqual(direct.rows);
    // The fixture's locations carry its counts (plus any generated row that happens to use the same address).
    const perLocation = new Map<string, Set<string>>();
    for (const r of rows) {
      const k = r.location2.trim().toUpperCase();
      perLocation.set(k, (perLocation.get(k) ?? new Set()).add(renderRow(r, BASE_VARIANT)));
    }
    for (const [loc] of [...fixture.locations].slice(0, 20)) {
      const r = await pool().query<{ n: string }>(`select ticket_count::text as n from ${ident(f.tables.locations)} where location = $1 and year = $2`, [loc, YEAR]);
      expect(Number(r.rows[0]!.n)).toBe(perLocation.get(loc)!.size);
    }
    const streets = await pool().query(`select street, year, ticket_count::int as n from ${ident(f.tables.streets)} order by 1, 2`);
    const directStreets = await pool().query(`select street, year, count(*)::int as n from ${ident(f.tables.tickets)} where street is not null and location is not null group by 1, 2 order by 1, 2`);
    expect(streets.rows).toEqual(directStreets.rows);
    const hoods = await pool().query<{ n: string }>(`select sum(ticket_count)::text as n from ${ident(f.tables.neighbourhoods)}`);
    const located = await pool().query<{ n: string }>(`select count(*)::text as n from ${ident(f.tables.tickets)} where location is not null`);
    expect(hoods.rows[0]!.n).toBe(located.rows[0]!.n);
  });
});

describe('idempotence and resumption', () => {
  it('a year loaded twice changes nothing (unchanged last_modified: not even downloaded)', async () => {
    const before = { t: await dumpTickets(f.tables.tickets), l: await dumpTable(f.tables.locations) };
    const downloads = ckan.downloads('res-2016');
    const again = await runAll(f);
    expect(again.records).toBe(0);
    expect(ckan.downloads('res-2016')).toBe(downloads);
    // A forced reload republishes every chunk: same keys, same rows.
    await runAll(f, { years: String(YEAR), parkingOnly: true, force: true });
    expect(ckan.downloads('res-2016')).toBe(downloads + 1);
    expect(await dumpTickets(f.tables.tickets)).toEqual(before.t);
    expect(await dumpTable(f.tables.locations)).toEqual(before.l);
  });

  it('a replay of the raw range through the processor and the sink changes nothing', async () => {
    const before = { t: await dumpTickets(f.tables.tickets), l: await dumpTable(f.tables.locations), s: await dumpTable(f.tables.streets) };
    const flow = f.flows.find((x) => x.processor === f.parkingProcessor)!;
    const { from, to } = await offsetsForDates(f.topics.parkingRaw.name, 0, 0);
    const r = await replay({ flow, serde: f.serde, from, to });
    expect(r.kept).toBeGreaterThan(5);
    expect(r.tables.map((t) => [t.table, t.deleted])).toEqual([[f.tables.chunks, 0]]);
    expect(await dumpTickets(f.tables.tickets)).toEqual(before.t);
    expect(await dumpTable(f.tables.locations)).toEqual(before.l);
    expect(await dumpTable(f.tables.streets)).toEqual(before.s);
  });

  it('a load killed mid-way and resumed gives the same rows and metrics', async () => {
    const g = await torontoTestFlow('torkill', ckan.baseUrl, { rowsPerChunk: 1000, chunksPerBatch: 2, stopAfterBatches: 2 }, { idleSettleMs: 0 });
    const first = await runAll(g);
    expect(first.records).toBe(4); // two batches of two chunks, then the run stops as if killed
    // A bulk load's keys wait to be aggregated until the year is whole; a load that stops after a large batch leaves
    // them dirty with no batch to come. Put the part-loaded year in that state (its keys dirty, no metrics yet): once
    // the topic is quiet, heal settles them and the metrics match the tickets that did land.
    await pool().query(`delete from ${ident(g.tables.locations)}`);
    await pool().query(`insert into ${ident(g.tables.dirty)} (year, location, street) select distinct year, location, street from ${ident(g.tables.tickets)} where location is not null on conflict do nothing`);
    const landed = await pool().query<{ n: number }>(`select count(*)::int as n from ${ident(g.tables.tickets)} where location is not null`);
    expect(landed.rows[0]!.n).toBeGreaterThan(3000);
    await g.parkingSink.heal!({ force: false });
    const settledSum = await pool().query<{ n: number }>(`select coalesce(sum(ticket_count), 0)::int as n from ${ident(g.tables.locations)}`);
    expect(settledSum.rows[0]!.n).toBe(landed.rows[0]!.n);
    expect((await pool().query(`select 1 from ${ident(g.tables.dirty)}`)).rowCount).toBe(0);
    // Resume with an unlimited source of the same name (same cursor).
    const resumed = { ...g, source: (await import('../../producers/toronto/source.js')).torontoSourceComponent({ name: g.source.name, topics: g.topics, baseUrl: ckan.baseUrl, rowsPerChunk: 1000, chunksPerBatch: 2 }) };
    await runAll(resumed);
    expect(await dumpTickets(g.tables.tickets)).toEqual(await dumpTickets(f.tables.tickets));
    expect(await dumpTable(g.tables.locations)).toEqual(await dumpTable(f.tables.locations));
    expect(await dumpTable(g.tables.streets)).toEqual(await dumpTable(f.tables.streets));
  });

  it('every encoding and header variant lands identically', async () => {
    const want = await dumpTickets(f.tables.tickets);
    const dir = await tempDir();
    for (const [i, v] of VARIANTS.entries()) {
      if (v === quirky) continue;
      const zip = await writeYearZip(dir, YEAR, () => rows, rows.length, v, { duplicates: DUPLICATES, broken: true });
      putYear(ckan, `res-v${i}`, YEAR, zip.path);
      // Only this variant is published for the year in the double while it loads.
      ckan.packages.set('parking-tickets', ckan.packages.get('parking-tickets')!.filter((r) => r.id === `res-v${i}`));
      const g = await torontoTestFlow(`torv${i}`, ckan.baseUrl, { rowsPerChunk: 2500, chunksPerBatch: 4 });
      await runAll(g);
      expect(await dumpTickets(g.tables.tickets), `variant ${JSON.stringify(v)}`).toEqual(want);
    }
  });
});

describe('a republished year', () => {
  it('removes the tickets it no longer holds, adds the new ones, and its metrics still equal a direct SQL aggregation', async () => {
    const dir = await tempDir();
    const first = await writeYearZip(dir, YEAR, () => rows, rows.length, quirky, { duplicates: DUPLICATES, broken: true });
    putYear(ckan, 'res-rep', YEAR, first.path, '2025-01-15T10:00:00');
    ckan.packages.set('parking-tickets', ckan.packages.get('parking-tickets')!.filter((r) => r.id === 'res-rep'));
    const g = await torontoTestFlow('torrep', ckan.baseUrl, { rowsPerChunk: 1000, chunksPerBatch: 2 });
    await runAll(g);
    // The City republishes the year: 2,000 tickets gone, 300 with a corrected fine (new tickets: the fine is hashed).
    const republished = [...rows.slice(2000), ...rows.slice(0, 300).map((r) => ({ ...r, fine: (r.fine ?? 0) + 5 }))];
    const second = await writeYearZip(dir, YEAR, () => republished, republished.length, quirky, { duplicates: 0, broken: false });
    putYear(ckan, 'res-rep', YEAR, second.path, '2025-06-01T10:00:00');
    await runAll(g);
    const n = await pool().query<{ n: number }>(`select count(*)::int as n from ${ident(g.tables.tickets)}`);
    expect(n.rows[0]!.n).toBe(new Set(republished.map((r) => renderRow(r, BASE_VARIANT))).size);
    // Per-code counts (kept by delta: inserts add, the republish's deletes subtract) = counting the tickets now.
    const codes = await pool().query(
      `select year, location, infraction_code, ticket_count::int as n, total_revenue::text as r from ${ident(g.tables.locationCodes)} order by 1, 2, 3 nulls first`,
    );
    const directCodes = await pool().query(
      `select year, location, infraction_code, count(*)::int as n, coalesce(sum(set_fine_amount), 0)::numeric(18,2)::text as r from ${ident(g.tables.tickets)}
       where location is not null group by 1, 2, 3 order by 1, 2, 3 nulls first`,
    );
    expect(codes.rows.length).toBeGreaterThan(100);
    expect(codes.rows).toEqual(directCodes.rows);
    const locations = await pool().query(`select location, year, ticket_count::int as n, total_revenue::text as r from ${ident(g.tables.locations)} order by 1, 2`);
    const directLocations = await pool().query(
      `select location, year, count(*)::int as n, coalesce(sum(set_fine_amount), 0)::numeric(18,2)::text as r from ${ident(g.tables.tickets)} where location is not null group by 1, 2 order by 1, 2`,
    );
    expect(locations.rows).toEqual(directLocations.rows);
  });
});

/**
 * The quirky year published alone as `resource`, produced and processed by a flow of its own: its clean chunks, read
 * as the sink reads them, for tests that drive the sink's batches themselves.
 */
async function cleanChunks(resource: string, name: string, rowsPerChunk: number): Promise<{ g: TorontoTestFlow; chunks: ParkingSpanChunk[] }> {
  const zip = await writeYearZip(await tempDir(), YEAR, () => rows, rows.length, quirky, { duplicates: DUPLICATES, broken: true });
  putYear(ckan, resource, YEAR, zip.path);
  ckan.packages.set('parking-tickets', ckan.packages.get('parking-tickets')!.filter((r) => r.id === resource));
  const g = await torontoTestFlow(name, ckan.baseUrl, { rowsPerChunk, chunksPerBatch: 2 });
  await runSource(g.source, { serde: g.serde, once: true, options: { years: String(YEAR), parkingOnly: true } });
  await runProcessor(g.parkingProcessor, { serde: g.serde, mode: 'drain' });
  const chunks = await Promise.all((await readTopic(g.topics.parkingClean.name)).map((m) => g.serde.decode(m.value!, readParkingChunk) as Promise<ParkingSpanChunk>));
  return { g, chunks };
}

describe('keys marked dirty once per settle', () => {
  it('marks again, after a settle it did not run, the keys it remembers marking: the metrics still equal a direct aggregation', async () => {
    const { g, chunks } = await cleanChunks('res-mark', 'tormark', 1000);
    expect(chunks.length).toBeGreaterThan(6);
    const sink = g.parkingSink;
    // The sink's own batches, as the runner calls them: touched in the batch's transaction, afterCommit after it.
    const batch = async (part: ParkingSpanChunk[]) => {
      await withTransaction((client) => sink.touched!(client, part));
      await sink.afterCommit!(part);
    };
    const first = chunks.slice(0, 4); // more than a small batch, no final chunk: nothing is settled
    await batch(first);
    const dirty = async () => (await pool().query(`select 1 from ${ident(g.tables.dirty)}`)).rowCount ?? 0;
    expect(await dirty()).toBeGreaterThan(0);
    // Another instance (or this one's heal) settles the half-loaded year: the dirty table is emptied.
    await withTransaction((client) => settleParkingMetrics(client, g.tables));
    expect(await dirty()).toBe(0);
    // The rest of the year touches locations the first batch marked: they must be marked (and settled) again.
    const rest = chunks.slice(4);
    await batch(rest.slice(0, 4));
    await batch(rest.slice(4));
    expect(rest.at(-1)!.final).toBe(true);
    const firstKeys = new Set(first.flatMap((c) => [...c.tickets.keys!.keys()]));
    expect(rest.some((c) => [...c.tickets.keys!.keys()].some((k) => firstKeys.has(k)))).toBe(true);
    const locations = await pool().query(`select location, year, ticket_count::int as n, total_revenue::text as r from ${ident(g.tables.locations)} order by 1, 2`);
    const direct = await pool().query(
      `select location, year, count(*)::int as n, coalesce(sum(set_fine_amount), 0)::numeric(18,2)::text as r from ${ident(g.tables.tickets)} where location is not null group by 1, 2 order by 1, 2`,
    );
    expect(locations.rows.length).toBeGreaterThan(100);
    expect(locations.rows).toEqual(direct.rows);
    // The same keys settled the bulk way (the year's tickets aggregated first, then matched to the keys) give the same
    // per-code counts and locations.
    const codes = async () => (await pool().query(`select year, location, street, infraction_code, ticket_count::int as n, total_revenue::text as r from ${ident(g.tables.locationCodes)} order by 1, 2, 4 nulls first`)).rows;
    const before = await codes();
    await pool().query(`delete from ${ident(g.tables.locationCodes)} where location like '1%'`);
    await pool().query(`insert into ${ident(g.tables.dirty)} (year, location, street) select distinct year, location, street from ${ident(g.tables.tickets)} where location is not null`);
    const s = await withTransaction((client) => settleParkingMetrics(client, g.tables, { wholeYearsFrom: 0 }));
    expect(s.keys).toBe(locations.rows.length);
    expect(await codes()).toEqual(before);
    expect((await pool().query(`select location, year, ticket_count::int as n, total_revenue::text as r from ${ident(g.tables.locations)} order by 1, 2`)).rows).toEqual(direct.rows);

    // A sink faster than its processor meets small batches in the middle of a load: they do not settle the part-loaded
    // year (each such settle re-reads every ticket loaded so far); the end of a drain does.
    const h = await torontoTestFlow('tormark2', ckan.baseUrl, { rowsPerChunk: 1000, chunksPerBatch: 2 });
    await withTransaction((client) => h.parkingSink.touched!(client, chunks.slice(0, 2)));
    await h.parkingSink.afterCommit!(chunks.slice(0, 2));
    expect((await pool().query(`select 1 from ${ident(h.tables.dirty)}`)).rowCount).toBeGreaterThan(0);
    expect((await pool().query(`select 1 from ${ident(h.tables.locations)}`)).rowCount).toBe(0);
    await h.parkingSink.heal!({ force: false, drained: true });
    expect((await pool().query(`select 1 from ${ident(h.tables.dirty)}`)).rowCount).toBe(0);
    expect((await pool().query(`select 1 from ${ident(h.tables.locations)}`)).rowCount).toBeGreaterThan(0);
  });

  it('adds the per-code counts a sink kept only when they hold every batch it counted: other keys are counted from the tickets', async () => {
    const { g, chunks } = await cleanChunks('res-count', 'torcount', 500);
    expect(chunks.length).toBeGreaterThan(14);
    const a = g.parkingSink;
    // A second instance over the same tables (a sink restarted elsewhere, or a rebalance) with counts of its own.
    const b = torontoParkingSink({ name: `${a.name}-b`, topics: g.topics, tables: g.tables });
    const batch = async (sink: typeof a, part: ParkingSpanChunk[], learnsCommit = true) => {
      await withTransaction((client) => sink.touched!(client, part));
      if (learnsCommit) await sink.afterCommit!(part);
    };
    const counts = async () => (await pool().query<{ n: number }>(`select count(*)::int as n from ${ident(g.tables.countedBatches)}`)).rows[0]!.n;
    await batch(a, chunks.slice(0, 4));
    expect(await counts()).toBe(1);
    // Committed, but the instance never learned it (its connection dropped at COMMIT): it does not hold those counts.
    await batch(a, chunks.slice(4, 8), false);
    await batch(b, chunks.slice(8, 12));
    expect(await counts()).toBe(3);
    // The final chunk, on the first instance: its settle may not use its counts (a batch of them is missing) nor the
    // other instance's (not in its memory) — every key is counted from the tickets.
    await batch(a, chunks.slice(12));
    expect(chunks.at(-1)!.final).toBe(true);
    expect(await counts()).toBe(0);
    const direct = `select year, location, infraction_code, count(*)::int as n, coalesce(sum(set_fine_amount), 0)::numeric(18,2)::text as r
                    from ${ident(g.tables.tickets)} where location is not null group by 1, 2, 3 order by 1, 2, 3 nulls first`;
    const codes = `select year, location, infraction_code, ticket_count::int as n, total_revenue::text as r from ${ident(g.tables.locationCodes)} order by 1, 2, 3 nulls first`;
    expect((await pool().query(codes)).rows).toEqual((await pool().query(direct)).rows);
    const locations = `select location, year, ticket_count::int as n, total_revenue::text as r from ${ident(g.tables.locations)} order by 1, 2`;
    const directLocations = `select location, year, count(*)::int as n, coalesce(sum(set_fine_amount), 0)::numeric(18,2)::text as r
                             from ${ident(g.tables.tickets)} where location is not null group by 1, 2 order by 1, 2`;
    expect((await pool().query(locations)).rows).toEqual((await pool().query(directLocations)).rows);
  });
});
