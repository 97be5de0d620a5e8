// The AEMO NEMWEB lines of the pipeline map: one source writing four raw topics, four normalisers, the 30-min ->
// 5-min rooftop interpolation reading a clean topic, five tables and the Redis views that follow them.
//
//   source aemo -> raw.aemo.unit_scada      -> aemo_unit_scada          -> clean.aemo.unit_scada          -> pg aemo_unit_scada
//               -> raw.aemo.dispatch_price  -> aemo_region_price        -> clean.aemo.region_price        -> pg aemo_region_price, redis aemo_price_latest
//               -> raw.aemo.interconnector  -> aemo_interconnector_flow -> clean.aemo.interconnector_flow -> pg aemo_interconnector_flow
//               -> raw.aemo.rooftop_actual  -> aemo_rooftop_pv          -> clean.aemo.rooftop_pv          -> pg aemo_rooftop_pv
//   clean.aemo.rooftop_pv -> aemo_rooftop_pv_5min -> clean.aemo.rooftop_pv_5min -> pg aemo_rooftop_pv_5min
import type { AnySource, Flow } from '../runtime/components.js';
import { aemoProcessing, type AemoProcessing } from '../processors/aemo/components.js';
import { aemoSource } from '../producers/aemo/source.js';
import { aemoRawTopics, type AemoNaming, type AemoRawTopics } from '../schemas/aemo/topics.js';
import { aemoSinks, type AemoSinkOptions, type AemoSinks } from '../sinks/aemo/index.js';

export interface AemoFlowOptions extends AemoNaming, AemoSinkOptions {
  /** The AEMO source component (producers/aemo/source.ts); it writes all four raw topics. Tests leave it out or pass their own. */
  source?: AnySource;
}

/** The AEMO lines of the pipeline map: raw -> clean -> tables/views, and clean 30-min rooftop -> 5-min -> table. */
export function aemoPipelineFlows(raw: AemoRawTopics, o: AemoFlowOptions = {}): { flows: Flow[]; processing: AemoProcessing; sinks: AemoSinks } {
  const processing = aemoProcessing(raw, o);
  const sinks = aemoSinks(processing.clean, o);
  const p = processing.processors;
  const flows: Flow[] = [
    { ...(o.source ? { source: o.source } : {}), processor: p.scada, sinks: [sinks.scada] },
    { processor: p.price, sinks: [sinks.price, ...(sinks.priceLatest ? [sinks.priceLatest] : [])] },
    { processor: p.interconnector, sinks: [sinks.interconnector] },
    { processor: p.rooftop, sinks: [sinks.rooftop] },
    { processor: p.rooftop5, sinks: [sinks.rooftop5] },
  ];
  return { flows, processing, sinks };
}

/** The AEMO flows of the pipeline map. */
export const aemoFlows = (): Flow[] => aemoPipelineFlows(aemoRawTopics, { source: aemoSource() }).flows;
