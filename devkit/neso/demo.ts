// The NESO part of `gridstream demo`: serves a generated Capacity Market Register in the real CKAN shape (both field
// spellings) and local postcodes.io / Nominatim doubles on 127.0.0.1, crawls it through the pipeline, geocodes, and
// prints what landed: counts, a search, the views and their Redis footprint.
import type { DemoPart } from '../demo.js';
import { pool } from '../../runtime/db.js';
import { runPgSink } from '../../runtime/pg-sink-runner.js';
import { runSource } from '../../runtime/producer-runner.js';
import { redisClient, redisUsage } from '../../runtime/redis-views.js';
import { Serde } from '../../runtime/serde.js';
import { ident } from '../../runtime/sql.js';
import { nesoFlow } from '../../pipeline/neso.js';
import { formatHits, searchRegister } from '../../ops/neso/search.js';
import { CMU_RESOURCE, COMPONENT_RESOURCE } from '../../schemas/neso/raw.js';
import { startCkanDouble } from './ckan-double.js';
import { startGeocoderDouble } from './geocoder-doubles.js';
import { generateRegister } from './generator.js';
import { postcodeOf } from '../../processors/neso/values.js';

const VARIABLES = ['NESO_BASE_URL', 'NESO_THROTTLE_MS', 'POSTCODES_URL', 'GEOCODER_URL', 'GEOCODER_REQUESTS_PER_SECOND'] as const;

export async function startNesoDemo(): Promise<DemoPart> {
  const reg = generateRegister({ cmus: 150 });
  const ckan = await startCkanDouble({ [CMU_RESOURCE]: reg.register, [COMPONENT_RESOURCE]: reg.components });
  const geo = await startGeocoderDouble();
  const previous = Object.fromEntries(VARIABLES.map((v) => [v, process.env[v]]));
  Object.assign(process.env, { NESO_BASE_URL: ckan.baseUrl, NESO_THROTTLE_MS: '10', POSTCODES_URL: geo.baseUrl, GEOCODER_URL: geo.baseUrl, GEOCODER_REQUESTS_PER_SECOND: '50' });
  // `run --once` runs every source before any sink, so the geocoder would find its cache empty on the first pass:
  // queue a few of the register's postcodes, as the components sink would, so that pass geocodes something too.
  const queued = [...new Set(reg.components.map((c) => postcodeOf(String(c['Location and Post Code'] ?? ''))?.postcode).filter((p) => p !== undefined))].slice(0, 5);
  await pool().query(`insert into ${ident(nesoFlow().tables.geocodeCache)} (kind, query, status) select 'postcode', unnest($1::text[]), 'pending' on conflict do nothing`, [queued]);
  return {
    name: 'neso',
    sourceOptions: {},
    async report(out) {
      const f = nesoFlow();
      const serde = Serde.fromConfig();
      out('== neso capacity market register (generated register, CKAN double; half the records in the 2025 spellings, half in 2026)');
      // `run --once` runs the geocoder before the components sink has queued the places; a second pass geocodes them.
      await runSource(f.geocoder, { serde, once: true });
      await runPgSink(f.sinks.locations, { serde, mode: 'drain' });
      const n = await pool().query<{ cmus: number; components: number; geocoded: number; text: number }>(
        `select (select count(*)::int from ${ident(f.tables.cmus)}) as cmus, (select count(*)::int from ${ident(f.tables.components)}) as components,
                (select count(*)::int from ${ident(f.tables.locations)} where found) as geocoded,
                (select count(*)::int from ${ident(f.tables.cmus)} where derated_capacity_text is not null) as text`,
      );
      const c = n.rows[0]!;
      out(`  ${c.cmus} CMUs, ${c.components} components (CKAN double answered ${ckan.requests.length} requests), ${c.text} capacities kept as text ("N/A"/"TBC"), ${c.geocoded} places geocoded (asked once each: ${geo.postcodesAsked.length} postcodes, ${geo.textsAsked.length} places)`);
      out('  gridstream search "acme storage":');
      for (const line of formatHits(await searchRegister(pool(), f.tables, 'acme storage', 5))) out(`    ${line}`);
      const stats = await f.views.rebuild();
      out(`  views rebuilt: ${stats.entries} entries from ${stats.bytesRead} B read from Postgres${stats.shed ? ' (map clusters shed by the memory guard)' : ''}`);
      const r = redisClient();
      try {
        const u = await redisUsage(r);
        for (const [view, bytes] of Object.entries(u.views).filter(([v]) => v.startsWith('neso_'))) out(`  redis ${view.padEnd(16)} ${bytes} B`);
      } finally {
        r.disconnect();
      }
    },
    async close() {
      for (const v of VARIABLES) {
        if (previous[v] === undefined) delete process.env[v];
        else process.env[v] = previous[v];
      }
      await ckan.close();
      await geo.close();
    },
  };
}
