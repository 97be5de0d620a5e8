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
import { torontoFlow, type TorontoFlow, type TorontoFlowOptions } from '../../pipeline/toronto.js';
import { createTorontoTables, ident } from '../../sinks/toronto/tables.js';
import type { TicketRow } from '../../devkit/toronto/tickets.js';
import type { AseSite, RedLightSite } from '../../devkit/toronto/cameras.js';
import type { TorontoSourceConfig } from '../../producers/toronto/source.js';

export const FIXTURES = join(import.meta.dirname, '..', '..', '..', 'shared', 'fixtures', 'toronto');

export interface TorontoTestFlow extends TorontoFlow {
  serde: Serde;
}

export async function torontoTestFlow(
  prefix: string,
  baseUrl: string,
  source: Partial<Omit<TorontoSourceConfig, 'name' | 'topics' | 'baseUrl'>> = {},
  parkingSink: TorontoFlowOptions['parkingSink'] = {},
): Promise<TorontoTestFlow> {
  const id = `t_${prefix}_${randomBytes(3).toString('hex')}`;
  const f = torontoFlow(id, { source: { baseUrl, http: { minDelayMs: 50, maxDelayMs: 200 }, ...source }, parkingSink });
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

interface GeoFeature {
  geometry: { coordinates: [number, number] } | null;
  properties: Record<string, unknown>;
}

const readFeatures = (name: string) => (JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as { features: GeoFeature[] }).features;

/**
 * Camera sites shaped from the real output layers (red_light_locations.geojson: 309 located sites, 1,076,470 tickets;
 * ase_locations.geojson: 593 sites, 2,054,677 tickets), plus red-light charges at three codes without a location
 * (17,747 tickets) so the totals are the published 1,094,217. ASE yearly counts are spread over the year's months.
 */
export function fixtureCameraSites(): { red: RedLightSite[]; ase: AseSite[] } {
  const red: RedLightSite[] = readFeatures('red_light_locations.geojson').map((f) => {
    const p = f.properties;
    return {
      code: Number(p.locationCode),
      name: String(p.name),
      streetA: String(p.streetA ?? ''),
      streetB: String(p.streetB ?? ''),
      ward: String(p.ward ?? ''),
      policeDivision: String(p.policeDivision ?? ''),
      activationDate: String(p.activationDate ?? '2007-11-09'),
      intersectionId: String(p.intersectionId ?? ''),
      lon: f.geometry?.coordinates[0] ?? null,
      lat: f.geometry?.coordinates[1] ?? null,
      yearly: p.yearlyCounts as Record<string, number>,
    };
  });
  const unlocated = [5000, 6000, 6747];
  unlocated.forEach((n, i) =>
    red.push({ code: 9001 + i, name: `Historic site ${i + 1}`, streetA: '', streetB: '', ward: 'Ward 1', policeDivision: '', activationDate: '2008-01-01', intersectionId: '', lon: null, lat: null, yearly: { [String(2010 + i)]: n } }),
  );
  const ase: AseSite[] = readFeatures('ase_locations.geojson').map((f) => {
    const p = f.properties;
    const monthly: Record<string, number> = {};
    for (const [year, n] of Object.entries(p.yearlyCounts as Record<string, number>)) {
      const base = Math.floor(n / 12);
      for (let m = 1; m <= 12; m++) {
        const v = base + (m === 1 ? n - base * 12 : 0);
        if (v > 0) monthly[`${year}-${String(m).padStart(2, '0')}`] = v;
      }
    }
    return { code: String(p.locationCode), name: String(p.name), ward: String(p.ward ?? ''), status: String(p.status ?? ''), lon: f.geometry?.coordinates[0] ?? null, lat: f.geometry?.coordinates[1] ?? null, monthly };
  });
  return { red, ase };
}

/** Geocodes for the fixture parking locations: tpt_sample's own lat/lng, neighbourhoods named after neighbourhood_stats.json's. */
export function fixtureGeocodes(): { location: string; latitude: number; longitude: number; neighbourhood: string }[] {
  const hoods = Object.keys(JSON.parse(readFileSync(join(FIXTURES, 'neighbourhood_stats.json'), 'utf8')) as Record<string, unknown>).filter((h) => h !== 'Unknown').slice(0, 6);
  const recs = parse(readFileSync(join(FIXTURES, 'tpt_sample.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
  return recs.map((r, i) => ({ location: r.location2!.trim().toUpperCase(), latitude: Number(r.lat), longitude: Number(r.lng), neighbourhood: hoods[i % hoods.length]! }));
}
