// Toronto test helpers: a flow of its own (topics, tables, names) pointed at the CKAN double, fixture-shaped rows
// from ../shared/fixtures/toronto (read at test time, never copied), and table dumps.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { pool } from '../../runtime/db.js';
import { Serde } from '../../runtime/serde.js';
import { applyTopics } from '../../runtime/topics-apply.js';
import { catalogue } from '../../schemas/catalogue.js';
import { torontoFlow, type TorontoFlow } from '../../pipeline/toronto.js';
import { createTorontoTables, ident } from '../../sinks/toronto/tables.js';
import type { TicketRow } from '../../devkit/toronto/tickets.js';
import type { TorontoSourceConfig } from '../../producers/toronto/source.js';

export const FIXTURES = join(import.meta.dirname, '..', '..', '..', 'shared', 'fixtures', 'toronto');

export interface TorontoTestFlow extends TorontoFlow {
  serde: Serde;
}

export async function torontoTestFlow(prefix: string, baseUrl: string, source: Partial<Omit<TorontoSourceConfig, 'name' | 'topics' | 'baseUrl'>> = {}): Promise<TorontoTestFlow> {
  const id = `t_${prefix}_${randomBytes(3).toString('hex')}`;
  const f = torontoFlow(id, { source: { baseUrl, http: { minDelayMs: 50, maxDelayMs: 200 }, ...source } });
  await createTorontoTables(pool(), f.tables);
  const serde = Serde.fromConfig();
  await applyTopics(catalogue(f.flows), serde);
  return { ...f, serde };
}

/**
 * Ticket rows built from the real aggregated fixture tpt_sample.csv (207 locations, 736 tickets, $22,080): each
 * location's `count` tickets with its code, description and fine (fine_sum / count), on distinct times and tags.
 */
export function fixtureTicketRows(year: number): { rows: TicketRow[]; tickets: number; revenue: number; locations: Map<string, number> } {
  const recs = parse(readFileSync(join(FIXTURES, 'tpt_sample.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
  const rows: TicketRow[] = [];
  let revenue = 0;
  const locations = new Map<string, number>();
  recs.forEach((r, i) => {
    const n = Number(r.count);
    const fine = Number(r.fine_sum) / n;
    for (let k = 0; k < n; k++) {
      const minutes = (i * 37 + k * 11) % 1440;
      rows.push({
        tag: `***F${String(i).padStart(3, '0')}${k}`,
        date: `${year}${String(1 + (k % 12)).padStart(2, '0')}15`,
        code: Number(r.infraction_code),
        description: r.fine_descrp!,
        fine,
        time: `${String(Math.floor(minutes / 60)).padStart(2, '0')}${String(minutes % 60).padStart(2, '0')}`,
        location1: 'NR',
        location2: r.location2!,
        location3: '',
        location4: '',
        province: 'ON',
      });
      revenue += fine;
    }
    const key = r.location2!.trim().toUpperCase();
    locations.set(key, (locations.get(key) ?? 0) + n);
  });
  return { rows, tickets: rows.length, revenue, locations };
}

/** A table's rows as text, in order, without the columns naming the load (resource, load hash, file, line). */
export async function dumpTickets(table: string): Promise<string[]> {
  const r = await pool().query<{ row: string }>(
    `select concat_ws('|', ticket_hash, tag_number_masked, date_of_infraction, time_of_infraction, infraction_at, infraction_code, infraction_description, set_fine_amount,
       location1, location2, location3, location4, province, location, street, year) as row from ${ident(table)} order by ticket_hash`,
  );
  return r.rows.map((x) => x.row);
}

export async function dumpTable(table: string): Promise<string[]> {
  const r = await pool().query<{ row: string }>(`select t::text as row from ${ident(table)} t order by 1`);
  return r.rows.map((x) => x.row);
}
