// The Toronto part of `gridstream demo`: serves a CKAN double on 127.0.0.1 with a generated parking year (20,000
// rows in cp1252 with every quirk) and generated camera files, loads them through the pipeline, and prints what
// landed: tickets, top locations, camera totals, the Redis map manifest and the reconciliation.
import type { DemoPart } from '../demo.js';
import { pool } from '../../runtime/db.js';
import { readWholeView, sharedRedis } from '../../runtime/redis-views.js';
import { torontoFlow } from '../../pipeline/toronto.js';
import { formatTorontoReport, reconcileToronto } from '../../ops/toronto/reconcile.js';
import { ident } from '../../sinks/toronto/tables.js';
import { startCkanDouble } from './ckan-double.js';
import { generateCameraSites, putCameras } from './cameras.js';
import { generateYear, prng, VARIANTS } from './tickets.js';
import { putYear, tempDir, writeYearZip } from './years.js';

const YEAR = 2023;
const ROWS = 20_000;

export async function startTorontoDemo(): Promise<DemoPart> {
  const ckan = await startCkanDouble();
  const zip = await writeYearZip(await tempDir(), YEAR, () => generateYear(YEAR, ROWS), ROWS, VARIANTS.find((v) => v.encoding === 'cp1252')!, { duplicates: 10, broken: true });
  putYear(ckan, `demo-parking-${YEAR}`, YEAR, zip.path);
  const sites = generateCameraSites(prng(7));
  await putCameras(ckan, sites.red, sites.ase);
  const tickets = (d: 'red' | 'ase') => (d === 'red' ? sites.red.flatMap((s) => Object.values(s.yearly)) : sites.ase.flatMap((s) => Object.values(s.monthly))).reduce((a, b) => a + b, 0);
  const previous = process.env.TORONTO_CKAN_URL;
  process.env.TORONTO_CKAN_URL = ckan.baseUrl;
  return {
    name: 'toronto',
    sourceOptions: { years: String(YEAR) },
    async report(out) {
      const f = torontoFlow();
      out(`== toronto parking tickets and cameras (CKAN double; ${ROWS} generated rows of ${YEAR})`);
      const top = await pool().query<{ location: string; n: string; rev: string; top: number }>(
        `select location, ticket_count::text as n, total_revenue::text as rev, top_infraction as top from ${ident(f.tables.locations)} where year = $1 order by ticket_count desc, location limit 3`,
        [YEAR],
      );
      for (const t of top.rows) out(`  ${t.location.padEnd(28)} ${t.n.padStart(5)} tickets  $${t.rev}  top code ${t.top}`);
      const manifest = await readWholeView(sharedRedis(), `${f.mapView}.chunks`);
      out(`  Redis map payloads: ${manifest ? (JSON.parse(manifest) as { chunks: unknown[] }).chunks.length : 0} neighbourhood chunk(s) in the manifest`);
      const report = await reconcileToronto(pool(), f.tables, {
        expected: { red_light: { tickets: tickets('red'), revenue: tickets('red') * 325 }, ase: { tickets: tickets('ase'), revenue: tickets('ase') * 50, locations: sites.ase.length } },
      });
      for (const line of formatTorontoReport(report)) out(`  ${line}`);
    },
    async close() {
      if (previous === undefined) delete process.env.TORONTO_CKAN_URL;
      else process.env.TORONTO_CKAN_URL = previous;
      await ckan.close();
    },
  };
}
