// NESO test helpers: CKAN rows built from the real fixtures in ../shared/fixtures/neso (read in place, never
// copied), and a NESO flow of its own (topics, tables, views, names) ready to run.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { pool } from '../../runtime/db.js';
import { Serde } from '../../runtime/serde.js';
import { applyTopics } from '../../runtime/topics-apply.js';
import { catalogue } from '../../schemas/catalogue.js';
import { nesoFlow, type NesoFlow, type NesoFlowOptions } from '../../pipeline/neso.js';
import { createNesoTables } from '../../sinks/neso/tables.js';
import { CMU_RESOURCE, COMPONENT_RESOURCE } from '../../schemas/neso/raw.js';
import type { CkanRow } from '../../devkit/neso/ckan-double.js';

const FIXTURES = new URL('../../../shared/fixtures/neso/', import.meta.url);
const read = (name: string) => readFileSync(new URL(name, FIXTURES), 'utf8');

/** The 2026 bulk CSVs' rows as CKAN records (every value text, as the datastore holds them; blank cells null). */
const csvRows = (name: string): CkanRow[] =>
  (parse(read(name), { columns: true, skip_empty_lines: true }) as Record<string, string>[]).map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v === '' ? null : v])));

/** The 2025 saved datastore JSON (`q=<CMU ID>` results), CKAN's fields only, each record once. */
function savedComponents(): { rows: CkanRow[]; companyOf: Map<string, string> } {
  const seen = new Map<string, CkanRow>();
  const companyOf = new Map<string, string>();
  for (const file of ['components_0.json', 'components_J.json']) {
    for (const list of Object.values(JSON.parse(read(file)) as Record<string, CkanRow[]>)) {
      for (const r of list) {
        const { rank: _rank, 'Company Name': company, ...ckan } = r;
        const key = `${String(ckan['Auction Name'])}|${String(ckan['CMU ID'])}|${String(ckan['Component ID'])}`;
        seen.set(key, ckan);
        // "Company Name" was added by the old app, not CKAN: it is only used to give the made-up register rows a name.
        if (typeof company === 'string') companyOf.set(String(ckan['CMU ID']), company);
      }
    }
  }
  return { rows: [...seen.values()], companyOf };
}

export interface NesoFixtureData {
  register: CkanRow[];
  components: CkanRow[];
  /** Register rows made for the CMUs of the saved 2025 JSON (their register records are not in the fixtures), 2025 spellings. */
  madeRegister: CkanRow[];
}

/**
 * Register: the 2026 CSV excerpt (new spellings) plus, for each (auction, CMU) of the 2025 JSON, a register row in
 * the 2025 spellings ("De-Rated Capacity", "Connection / DSR Capacity", Delivery Year as a number) so both spellings
 * of the register cross the pipeline. Components: the 2026 CSV slice and the 2025 JSON records.
 */
export function nesoFixtureData(): NesoFixtureData {
  const register = csvRows('capacity_market_unit_cmu.csv');
  const saved = savedComponents();
  const made = new Map<string, CkanRow>();
  for (const c of saved.rows) {
    const key = `${String(c['Auction Name'])}|${String(c['CMU ID'])}`;
    if (made.has(key)) continue;
    made.set(key, {
      'Auction Name': c['Auction Name'],
      'CMU ID': c['CMU ID'],
      Type: c.Type,
      'Delivery Year': c['Delivery Year'],
      'Name of Applicant': saved.companyOf.get(String(c['CMU ID'])) ?? null,
      'CM Unit Name': c['CMU ID'],
      'Parent Company': null,
      'CMU Technology': c['Generating Technology Class'],
      'Connection / DSR Capacity': c['Connection / DSR Capacity'] ?? 'TBC',
      'De-Rated Capacity': c['De-Rated Capacity'] ?? 'N/A',
      'Secondary Trading Contact_Telephone': "'+441234567890",
    });
  }
  return { register: [...register, ...made.values()], components: [...csvRows('capacity_market_components.csv'), ...saved.rows], madeRegister: [...made.values()] };
}

export const fixtureResources = (d: NesoFixtureData) => ({ [CMU_RESOURCE]: d.register, [COMPONENT_RESOURCE]: d.components });

export interface NesoTestFlow extends NesoFlow {
  serde: Serde;
}

export async function nesoTestFlow(prefix: string, o: NesoFlowOptions = {}): Promise<NesoTestFlow> {
  const id = `t_${prefix}_${randomBytes(3).toString('hex')}`;
  const f = nesoFlow(id, { ...o, source: { throttleMs: 0, http: { minDelayMs: 50, maxDelayMs: 200 }, ...o.source } });
  await createNesoTables(pool(), f.tables);
  const serde = Serde.fromConfig();
  await applyTopics(catalogue(f.flows), serde);
  return { ...f, serde };
}
