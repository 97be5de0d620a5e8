// The ComparePower part of `gridstream demo`: serves the API double on 127.0.0.1 with generated format-true plans
// for the five TDSPs (no ../shared needed), syncs every TDSP through the pipeline, then prints the plans per TDSP
// and the three cheapest at 1000 kWh in Arlington, read from the Redis view the plans API answers from.
import type { DemoPart } from '../demo.js';
import { pool } from '../../runtime/db.js';
import { sharedRedis } from '../../runtime/redis-views.js';
import { TDSPS } from '../../schemas/comparepower/tdsp.js';
import { comparePowerFlow } from '../../pipeline/comparepower.js';
import { ident } from '../../sinks/comparepower/tables.js';
import { readCitiesView, readTdspView } from '../../sinks/comparepower/views.js';
import { startComparePowerApiDouble } from './api-double.js';

export async function startComparePowerDemo(): Promise<DemoPart> {
  const api = await startComparePowerApiDouble({ plansPerTdsp: 140 });
  const previous = process.env.COMPAREPOWER_API_URL;
  process.env.COMPAREPOWER_API_URL = api.baseUrl;
  return {
    name: 'comparepower',
    sourceOptions: {},
    async report(out) {
      const f = comparePowerFlow();
      out('== comparepower Texas electricity plans (API double, generated plans)');
      const rows = (
        await pool().query<{ tdsp: string; active: number; inactive: number; cheapest: string }>(
          `select tdsp_duns as tdsp, count(*) filter (where is_active)::int as active, count(*) filter (where not is_active)::int as inactive, min(rate_1000kwh)::text as cheapest
             from ${ident(f.tables.plans)} group by 1 order by 1`,
        )
      ).rows;
      for (const r of rows) out(`  ${(TDSPS.find((t) => t.duns === r.tdsp)?.name ?? r.tdsp).padEnd(38)} ${String(r.active).padStart(4)} active ${String(r.inactive).padStart(3)} inactive  cheapest at 1000 kWh $${r.cheapest}/kWh`);
      const cities = await readCitiesView(sharedRedis(), f.views);
      const arlington = cities?.arlington;
      const oncor = arlington ? await readTdspView(sharedRedis(), f.views, arlington.tdsps[0]!) : null;
      if (arlington && oncor) {
        out(`  Arlington -> ${arlington.utilities.join(', ')}: ${arlington.plans} plans; terms ${JSON.stringify(arlington.facets.term)}; rate types ${JSON.stringify(arlington.facets.rateType)}`);
        for (const p of oncor.plans.slice(0, 3)) out(`    ${p.rates.kwh1000} $/kWh  ${p.provider} ${p.name} (${p.termMonths} mo, ${p.rateType}${p.timeOfUse ? ', time of use' : ''}; 500/2000 kWh: ${p.rates.kwh500}/${p.rates.kwh2000})`);
      }
      out(`  Austin: ${cities?.austin?.deregulated === false ? `no retail choice (${cities.austin.utilities.join(', ')})` : 'not in the map'}`);
      out('  serve them: npx gridstream serve --port 8080, then GET /api/plans?city=arlington&term=12&sort=rate_500');
    },
    async close() {
      if (previous === undefined) delete process.env.COMPAREPOWER_API_URL;
      else process.env.COMPAREPOWER_API_URL = previous;
      await api.close();
    },
  };
}
