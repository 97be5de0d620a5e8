// Bitcoin network difficulty per date: read from a CSV (date,difficulty — also the Timestamp,Value shape chart
// exports use), upserted, and every loaded date that has curtailment gets its bitcoin figures recomputed (a date
// reported as missing a difficulty is filled in the moment one is loaded).
import { parse } from 'csv-parse/sync';
import type pg from 'pg';
import { withTransaction } from '../../runtime/db.js';
import type { MinerModel } from '../../sinks/elexon/bitcoin.js';
import { recomputeDates } from '../../sinks/elexon/recompute.js';
import { ident, type ElexonTables } from '../../sinks/elexon/tables.js';

export interface DifficultyRow {
  date: string;
  /** Kept as written: the column is numeric, so no float rounding on the way in. */
  difficulty: string;
}

const DATE = /^(\d{4}-\d{2}-\d{2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const NUMBER = /^\d+(\.\d+)?([eE][+-]?\d+)?$/;

/** Parses the CSV; throws one Error listing every bad line, so a file is fixed in one go. */
export function parseDifficultyCsv(text: string): DifficultyRow[] {
  const records = parse(text, { columns: (h: string[]) => h.map((x) => x.trim().toLowerCase()), skip_empty_lines: true, trim: true }) as Record<string, string>[];
  const dateCol = ['date', 'timestamp', 'day'].find((c) => records[0] && c in records[0]);
  const valueCol = ['difficulty', 'value'].find((c) => records[0] && c in records[0]);
  if (records.length === 0) throw new Error('difficulty CSV: no rows');
  if (!dateCol || !valueCol) throw new Error('difficulty CSV: expected a header with date (or timestamp) and difficulty (or value)');
  const problems: string[] = [];
  const byDate = new Map<string, { difficulty: string; line: number }>();
  records.forEach((r, i) => {
    const line = i + 2;
    const d = DATE.exec(r[dateCol] ?? '');
    const v = (r[valueCol] ?? '').replace(/_/g, '');
    const day = d?.[1];
    if (!day || Number.isNaN(Date.parse(`${day}T00:00:00Z`)) || new Date(`${day}T00:00:00Z`).toISOString().slice(0, 10) !== day) {
      problems.push(`line ${line}: date ${JSON.stringify(r[dateCol])} is not YYYY-MM-DD`);
      return;
    }
    if (!NUMBER.test(v) || !(Number(v) > 0)) {
      problems.push(`line ${line}: difficulty ${JSON.stringify(r[valueCol])} is not a positive number`);
      return;
    }
    const prev = byDate.get(day);
    if (prev && prev.difficulty !== v) problems.push(`line ${line}: ${day} already has difficulty ${prev.difficulty} (line ${prev.line})`);
    byDate.set(day, { difficulty: v, line });
  });
  if (problems.length) throw new Error(`difficulty CSV has ${problems.length} problem(s):\n${problems.join('\n')}`);
  return [...byDate].map(([date, x]) => ({ date, difficulty: x.difficulty })).sort((a, b) => a.date.localeCompare(b.date));
}

export interface LoadResult {
  rows: number;
  changed: number;
  /** Dates with curtailment whose bitcoin figures were recomputed. */
  recomputed: string[];
}

export async function loadDifficulty(db: pg.Pool, t: ElexonTables, rows: DifficultyRow[], source: string, models: MinerModel[]): Promise<LoadResult> {
  return withTransaction(async (client) => {
    const d = ident(t.difficulty);
    const r = await client.query(
      `insert into ${d} (date, difficulty, source) select * from unnest($1::date[], $2::numeric[], $3::text[])
       on conflict (date) do update set difficulty = excluded.difficulty, source = excluded.source, loaded_at = now()
       where ${d}.difficulty is distinct from excluded.difficulty`,
      [rows.map((x) => x.date), rows.map((x) => x.difficulty), rows.map(() => source)],
    );
    const dates = (
      await client.query<{ date: string }>(
        `select distinct to_char(settlement_date, 'YYYY-MM-DD') as date from ${ident(t.records)} where settlement_date = any($1::date[]) order by 1`,
        [rows.map((x) => x.date)],
      )
    ).rows.map((x) => x.date);
    await recomputeDates(client, t, dates, models);
    return { rows: rows.length, changed: r.rowCount ?? 0, recomputed: dates };
  }, db);
}
