// The yearly parking metrics (shared/specs/civic.md §5), recomputed for the (year, location) keys written since they
// were last settled (parking_metric_dirty) — never for the whole table. parking_ticket_yearly_location_codes holds
// tickets and revenue per code: for a key whose new tickets were all COPYed in by the settling sink instance, its rows
// plus the per-code counts that instance kept as it wrote them (migration 064); for any other key, one scan of its
// tickets. Locations, streets and neighbourhoods are sums of it, so a street or neighbourhood is recomputed without
// reading tickets again. Top infraction = the most frequent code, ties -> the lowest.
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import copyStreams from 'pg-copy-streams';
import type pg from 'pg';
import { copyParts, copyText } from '../../runtime/copy-text.js';
import { ident, type TorontoTables } from './tables.js';
import { addCounts, codeCounts, type TouchedKey } from './ticket-lines.js';

export interface Settled {
  keys: number;
  neighbourhoods: string[];
  years: number[];
  /** The settle generation after this settle (see migration 063). */
  generation: number;
}

/** Per-code counts a sink instance kept in memory for the keys it marked `counted_by` itself (migration 064). */
export interface CountedKeys {
  /** The instance (parking_metric_dirty.counted_by). */
  owner: string;
  /** The settle generation the counts were kept since: they stand only if no settle has run since. */
  generation: number;
  /** How many batches' counts they hold (each batch wrote a parking_metric_counted_batches row). */
  batches: number;
  /** The counts; a key may come more than once (they are summed). */
  keys: () => Iterable<TouchedKey>;
}

/** Above this many keys to count from the tickets, they are aggregated over whole years, then matched to the keys. */
const WHOLE_YEARS_FROM = 10_000;

/** The advisory lock a settle takes exclusively and a batch marking keys dirty takes shared. */
export const settleLockKey = (t: TorontoTables): string => `gridstream.toronto.settle:${t.dirty}`;

/** How many settles have emptied the dirty table (see migration 063). */
export async function settleGeneration(client: pg.PoolClient, t: TorontoTables): Promise<number> {
  const r = await client.query<{ g: string }>(`select coalesce(max(generation), 0) as g from ${ident(t.settles)}`);
  return Number(r.rows[0]!.g);
}

/** The codes table's columns, as the counts are COPYed into it or into a temp table shaped like it. */
const CODE_COLUMNS = '(year, location, street, infraction_code, ticket_count, total_revenue)';

/** COPYs the keys' per-code rows (revenue from cents to dollars) into `into`, in the order given. */
async function copyCodes(client: pg.PoolClient, into: string, keys: TouchedKey[]): Promise<void> {
  const lines = function* () {
    for (const k of keys) {
      const head = `${k.year}\t${copyText(k.location)}\t${copyText(k.street)}\t`;
      for (const [code, count, cents] of codeCounts(k.codes)) {
        const whole = Math.floor(cents / 100);
        const frac = cents - whole * 100;
        yield `${head}${code ?? '\\N'}\t${count}\t${whole}.${frac < 10 ? '0' : ''}${frac}\n`;
      }
    }
  };
  await pipeline(Readable.from(copyParts(lines())), client.query(copyStreams.from(`copy ${into} ${CODE_COLUMNS} from stdin`)));
}

