// The AEMO part of `gridstream demo`: a generated day of NEMWEB files (nemweb-tree.ts) served on 127.0.0.1, the AEMO
// source pointed at it through AEMO_BASE_URL, and afterwards the row counts of the AEMO tables.
import type { DemoPart } from '../demo.js';
import { pool } from '../../runtime/db.js';
import { closeAemoViews } from '../../sinks/aemo/view-refresh.js';
import { generatedDayTree, serveNemweb } from './nemweb-tree.js';
import { ident } from '../../runtime/sql.js';

export const AEMO_DEMO_DAY = '2025-12-27';

const TABLES = ['aemo_unit_scada', 'aemo_region_price', 'aemo_interconnector_flow', 'aemo_rooftop_pv', 'aemo_rooftop_pv_5min'] as const;

/** Row counts of the AEMO tables; null for a table that does not exist (yet). */
export async function aemoTableCounts(): Promise<Record<string, number | null>> {
  const db = pool();
  const out: Record<string, number | null> = {};
  for (const table of TABLES) {
    const present = await db.query<{ ok: boolean }>('select to_regclass($1) is not null as ok', [table]);
    // The name comes from the constant list above, never from input, so it is safe to splice in.
    out[table] = present.rows[0]?.ok ? ((await db.query<{ n: number }>(`select count(*)::int as n from ${ident(table)}`)).rows[0]?.n ?? 0) : null;
  }
  return out;
}

export async function startAemoDemo(): Promise<DemoPart> {
  const server = await serveNemweb(generatedDayTree({ day: AEMO_DEMO_DAY }), { browserOnly: true });
  const previous = process.env.AEMO_BASE_URL;
  process.env.AEMO_BASE_URL = server.url;
  return {
    name: 'aemo',
    // No range: one poll of the Current dirs, which hold the generated day.
    sourceOptions: {},
    async report(out) {
      const files = server.requests.filter((r) => r.status === 200 && !r.path.endsWith('/')).length;
      out(`  AEMO (generated NEMWEB day ${AEMO_DEMO_DAY} at ${server.url}): ${files} files fetched`);
      for (const [table, n] of Object.entries(await aemoTableCounts())) out(`    ${table.padEnd(26)} ${n === null ? 'no such table' : `${n} rows`}`);
    },
    async close() {
      await server.close();
      // The views' shared Redis client would keep the process alive after the demo is done.
      closeAemoViews();
      if (previous === undefined) delete process.env.AEMO_BASE_URL;
      else process.env.AEMO_BASE_URL = previous;
    },
  };
}
