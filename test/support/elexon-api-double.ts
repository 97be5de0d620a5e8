// The Elexon API double lives in producers/elexon/api-double.ts (the demo serves it too); tests import it from here.
// Its stack responses are BUILT FROM THE DOCUMENTED SHAPE (shared/specs/uk.md §1), not recorded from the API.
// Below the re-export: helpers the Elexon integration tests share (a flow of their own, table dumps).
import { randomBytes } from 'node:crypto';
import { pool } from '../../runtime/db.js';
import { Serde } from '../../runtime/serde.js';
import { applyTopics } from '../../runtime/topics-apply.js';
import { catalogue } from '../../schemas/catalogue.js';
import { elexonFlow, type ElexonFlow } from '../../pipeline/elexon.js';
import { createElexonTables, ident, type ElexonTables } from '../../sinks/elexon/tables.js';

import { GENERATOR_WIND_IDS, generateDay, type ElexonApiDouble } from '../../devkit/elexon/api-double.js';
import type { StackElement } from '../../schemas/elexon/raw.js';

export * from '../../devkit/elexon/api-double.js';

/**
 * Makes sure every period of a date has at least one curtailment row (a wind bid, SO-flagged): the generator
 * leaves a few periods without one, and the clock-change tests want a period_start in Postgres for every period.
 */
export function curtailEveryPeriod(api: ElexonApiDouble, date: string): void {
  const wind = new Set(api.bmUnits.filter((u) => u.fuelType === 'WIND').map((u) => u.elexonBmUnit));
  for (const { slot, rows } of generateDay(date)) {
    if (slot.side !== 'bid') continue;
    if (rows.some((r) => r.volume !== null && r.volume < 0 && (r.soFlag === true || r.cadlFlag === true) && r.id !== null && wind.has(r.id))) continue;
    const extra: StackElement = { ...rows[0]!, id: GENERATOR_WIND_IDS[slot.period % GENERATOR_WIND_IDS.length]!, acceptanceId: 990_000 + slot.period, bidOfferPairId: -9, sequenceNumber: rows.length + 1, soFlag: true, volume: -1.5, dmatAdjustedVolume: -1.5, originalPrice: -20.25, finalPrice: -20.25 };
    api.setStack(date, slot.period, 'bid', [...rows, extra]);
  }
}

export interface ElexonTestFlow extends ElexonFlow {
  serde: Serde;
}

/** An Elexon flow with topics, tables, views and names of its own, pointed at `baseUrl`, ready to run. */
export async function elexonTestFlow(prefix: string, baseUrl: string, now?: () => number): Promise<ElexonTestFlow> {
  const id = `t_${prefix}_${randomBytes(3).toString('hex')}`;
  // Tests need fast retries; pacing stays on so the requests-per-minute path is exercised.
  const f = elexonFlow(id, { source: { baseUrl, requestsPerMinute: 60_000, http: { minDelayMs: 200, maxDelayMs: 2000 } }, waitForReferenceMs: 0, ...(now ? { now } : {}) });
  await createElexonTables(pool(), f.tables);
  const serde = Serde.fromConfig();
  await applyTopics(catalogue([f.flow]), serde);
  return { ...f, serde };
}

/** Every Elexon table as text rows in key order: equal dumps mean byte-identical contents. */
export async function dumpElexonTables(t: ElexonTables): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const name of Object.values(t)) {
    const r = await pool().query<{ row: string }>(`select t::text as row from ${ident(name)} t order by 1`);
    out[name] = r.rows.map((x) => x.row);
  }
  return out;
}
