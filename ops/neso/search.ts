// `gridstream search "<text>"`: CMUs ranked by how well the text matches them or their components (company, CM unit
// name, CMU ID, technology on the CMU; postcode, outward code, location on its components), from the generated
// tsvector columns and their GIN indexes. Words are matched as prefixes, so "tata ste" and "CA15" find what they start.
import type pg from 'pg';
import { ident } from '../../runtime/sql.js';
import type { NesoTables } from '../../schemas/neso/tables.js';

export interface SearchHit {
  cmuId: string;
  company: string | null;
  unitName: string | null;
  technology: string | null;
  auctions: number;
  deratedMw: number | null;
  /** A postcode of one of its components, when there is one. */
  postcode: string | null;
  rank: number;
}

/** The text as a prefix tsquery: each word (letters and digits) must match, as a word start. */
export function prefixQuery(text: string): string | null {
  const words = text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)
    .slice(0, 12);
  return words.length ? words.map((w) => `${w}:*`).join(' & ') : null;
}

export async function searchRegister(db: pg.Pool | pg.ClientBase, t: NesoTables, text: string, limit = 20): Promise<SearchHit[]> {
  const q = prefixQuery(text);
  if (!q) return [];
  const r = await db.query<{ cmu_id: string; company: string | null; unit: string | null; tech: string | null; auctions: number; mw: number | null; postcode: string | null; rank: number }>(
    `with q as (select to_tsquery('simple', $1) as q),
     hits as (
       select c.cmu_id, ts_rank(c.search, q.q) as r from ${ident(t.cmus)} c, q where c.search @@ q.q
       union all
       select p.cmu_id, ts_rank(p.search, q.q) * 0.9 from ${ident(t.components)} p, q where p.search @@ q.q),
     best as (select cmu_id, max(r) as r from hits group by cmu_id)
     select b.cmu_id, max(c.company) as company, max(c.cm_unit_name) as unit, max(c.technology_class) as tech, count(c.*)::int as auctions,
            max(c.derated_capacity_mw) as mw, (select min(p.postcode) from ${ident(t.components)} p where p.cmu_id = b.cmu_id) as postcode, b.r::float8 as rank
       from best b left join ${ident(t.cmus)} c on c.cmu_id = b.cmu_id
      group by b.cmu_id, b.r order by b.r desc, b.cmu_id limit $2`,
    [q, limit],
  );
  return r.rows.map((x) => ({ cmuId: x.cmu_id, company: x.company, unitName: x.unit, technology: x.tech, auctions: x.auctions, deratedMw: x.mw, postcode: x.postcode, rank: x.rank }));
}

export function formatHits(hits: SearchHit[]): string[] {
  if (!hits.length) return ['no CMU matches'];
  return hits.map((h) => `${h.cmuId.padEnd(10)} ${(h.company ?? '-').slice(0, 40).padEnd(40)} ${(h.technology ?? '-').padEnd(14)} ${String(h.auctions).padStart(2)} auction(s)  ${h.deratedMw === null ? '-' : `${h.deratedMw} MW`}  ${h.postcode ?? ''}`);
}
