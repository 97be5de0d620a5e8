// The Elexon part of `gridstream demo`: serves the API double on 127.0.0.1 (stack responses built from the
// documented shape; the real BMU fixture as reference data), backfills a normal day and the 50-period autumn
// clock-change day through the pipeline, prints the curtailment totals, then replays one date with --replace and
// prints its reconciliation table.
import type { DemoPart } from '../demo.js';
import { pool } from '../../runtime/db.js';
import { replay } from '../../runtime/replay.js';
import { Serde } from '../../runtime/serde.js';
import { formatReport } from '../../ops/elexon/totals.js';
import { reconcileDate } from '../../ops/elexon/reconcile.js';
import { ident } from '../../sinks/elexon/tables.js';
import { NON_WIND_BMUNITS, fallbackWindUnits, startElexonApiDouble } from './api-double.js';
import { periodOf, settlementPeriods } from '../../schemas/elexon/calendar.js';
import { elexonFlow } from '../../pipeline/elexon.js';

const DAYS = ['2025-10-25', '2025-10-26'];
const REPLAYED = '2025-10-26';

export async function startElexonDemo(): Promise<DemoPart> {
  // The demo makes its own BMU list: it must not depend on ../shared being beside the checkout.
  const api = await startElexonApiDouble({ days: DAYS, bmUnits: [...fallbackWindUnits(), ...NON_WIND_BMUNITS] });
  const previous = process.env.ELEXON_BASE_URL;
  process.env.ELEXON_BASE_URL = api.baseUrl;
  return {
    name: 'elexon',
    // A Saturday (48 periods) and the autumn clock-change Sunday (50).
    sourceOptions: { from: DAYS[0], to: DAYS[1] },
    async report(out) {
      const f = elexonFlow();
      const serde = Serde.fromConfig();
      out('== elexon curtailment (API double; payment positive = paid to the units)');
      const daily = await pool().query<{ date: string; periods: number; records: number; mwh: string; gbp: string }>(
        `select to_char(summary_date, 'YYYY-MM-DD') as date, periods, records, round(total_curtailed_energy, 3)::text as mwh, round(total_payment, 2)::text as gbp
           from ${ident(f.tables.daily)} where summary_date = any($1::date[]) order by 1`,
        [DAYS],
      );
      for (const d of daily.rows) {
        const want = api.expectedTotals(d.date);
        out(`  ${d.date}  ${d.periods}/${settlementPeriods(d.date)} periods with curtailment  ${d.records} records  ${d.mwh} MWh  £${d.gbp}  (double's qualifying rows: ${want.records}, ${want.energyMwh.toFixed(3)} MWh)`);
      }
      const missing = await pool().query<{ date: string }>(`select to_char(settlement_date, 'YYYY-MM-DD') as date from ${ident(f.tables.btcMissing)} where settlement_date = any($1::date[]) order by 1`, [DAYS]);
      if (missing.rows.length) out(`  bitcoin: no difficulty loaded for ${missing.rows.map((r) => r.date).join(', ')} — not guessed (gridstream load btc-difficulty FILE.csv)`);
      out(`== replay ${REPLAYED} --replace, then reconcile`);
      const r = await replay({ flow: f.flow, serde, dates: { from: REPLAYED, to: REPLAYED, eventDate: (ms) => periodOf(ms).date }, replace: true });
      out(`  read ${r.read}, kept ${r.kept}, produced ${r.produced}; ${r.tables.map((t) => `${t.table}: ${t.written} written, ${t.deleted} deleted`).join('; ')}`);
      const report = await reconcileDate({ date: REPLAYED, topics: f.topics, tables: f.tables, serde, expected: { energyMwh: api.expectedTotals(REPLAYED).energyMwh, paymentGbp: api.expectedTotals(REPLAYED).paymentGbp } });
      for (const line of formatReport(report)) out(`  ${line}`);
    },
    async close() {
      if (previous === undefined) delete process.env.ELEXON_BASE_URL;
      else process.env.ELEXON_BASE_URL = previous;
      await api.close();
    },
  };
}
