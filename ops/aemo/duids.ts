// `load aemo-duids FILE`: the DUID registry from a CSV (duid,regionid,fuel[,valid_from,valid_to]). Parsing is pure;
// loading upserts every row in one transaction. XLSX (AEMO's Registration and Exemption List) is not read: no
// maintained xlsx library is installed; export the "PU and Scheduled Loads" sheet to CSV first.
import { withTransaction } from '../../runtime/db.js';
import { parse } from 'csv-parse/sync';
import type pg from 'pg';
import { nemToUtc } from '../../schemas/aemo/nem-time.js';
import { ident } from '../../runtime/sql.js';

export interface RegistryRow {
  duid: string;
  regionid: string | null;
  fuel: string | null;
  /** UTC ms; null = since always (stored as -infinity). */
  validFrom: number | null;
  /** UTC ms; null = still valid. */
  validTo: number | null;
}

/** A date (YYYY-MM-DD = NEM midnight) or a timestamp with a zone (ISO 8601); '' = open. */
export function parseValidity(v: string | undefined, column: string, line: number): number | null {
  const s = (v ?? '').trim();
  if (s === '') return null;
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (d) return nemToUtc(Number(d[1]), Number(d[2]), Number(d[3]));
  if (/^\d{4}-\d{2}-\d{2}T.*(Z|[+-]\d{2}:?\d{2})$/.test(s) && !Number.isNaN(Date.parse(s))) return Date.parse(s);
  throw new Error(`line ${line}: ${column} "${s}" is neither YYYY-MM-DD (NEM date) nor an ISO timestamp with a zone`);
}

export function parseDuidCsv(text: string | Buffer): RegistryRow[] {
  const records = parse(text, { columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()), skip_empty_lines: true, trim: true, bom: true }) as Record<string, string>[];
  if (records.length === 0) return [];
  const cols = Object.keys(records[0]!);
  for (const need of ['duid', 'regionid', 'fuel']) if (!cols.includes(need)) throw new Error(`CSV header lacks "${need}" (expected duid,regionid,fuel[,valid_from,valid_to]; got ${cols.join(',')})`);
  const seen = new Set<string>();
  return records.map((r, i) => {
    const line = i + 2;
    const duid = (r.duid ?? '').toUpperCase();
    if (!duid) throw new Error(`line ${line}: duid is empty`);
    const validFrom = parseValidity(r.valid_from, 'valid_from', line);
    const validTo = parseValidity(r.valid_to, 'valid_to', line);
    if (validFrom !== null && validTo !== null && validTo <= validFrom) throw new Error(`line ${line}: valid_to is not after valid_from`);
    const k = `${duid}|${validFrom ?? '-inf'}`;
    if (seen.has(k)) throw new Error(`line ${line}: ${duid} appears twice with the same valid_from`);
    seen.add(k);
    return { duid, regionid: r.regionid || null, fuel: r.fuel || null, validFrom, validTo };
  });
}

/** Upserts the rows on (duid, valid_from) in one transaction; returns rows inserted or changed. */
export async function loadDuids(db: pg.Pool, rows: readonly RegistryRow[], table = 'aemo_duid_registry'): Promise<number> {
  const t = ident(table);
  return withTransaction(async (client) => {
    let changed = 0;
    for (const r of rows) {
      const res = await client.query(
        `insert into ${t} (duid, regionid, fuel, valid_from, valid_to) values ($1, $2, $3, coalesce($4::timestamptz, '-infinity'), $5)
         on conflict (duid, valid_from) do update set regionid = excluded.regionid, fuel = excluded.fuel, valid_to = excluded.valid_to
         where (${t}.regionid, ${t}.fuel, ${t}.valid_to) is distinct from (excluded.regionid, excluded.fuel, excluded.valid_to)`,
        [r.duid, r.regionid, r.fuel, r.validFrom === null ? null : new Date(r.validFrom), r.validTo === null ? null : new Date(r.validTo)],
      );
      changed += res.rowCount ?? 0;
    }
    return changed;
  }, db);
}
