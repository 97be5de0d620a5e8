// AEMO Redis views, the pure half: the keyed "latest price per region" view, and the payloads of the two whole views
// rebuilt from Postgres after each committed batch (see view-refresh.ts for why those are whole views).
import type { KeyedViewComponent } from '../../runtime/components.js';
import { viewKey } from '../../runtime/redis-views.js';
import type { TopicSpec } from '../../schemas/topics.js';
import type { CleanRegionPrice } from '../../schemas/aemo/clean.js';
import { unitAt, type DuidEntry } from './fuel.js';

export const VIEW_NAMES = {
  priceLatest: 'aemo_price_latest',
  price24h: 'aemo_price_24h',
  generationLatest: 'aemo_generation_latest',
} as const;

const SPAN = 1_000_000; // lastchanged slots per interval in a price version (seconds, about 11.5 days)

/**
 * Version of a price row for the keyed view: the interval first (seconds), then LASTCHANGED relative to the interval,
 * so a restatement of the same interval with a later LASTCHANGED replaces the stored one (setIfNewer needs a strictly
 * larger number) and an older one does not. Stays below 2^53 until the year 2255.
 */
export function priceVersion(settlementdate: number, lastchanged: number | null): number {
  const rel = lastchanged === null ? 0 : Math.round((lastchanged - settlementdate) / 1000) + SPAN / 2;
  return Math.floor(settlementdate / 1000) * SPAN + Math.min(SPAN - 1, Math.max(0, rel));
}

/** `gs:view:<name>:by_region` field <regionid> = the market (intervention 0) price of the newest interval. */
export function priceLatestView(topic: TopicSpec, name: string = VIEW_NAMES.priceLatest): KeyedViewComponent<CleanRegionPrice> {
  return {
    kind: 'keyed-view',
    name,
    topic,
    priority: 'high',
    entries: (v) =>
      v.intervention !== 0
        ? []
        : [
            {
              hash: viewKey(name, 'by_region'),
              field: v.regionid,
              version: priceVersion(v.settlementdate, v.lastchanged),
              value: JSON.stringify({ settlementdate: new Date(v.settlementdate).toISOString(), settlementdate_nem: v.settlementdate_nem, rrp: v.rrp, rop: v.rop, lastchanged: v.lastchanged === null ? null : new Date(v.lastchanged).toISOString() }),
            },
          ],
  };
}

export interface PricePoint {
  regionid: string;
  settlementdate: Date;
  rrp: number;
}

/** The 24 h series view: per region, [settlementdate ISO, rrp] pairs in time order, and the newest interval. */
export interface PriceSeriesPayload {
  through: string | null;
  regions: Record<string, [string, number][]>;
}

export function priceSeriesPayload(points: readonly PricePoint[]): PriceSeriesPayload {
  const regions: Record<string, [string, number][]> = {};
  let through = -Infinity;
  for (const p of [...points].sort((a, b) => (a.regionid === b.regionid ? a.settlementdate.getTime() - b.settlementdate.getTime() : a.regionid < b.regionid ? -1 : 1))) {
    (regions[p.regionid] ??= []).push([p.settlementdate.toISOString(), p.rrp]);
    through = Math.max(through, p.settlementdate.getTime());
  }
  return { through: Number.isFinite(through) ? new Date(through).toISOString() : null, regions };
}

export interface ScadaPoint {
  duid: string;
  scadavalue: number | null;
  settlementdate: Date;
  settlementdate_nem: string;
  /** The registry entry valid at settlementdate, if any. */
  entry?: DuidEntry;
}

/** Latest generation view: MW summed per region and fuel for one interval; DUIDs the registry lacks are guessed. */
export interface GenerationPayload {
  settlementdate: string | null;
  settlementdate_nem: string | null;
  regions: Record<string, Record<string, number>>;
  /** DUIDs not in the registry at that time (fuel and region guessed from the name). */
  unknownDuids: string[];
}

export function generationPayload(points: readonly ScadaPoint[]): GenerationPayload {
  const regions: Record<string, Record<string, number>> = {};
  const unknown: string[] = [];
  for (const p of points) {
    const at = p.settlementdate.getTime();
    const u = unitAt(p.duid, at, p.entry ? [p.entry] : []);
    if (!u.known) unknown.push(p.duid);
    if (p.scadavalue === null) continue;
    const byFuel = (regions[u.regionid] ??= {});
    byFuel[u.fuel] = (byFuel[u.fuel] ?? 0) + p.scadavalue;
  }
  const first = points[0];
  return { settlementdate: first ? first.settlementdate.toISOString() : null, settlementdate_nem: first?.settlementdate_nem ?? null, regions, unknownDuids: unknown.sort() };
}

/**
 * Which interval the generation view shows: the newest one, unless it holds clearly fewer DUIDs than the one before
 * (its rows are still arriving across sink batches), then the one before.
 */
export function pickInterval(counts: readonly { settlementdate: Date; n: number }[]): Date | undefined {
  const [newest, previous] = [...counts].sort((a, b) => b.settlementdate.getTime() - a.settlementdate.getTime());
  if (!newest) return undefined;
  if (previous && newest.n < 0.9 * previous.n) return previous.settlementdate;
  return newest.settlementdate;
}
