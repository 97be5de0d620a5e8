// The crawler's bookkeeping in Postgres: content hashes of what it has published (change detection) and the CMU IDs
// a crawl found in the register (the components phase's to-do list). See infra/migrations/040_neso.sql for why each
// is written when it is.
import { pool } from '../../runtime/db.js';
import { ident } from '../../runtime/sql.js';

export type HashResource = 'cmus' | 'components';

export async function loadHashes(table: string): Promise<Map<string, string>> {
  const r = await pool().query<{ resource: string; record_key: string; content_hash: string }>(`select resource, record_key, content_hash from ${ident(table)}`);
  return new Map(r.rows.map((x) => [`${x.resource}\u0000${x.record_key}`, x.content_hash]));
}

export const hashKey = (resource: HashResource, key: string): string => `${resource}\u0000${key}`;

export async function saveHashes(table: string, resource: HashResource, rows: { key: string; hash: string }[]): Promise<void> {
  if (rows.length === 0) return;
  await pool().query(
    `insert into ${ident(table)} (resource, record_key, content_hash) select $1, k, h from unnest($2::text[], $3::text[]) as t(k, h)
     on conflict (resource, record_key) do update set content_hash = excluded.content_hash`,
    [resource, rows.map((r) => r.key), rows.map((r) => r.hash)],
  );
}

export async function addTodo(table: string, crawlId: number, cmuIds: string[]): Promise<void> {
  if (cmuIds.length === 0) return;
  await pool().query(`insert into ${ident(table)} (crawl_id, cmu_id) select $1, unnest($2::text[]) on conflict do nothing`, [crawlId, [...new Set(cmuIds)]]);
}

/** The crawl's CMU IDs after `after`, in byte order (collation "C": the same order on every server). */
export async function todoAfter(table: string, crawlId: number, after: string | undefined): Promise<string[]> {
  const r = await pool().query<{ cmu_id: string }>(
    `select cmu_id from ${ident(table)} where crawl_id = $1 and ($2::text is null or cmu_id collate "C" > $2::text collate "C") order by cmu_id collate "C"`,
    [crawlId, after ?? null],
  );
  return r.rows.map((x) => x.cmu_id);
}

export async function dropTodo(table: string, crawlId: number): Promise<void> {
  await pool().query(`delete from ${ident(table)} where crawl_id = $1`, [crawlId]);
}

export interface CrawlCounts {
  pages: number;
  fetched: number;
  published: number;
  unchanged: number;
  wrongCmu: number;
  rejected: number;
}

/** One etl_run_log row per finished crawl, with what it fetched and what it published. */
export async function logCrawl(task: string, startedAt: number, counts: CrawlCounts, full: boolean): Promise<void> {
  await pool().query(
    `insert into etl_run_log (task, started_at, completed_at, status, records_in, records_out, records_rejected, details)
     values ($1, $2, now(), 'success', $3, $4, $5, $6)`,
    [task, new Date(startedAt), counts.fetched, counts.published, counts.rejected, { ...counts, full }],
  );
}
