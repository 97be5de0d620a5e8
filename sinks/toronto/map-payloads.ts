// The map payloads the old Node server read from Redis (shared/specs/civic.md §7), as whole views: each payload is
// `{version, updatedAt, raw: base64(gzip(GeoJSON)), etag: 'W/"<kind>:<sha256 of raw>"', ...}`, written under a new
// key and switched to in one step by runtime/redis-views.ts's publishWholeView, which first checks the memory guard
// (a payload that would take Redis past its budget is refused, and the previous one stays served).
//   <view>.hood.<slug>   parking locations of one neighbourhood (all years summed), one chunk per neighbourhood
//   <view>.chunks        the manifest: {chunks: [{view, featureCount, neighbourhood, slug, etag}], updatedAt}
//   <view>.summary       {version, updatedAt, data: {featureCount, ticketCount, totalRevenue}}
//   <view>.red_light_locations / <view>.ase_locations   the camera layers (camera_geojson)
// Only the neighbourhoods a settle touched are rebuilt; the manifest keeps the others' entries.
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type pg from 'pg';
import { publishWholeView, readWholeView, type ViewRedis } from '../../runtime/redis-views.js';
import type { ViewPriority } from '../../runtime/components.js';
import { ident, type TorontoTables } from './tables.js';

export interface MapPayload {
  version: number;
  updatedAt: string;
  raw: string;
  etag: string;
  featureCount: number;
}

export interface ManifestEntry {
  view: string;
  featureCount: number;
  neighbourhood: string;
  slug: string;
  etag: string;
}

export const slugOf = (name: string): string =>
  name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '') || 'unknown';

export function encodePayload(kind: string, collection: unknown, featureCount: number, now = Date.now()): MapPayload {
  const raw = gzipSync(Buffer.from(JSON.stringify(collection))).toString('base64');
  return { version: now, updatedAt: new Date(now).toISOString(), raw, etag: `W/"${kind}:${createHash('sha256').update(raw).digest('hex')}"`, featureCount };
}

const PRIORITY: ViewPriority = 'low';

export async function publishNeighbourhoods(db: pg.Pool, r: ViewRedis, t: TorontoTables, view: string, neighbourhoods: string[]): Promise<void> {
  const L = ident(t.locations);
  const manifestText = await readWholeView(r, `${view}.chunks`);
  const manifest = new Map<string, ManifestEntry>(((manifestText ? (JSON.parse(manifestText) as { chunks: ManifestEntry[] }).chunks : []) ?? []).map((c) => [c.neighbourhood, c]));
  for (const hood of neighbourhoods) {
    const rows = await db.query<{ location: string; latitude: number; longitude: number; count: string; revenue: string; top: number | null; years: Record<string, number> }>(
      `select location, min(latitude) as latitude, min(longitude) as longitude, sum(ticket_count)::text as count, sum(total_revenue)::text as revenue,
              (array_agg(top_infraction order by ticket_count desc))[1] as top, jsonb_object_agg(year::text, ticket_count) as years
       from ${L} where neighbourhood = $1 and latitude is not null and longitude is not null group by location order by location`,
      [hood],
    );
    const slug = slugOf(hood);
    const name = `${view}.hood.${slug}`;
    const features = rows.rows.map((x) => ({
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [x.longitude, x.latitude] },
      properties: { location: x.location, neighbourhood: hood, count: Number(x.count), totalRevenue: Number(x.revenue), topInfraction: x.top, yearlyCounts: x.years },
    }));
    const p = encodePayload('tickets', { type: 'FeatureCollection', features }, features.length);
    await publishWholeView(r, { name, priority: PRIORITY }, JSON.stringify({ ...p, neighbourhood: hood, slug }));
    manifest.set(hood, { view: name, featureCount: features.length, neighbourhood: hood, slug, etag: p.etag });
  }
  const chunks = [...manifest.values()].sort((a, b) => a.slug.localeCompare(b.slug));
  await publishWholeView(r, { name: `${view}.chunks`, priority: PRIORITY }, JSON.stringify({ chunks, updatedAt: new Date().toISOString() }));
  const s = await db.query<{ features: string; tickets: string | null; revenue: string | null }>(
    `select count(distinct location) filter (where latitude is not null)::text as features, sum(ticket_count)::text as tickets, sum(total_revenue)::text as revenue from ${L}`,
  );
  const now = Date.now();
  const data = { featureCount: Number(s.rows[0]!.features), ticketCount: Number(s.rows[0]!.tickets ?? 0), totalRevenue: Number(s.rows[0]!.revenue ?? 0) };
  await publishWholeView(r, { name: `${view}.summary`, priority: PRIORITY }, JSON.stringify({ version: now, updatedAt: new Date(now).toISOString(), data }));
}

export async function publishCameraLayers(db: pg.Pool, r: ViewRedis, t: TorontoTables, view: string): Promise<void> {
  const rows = await db.query<{ dataset: string; fc: { features: unknown[] } }>(`select dataset, feature_collection as fc from ${ident(t.cameraGeojson)}`);
  for (const row of rows.rows) {
    const p = encodePayload(`${row.dataset}_locations`, row.fc, row.fc.features.length);
    await publishWholeView(r, { name: `${view}.${row.dataset}_locations`, priority: PRIORITY }, JSON.stringify(p));
  }
}