export async function settleParkingMetrics(
  client: pg.PoolClient,
  t: TorontoTables,
  o: { wholeYearsFrom?: number; counted?: CountedKeys } = {},
): Promise<Settled> {
  const T = Object.fromEntries(Object.entries(t).map(([k, v]) => [k, ident(v)])) as Record<keyof TorontoTables, string>;
  // One settle at a time per set of tables: a batch's settle and the idle settle (the sink's heal) run in transactions of
  // their own, and two interleaved delete-and-insert rounds over the same keys would write their metrics twice.
  // Batches take it shared (parking.ts): a settle waits for the batches in flight, and they wait for it.
  await client.query('select pg_advisory_xact_lock(hashtext($1))', [settleLockKey(t)]);
  const generation = await settleGeneration(client, t);
  const n = await client.query(`select count(*)::int as n from ${T.dirty}`);
  const dirty = (n.rows[0] as { n: number }).n;
  if (dirty === 0) return { keys: 0, neighbourhoods: [], years: [], generation };
  // The dirty table is about to be emptied: sinks that remember what they marked must forget it.
  await client.query(
    `insert into ${T.settles} (id, generation) values (true, 1) on conflict (id) do update set generation = ${T.settles}.generation + 1`,
  );
  await client.query(`drop table if exists toronto_dirty, toronto_dirty_streets, toronto_dirty_hoods, toronto_counted, toronto_old`);
  await client.query(`create temp table toronto_dirty (year int, location text, street text, counted_by text) on commit drop`);
  await client.query(`insert into toronto_dirty select year, location, street, counted_by from ${T.dirty}`);
  await client.query(`delete from ${T.dirty}`);
  // The counts stand only if they are the caller's for this generation and hold every batch it counted since.
  let counted = o.counted?.generation === generation ? o.counted : undefined;
  if (counted) {
    const b = await client.query<{ n: number }>(`select count(*)::int as n from ${T.countedBatches} where counted_by = $1`, [counted.owner]);
    if (b.rows[0]!.n !== counted.batches) counted = undefined;
  }
  await client.query(`delete from ${T.countedBatches}`);
  // Keys another instance counted (its memory is not here) or whose counts do not stand: counted from the tickets.
  await client.query(`update toronto_dirty set counted_by = null where counted_by is distinct from $1`, [counted?.owner ?? null]);
  await client.query(`analyze toronto_dirty`);
  const columns = `${T.locationCodes} ${CODE_COLUMNS}`;
  const countedKeys = counted ? (await client.query<{ n: number }>(`select count(*)::int as n from toronto_dirty where counted_by is not null`)).rows[0]!.n : 0;
  if (counted && countedKeys > 0) {
    // The keys' rows go; those of counted keys are kept aside to be added to (a key settled earlier in the load, or
    // by another settle: rare in a bulk load, where no key has rows yet).
    await client.query(
      `create temp table toronto_old on commit drop as
       with old as (delete from ${T.locationCodes} c using toronto_dirty d where c.year = d.year and c.location = d.location
                    returning c.year, c.location, c.street, c.infraction_code, c.ticket_count, c.total_revenue, d.counted_by)
       select year, location, street, infraction_code, ticket_count, total_revenue from old where counted_by is not null`,
    );
    const hasOld = (await client.query(`select 1 from toronto_old limit 1`)).rowCount! > 0;
    // One entry per key (a batch that settles adds its own counts to those kept), less the keys counted from the
    // tickets, in (year, location) order: the order of the codes table's first index — a full year's ~0.5 M groups in
    // hash order cost 5.5 s of random index inserts, in index order 2.4 s (measured on a copy of the table). Sorted as
    // the C collation sorts (UTF-16 order differs from byte order only past the BMP: it costs order, not rows).
    const merged = new Map<string, TouchedKey>();
    addCounts(merged, counted.keys());
    const recounted = hasOld ? undefined : await client.query<{ year: number; location: string }>(`select year, location from toronto_dirty where counted_by is null limit 50001`);
    for (const r of recounted?.rows ?? []) merged.delete(`${r.year}|${r.location}`);
    const keys = [...merged.values()].filter((k) => !k.inexact).sort((a, b) => a.year - b.year || (a.location < b.location ? -1 : a.location > b.location ? 1 : 0));
    if (recounted && recounted.rows.length <= 50_000 && keys.length === countedKeys)
      // A first load: no counted key has rows yet, and the counts are exactly those of the keys marked counted.
      // Straight into the table: no temp table, join, sort or aggregate (2.8 + 0.35 s for a year through them).
      await copyCodes(client, T.locationCodes, keys);
    else {
      await client.query(`create temp table toronto_counted on commit drop as select ${CODE_COLUMNS.slice(1, -1)} from ${T.locationCodes} with no data`);
      await copyCodes(client, 'toronto_counted', keys);
      // A key marked counted whose counts are missing (or disagree on its street) would lose its tickets: counted from
      // them instead.
      await client.query(
        `update toronto_dirty d set counted_by = null
         where counted_by is not null and not exists (select 1 from toronto_counted x where x.year = d.year and x.location = d.location)`,
      );
      // Per code, for the counted keys: what they had plus the new counts, in (year, location) order.
      await client.query(
        `insert into ${columns}
         select year, location, min(street), infraction_code, sum(ticket_count), sum(total_revenue)
         from (select * from toronto_old
               union all
               select x.* from toronto_counted x join toronto_dirty d on x.year = d.year and x.location = d.location and d.counted_by is not null) u
         group by year, location, infraction_code
         order by year, location`,
      );
    }
  } else await client.query(`delete from ${T.locationCodes} c using toronto_dirty d where c.year = d.year and c.location = d.location`);
  const recount = (await client.query<{ n: number }>(`select count(*)::int as n from toronto_dirty where counted_by is null`)).rows[0]!.n;
  if (recount > (o.wholeYearsFrom ?? WHOLE_YEARS_FROM))
    // A bulk reload dirties most locations of its years: aggregate those years' tickets, then keep the dirty keys'
    // groups — 0.5 M groups to match instead of 2.2 M tickets (a full year: 8.0 -> 6.6 s).
    await client.query(
      `insert into ${columns}
       select a.* from (select t.year, t.location, min(t.street), t.infraction_code, count(*), coalesce(sum(t.set_fine_amount), 0)
                        from ${T.tickets} t where t.year in (select distinct year from toronto_dirty where counted_by is null) and t.location is not null
                        group by t.year, t.location, t.infraction_code) a
       join toronto_dirty d on a.year = d.year and a.location = d.location and d.counted_by is null
       order by a.year, a.location`,
    );
  else if (recount > 0)
    await client.query(
      `insert into ${columns}
       select t.year, t.location, min(t.street), t.infraction_code, count(*), coalesce(sum(t.set_fine_amount), 0)
       from ${T.tickets} t join toronto_dirty d on t.year = d.year and t.location = d.location and d.counted_by is null
       group by t.year, t.location, t.infraction_code`,
    );
  // Locations (in primary key order, for the same reason as the codes).
  await client.query(`delete from ${T.locations} l using toronto_dirty d where l.location_key = md5(d.location) and l.year = d.year`);
  await client.query(
    `insert into ${T.locations} (location_key, location, year, ticket_count, total_revenue, top_infraction, latitude, longitude, neighbourhood)
     select md5(c.location), c.location, c.year, sum(c.ticket_count), sum(c.total_revenue),
            (array_agg(c.infraction_code order by c.ticket_count desc, c.infraction_code asc nulls last))[1],
            min(g.latitude), min(g.longitude), coalesce(min(g.neighbourhood), 'Unknown')
     from ${T.locationCodes} c join toronto_dirty d on c.year = d.year and c.location = d.location
     left join ${T.geocodes} g on g.location = c.location
     group by c.year, c.location
     order by md5(c.location), c.year`,
  );
  // Streets of the dirty locations.
  await client.query(`create temp table toronto_dirty_streets on commit drop as select distinct year, street from toronto_dirty where street is not null`);
  await client.query(`delete from ${T.streets} s using toronto_dirty_streets d where s.year = d.year and s.street = d.street`);
  await client.query(
    `insert into ${T.streets} (street, year, ticket_count, total_revenue, top_infraction, location_count)
     select s.street, s.year, sum(s.n), sum(s.r), (array_agg(s.infraction_code order by s.n desc, s.infraction_code asc nulls last))[1], min(lc.locations)
     from (select c.street, c.year, c.infraction_code, sum(c.ticket_count) as n, sum(c.total_revenue) as r
           from ${T.locationCodes} c join toronto_dirty_streets d on c.year = d.year and c.street = d.street
           group by c.street, c.year, c.infraction_code) s
     join (select c.street, c.year, count(distinct c.location)::int as locations
           from ${T.locationCodes} c join toronto_dirty_streets d on c.year = d.year and c.street = d.street
           group by c.street, c.year) lc on lc.street = s.street and lc.year = s.year
     group by s.street, s.year`,
  );
  // Neighbourhoods of the dirty locations.
  await client.query(
    `create temp table toronto_dirty_hoods on commit drop as
     select distinct d.year, coalesce(g.neighbourhood, 'Unknown') as neighbourhood from toronto_dirty d left join ${T.geocodes} g on g.location = d.location`,
  );
  await client.query(`delete from ${T.neighbourhoods} h using toronto_dirty_hoods d where h.year = d.year and h.neighbourhood = d.neighbourhood`);
  // The top infraction of every dirty neighbourhood in one aggregate (a subquery per neighbourhood read the year's
  // locations and codes again for each of ~140 of them).
  await client.query(
    `insert into ${T.neighbourhoods} (neighbourhood, year, ticket_count, total_revenue, top_infraction, location_count)
     with per_code as (
       select l.neighbourhood, l.year, c.infraction_code, sum(c.ticket_count) as n
       from ${T.locationCodes} c join ${T.locations} l on l.location = c.location and l.year = c.year
       join toronto_dirty_hoods d on d.year = l.year and d.neighbourhood = l.neighbourhood
       group by l.neighbourhood, l.year, c.infraction_code),
     top as (
       select neighbourhood, year, (array_agg(infraction_code order by n desc, infraction_code asc nulls last))[1] as code
       from per_code group by neighbourhood, year)
     select l.neighbourhood, l.year, sum(l.ticket_count), sum(l.total_revenue), min(t.code), count(*)
     from ${T.locations} l join toronto_dirty_hoods d on l.year = d.year and l.neighbourhood = d.neighbourhood
     left join top t on t.neighbourhood = l.neighbourhood and t.year = l.year
     group by l.neighbourhood, l.year`,
  );
  const hoods = await client.query<{ neighbourhood: string; year: number }>(`select distinct neighbourhood, year from toronto_dirty_hoods`);
  const keys = (await client.query<{ n: number }>(`select count(*)::int as n from toronto_dirty`)).rows[0]!.n;
  return { keys, neighbourhoods: [...new Set(hoods.rows.map((r) => r.neighbourhood))], years: [...new Set(hoods.rows.map((r) => r.year))], generation: generation + 1 };
}
