// The SQL behind the NESO Redis views: each reads only the keys it is given (an incremental refresh), or every key
// (a rebuild). Values are the JSON strings the views store.
import type pg from 'pg';
import { ident } from '../../runtime/sql.js';
import type { NesoTables } from '../../schemas/neso/tables.js';

/** The location key of a component row: its postcode, else its location text with spaces collapsed (as geocodeQueryOf). */
export const LOCATION_KEY_SQL = `coalesce(postcode, nullif(regexp_replace(btrim(location), '\\s+', ' ', 'g'), ''))`;

export type Entries = Map<string, string>;

const all = (keys: string[] | undefined) => keys === undefined;

/** CMU summaries: one per CMU ID across its auctions, with its components' count. */
export async function cmuSummaries(db: pg.ClientBase, t: NesoTables, cmuIds?: string[]): Promise<Entries> {
  const r = await db.query<{ cmu_id: string; v: string }>(
    `select c.cmu_id, json_build_object(
        'cmuId', c.cmu_id, 'company', max(c.company), 'parentCompany', max(c.parent_company), 'unitName', max(c.cm_unit_name),
        'technology', max(c.technology_class),
        'auctions', json_agg(json_build_object('auction', c.auction_name, 'year', c.delivery_year_label, 'deratedMw', c.derated_capacity_mw) order by c.delivery_year_start, c.auction_name),
        'components', (select count(*) from ${ident(t.components)} p where p.cmu_id = c.cmu_id))::text as v
       from ${ident(t.cmus)} c where $1::boolean or c.cmu_id = any($2::text[]) group by c.cmu_id`,
    [all(cmuIds), cmuIds ?? []],
  );
  return new Map(r.rows.map((x) => [x.cmu_id, x.v]));
}

/** The companies of these CMUs, as pairs (a CMU in several auctions may have had several). */
export async function companiesOf(db: pg.ClientBase, t: NesoTables, cmuIds?: string[]): Promise<{ cmuId: string; company: string }[]> {
  const r = await db.query<{ cmuId: string; company: string }>(
    `select distinct cmu_id as "cmuId", company from ${ident(t.cmus)} where company is not null and ($1::boolean or cmu_id = any($2::text[]))`,
    [all(cmuIds), cmuIds ?? []],
  );
  return r.rows;
}

/** Company index: company -> its CMUs and de-rated MW per delivery year. */
export async function companyIndex(db: pg.ClientBase, t: NesoTables, companies?: string[]): Promise<Entries> {
  const r = await db.query<{ company: string; v: string }>(
    `with y as (
       select company, delivery_year_label as year, round(sum(coalesce(derated_capacity_mw, 0))::numeric, 3) as mw
         from ${ident(t.cmus)} where company is not null and ($1::boolean or company = any($2::text[])) group by 1, 2)
     select c.company, json_build_object('company', c.company, 'cmus', c.cmus,
              'deratedMwByYear', (select json_object_agg(y.year, y.mw order by y.year) from y where y.company = c.company))::text as v
       from (select company, array_agg(distinct cmu_id order by cmu_id) as cmus from ${ident(t.cmus)}
              where company is not null and ($1::boolean or company = any($2::text[])) group by company) c`,
    [all(companies), companies ?? []],
  );
  return new Map(r.rows.map((x) => [x.company, x.v]));
}

/** Location -> the components there (and where it is, once geocoded). */
export async function locationIndex(db: pg.ClientBase, t: NesoTables, keys?: string[]): Promise<Entries> {
  const r = await db.query<{ k: string; v: string }>(
    `with c as (select ${LOCATION_KEY_SQL} as k, auction_name, cmu_id, component_id, technology_class, postcode from ${ident(t.components)})
     select c.k, json_build_object('location', c.k, 'lat', max(l.latitude), 'lon', max(l.longitude),
              'components', json_agg(json_build_object('auction', c.auction_name, 'cmuId', c.cmu_id, 'componentId', c.component_id, 'technology', c.technology_class) order by c.cmu_id, c.component_id, c.auction_name))::text as v
       from c left join ${ident(t.locations)} l on l.found and l.kind = case when c.postcode is null then 'text' else 'postcode' end and l.query = c.k
      where c.k is not null and ($1::boolean or c.k = any($2::text[])) group by c.k`,
    [all(keys), keys ?? []],
  );
  return new Map(r.rows.map((x) => [x.k, x.v]));
}

/** Technologies of the components at these geocoded queries. */
export async function technologiesAt(db: pg.ClientBase, t: NesoTables, keys: string[]): Promise<string[]> {
  const r = await db.query<{ technology_class: string }>(`select distinct technology_class from ${ident(t.components)} where ${LOCATION_KEY_SQL} = any($1::text[])`, [keys]);
  return r.rows.map((x) => x.technology_class);
}

export interface MapPoint {
  lon: number;
  lat: number;
  cmuId: string;
  componentId: string;
}

/** Every geocoded component of a technology. */
export async function mapPoints(db: pg.ClientBase, t: NesoTables, technology: string): Promise<MapPoint[]> {
  const r = await db.query<MapPoint>(
    `select l.longitude as lon, l.latitude as lat, c.cmu_id as "cmuId", c.component_id as "componentId"
       from ${ident(t.components)} c join ${ident(t.locations)} l on l.found and l.kind = case when c.postcode is null then 'text' else 'postcode' end and l.query = ${LOCATION_KEY_SQL}
      where c.technology_class = $1`,
    [technology],
  );
  return r.rows;
}

/** Row counts the size estimates start from: taken before a view is built. */
export async function viewCounts(db: pg.ClientBase, t: NesoTables): Promise<{ cmus: number; companies: number; locations: number; geocoded: number; technologies: string[] }> {
  const r = await db.query<{ cmus: number; companies: number; locations: number; geocoded: number; technologies: string[] }>(
    `select (select count(distinct cmu_id)::int from ${ident(t.cmus)}) as cmus,
            (select count(distinct company)::int from ${ident(t.cmus)}) as companies,
            (select count(distinct ${LOCATION_KEY_SQL})::int from ${ident(t.components)}) as locations,
            (select count(*)::int from ${ident(t.components)} c join ${ident(t.locations)} l on l.found and l.query = ${LOCATION_KEY_SQL}) as geocoded,
            (select coalesce(array_agg(distinct technology_class), '{}') from ${ident(t.components)}) as technologies`,
  );
  return r.rows[0]!;
}
