// The AEMO sinks: five Postgres tables and the Redis views that follow them.
import type { KeyedViewComponent, PgSinkComponent } from '../../runtime/components.js';
import type { AemoCleanTopics } from '../../schemas/aemo/topics.js';
import type { CleanInterconnectorFlow, CleanRegionPrice, CleanRooftopPv, CleanUnitScada, RooftopPv5Min } from '../../schemas/aemo/clean.js';
import { AEMO_TABLES, interconnectorFlowTable, regionPriceTable, rooftopPv5MinTable, rooftopPvTable, unitScadaTable, type AemoTableNames } from './tables.js';
import { coalesce, healWholeView, refreshGenerationLatest, refreshPrice24h } from './view-refresh.js';
import { priceLatestView, VIEW_NAMES } from './views.js';

export * from './tables.js';
export { closeAemoViews, coalesce, refreshGenerationLatest, refreshPrice24h, unknownDuidsTotal } from './view-refresh.js';
export { priceLatestView, priceVersion, VIEW_NAMES } from './views.js';

export interface AemoSinkOptions {
  /** Other table names (tests create tables of their own `like` the real ones). */
  tables?: Partial<AemoTableNames>;
  /** Redis views: `false` for none; otherwise names (default VIEW_NAMES) of the three views. */
  views?: false | Partial<Record<keyof typeof VIEW_NAMES, string>>;
}

export interface AemoSinks {
  scada: PgSinkComponent<CleanUnitScada>;
  price: PgSinkComponent<CleanRegionPrice>;
  interconnector: PgSinkComponent<CleanInterconnectorFlow>;
  rooftop: PgSinkComponent<CleanRooftopPv>;
  rooftop5: PgSinkComponent<RooftopPv5Min>;
  priceLatest?: KeyedViewComponent<CleanRegionPrice>;
}

export function aemoSinks(clean: AemoCleanTopics, o: AemoSinkOptions = {}): AemoSinks {
  const t = { ...AEMO_TABLES, ...o.tables };
  const scada = unitScadaTable(clean.scada, t.scada);
  const price = regionPriceTable(clean.price, t.price);
  const sinks: AemoSinks = {
    scada,
    price,
    interconnector: interconnectorFlowTable(clean.interconnector, t.interconnector),
    rooftop: rooftopPvTable(clean.rooftop, t.rooftop),
    rooftop5: rooftopPv5MinTable(clean.rooftop5, t.rooftop5),
  };
  if (o.views !== false) {
    const v = { ...VIEW_NAMES, ...(o.views ?? {}) };
    sinks.priceLatest = priceLatestView(clean.price, v.priceLatest);
    // Whole views follow their table: rebuilt after each committed batch, and healed by the sink runner.
    const price24h = coalesce(() => refreshPrice24h({ table: t.price, view: v.price24h }));
    const generation = coalesce(() => refreshGenerationLatest({ table: t.scada, registryTable: t.registry, view: v.generationLatest }));
    price.afterCommit = price24h;
    price.heal = healWholeView(v.price24h, t.price, price24h);
    scada.afterCommit = generation;
    scada.heal = healWholeView(v.generationLatest, t.scada, generation);
  }
  return sinks;
}
