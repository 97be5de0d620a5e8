// The AEMO processing components: four stateless normalisers (raw -> clean) and the stateful 30-min -> 5-min rooftop
// interpolation. Factories take the raw TopicSpecs as parameters so this module does not depend on the source module.
import type { ProcessorComponent, StatefulProcessorComponent } from '../../runtime/components.js';
import type { InputMessage, OutputRecord, Rejection } from '../../runtime/types.js';
import type { TopicSpec } from '../../schemas/topics.js';
import { normaliseInterconnectorFlow } from './interconnector-flow.js';
import { normaliseRegionPrice } from './region-price.js';
import { emptyRooftopState, rooftop5MinRecord, rooftopStep, type RooftopPoint, type RooftopState } from './rooftop-interpolation.js';
import { normaliseRooftopPv } from './rooftop-pv.js';
import type {
  CleanInterconnectorFlow,
  CleanRegionPrice,
  CleanRooftopPv,
  CleanUnitScada,
  RawDispatchPrice,
  RawInterconnectorRes,
  RawRooftopActual,
  RawUnitScada,
  RooftopPv5Min,
} from '../../schemas/aemo/clean.js';
import { normaliseUnitScada } from './unit-scada.js';
import { aemoCleanTopics, type AemoCleanTopics, type AemoNaming, type AemoRawTopics } from '../../schemas/aemo/topics.js';

const componentName = (base: string, n: AemoNaming) => (n.id ? `${base}_${n.id}` : base);

export const unitScadaProcessor = (input: TopicSpec, output: TopicSpec, n: AemoNaming = {}): ProcessorComponent<RawUnitScada, CleanUnitScada> => ({
  kind: 'processor',
  name: componentName('aemo_unit_scada', n),
  input,
  output,
  transform: normaliseUnitScada,
});

export const regionPriceProcessor = (input: TopicSpec, output: TopicSpec, n: AemoNaming = {}): ProcessorComponent<RawDispatchPrice, CleanRegionPrice> => ({
  kind: 'processor',
  name: componentName('aemo_region_price', n),
  input,
  output,
  transform: normaliseRegionPrice,
});

export const interconnectorFlowProcessor = (
  input: TopicSpec,
  output: TopicSpec,
  n: AemoNaming = {},
): ProcessorComponent<RawInterconnectorRes, CleanInterconnectorFlow> => ({
  kind: 'processor',
  name: componentName('aemo_interconnector_flow', n),
  input,
  output,
  transform: normaliseInterconnectorFlow,
});

export const rooftopPvProcessor = (input: TopicSpec, output: TopicSpec, n: AemoNaming = {}): ProcessorComponent<RawRooftopActual, CleanRooftopPv> => ({
  kind: 'processor',
  name: componentName('aemo_rooftop_pv', n),
  input,
  output,
  transform: normaliseRooftopPv,
});

/**
 * The interpolation state plus, per retained 30-min point, the input offset it came from: the oldest of those is where
 * a restart must re-read from to rebuild the same state (the runner commits that offset, not the last one read).
 */
export interface Rooftop5State {
  series: RooftopState;
  /** region -> interval UTC ms (string) -> input offset of the record that set the stored point. */
  from: Record<string, Record<string, string>>;
}

export interface Rooftop5Options {
  /**
   * Newest 30-min intervals kept per region (default 45 days): a restatement inside this window (e.g. the MMSDM monthly
   * archive re-stating last month) finds both neighbours and recomputes exactly.
   */
  liveIntervals?: number;
  /**
   * Most recently ARRIVED intervals kept per region as well (default 96): a backfill or re-sent file older than the
   * window arrives in time order, so each interval still finds the one before it.
   */
  recentIntervals?: number;
}

const HALF_HOUR = 30 * 60_000;
const DEFAULT_LIVE = 45 * 48;
const DEFAULT_RECENT = 96;

/** Compares two decimal offset strings numerically without parsing them (they are non-negative integers). */
const newerOffset = (a: string, b: string) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);

export const emptyRooftop5State = (): Rooftop5State => ({ series: emptyRooftopState(), from: {} });

/**
 * One clean 30-min row through `rooftopStep`. Pure. Differences from calling rooftopStep directly:
 * - pruning keeps the newest `liveIntervals` by interval time AND the last `recentIntervals` by arrival (offset), so
 *   data older than the window is interpolated as it streams past instead of being pruned on arrival;
 * - for an interval older than the window whose next interval is not in the state, its own flat provisional slots are
 *   not emitted: the next interval may well exist (just pruned), and flat values would overwrite correct ones. They are
 *   emitted, interpolated, when the next interval arrives.
 */
export function rooftop5Step(
  state: Rooftop5State,
  input: InputMessage<CleanRooftopPv>,
  o: Rooftop5Options = {},
): { state: Rooftop5State; out: OutputRecord<RooftopPv5Min>[] | Rejection } {
  const row = input.value;
  const r = rooftopStep(state.series, row, { keepIntervals: Number.POSITIVE_INFINITY });
  // rooftopStep returns the very same state object when it ignored the row (SATELLITE, or an older restatement).
  if (r.state === state.series) return { state, out: [] };
  const region = row.regionid;
  const t = String(row.interval_datetime);
  const series = r.state.regions[region] ?? {};
  const from: Record<string, string> = { ...(state.from[region] ?? {}), [t]: input.offset };

  const times = Object.keys(series).sort((a, b) => Number(b) - Number(a));
  const keep = new Set(times.slice(0, o.liveIntervals ?? DEFAULT_LIVE));
  const liveFloor = times.length > keep.size ? Number(times[keep.size - 1]) : -Infinity;
  for (const x of Object.keys(from).sort((a, b) => newerOffset(from[b]!, from[a]!)).slice(0, o.recentIntervals ?? DEFAULT_RECENT)) keep.add(x);
  const pruned: Record<string, RooftopPoint> = {};
  const prunedFrom: Record<string, string> = {};
  for (const x of keep) {
    const point = series[x];
    if (point === undefined) continue;
    pruned[x] = point;
    const off = from[x];
    if (off !== undefined) prunedFrom[x] = off;
  }

  const old = row.interval_datetime < liveFloor && series[String(row.interval_datetime + HALF_HOUR)] === undefined;
  const emit = old ? r.emit.filter((x) => !(x.provisional && x.settlementdate >= row.interval_datetime)) : r.emit;
  return {
    state: { series: { regions: { ...r.state.regions, [region]: pruned } }, from: { ...state.from, [region]: prunedFrom } },
    out: emit.map(rooftop5MinRecord),
  };
}

/** The oldest input offset any retained point came from; undefined when the state holds nothing. */
export function rooftop5OldestNeeded(state: Rooftop5State): string | undefined {
  let min: bigint | undefined;
  for (const series of Object.values(state.from)) {
    for (const o of Object.values(series)) {
      const b = BigInt(o);
      if (min === undefined || b < min) min = b;
    }
  }
  return min?.toString();
}

export function rooftop5MinProcessor(
  input: TopicSpec,
  output: TopicSpec,
  n: AemoNaming & Rooftop5Options = {},
): StatefulProcessorComponent<CleanRooftopPv, RooftopPv5Min, Rooftop5State> {
  return {
    kind: 'stateful-processor',
    name: componentName('aemo_rooftop_pv_5min', n),
    input,
    output,
    initial: emptyRooftop5State,
    step: (state, msg) => rooftop5Step(state, msg, n),
    oldestNeeded: rooftop5OldestNeeded,
  };
}

export interface AemoProcessing {
  clean: AemoCleanTopics;
  processors: {
    scada: ProcessorComponent<RawUnitScada, CleanUnitScada>;
    price: ProcessorComponent<RawDispatchPrice, CleanRegionPrice>;
    interconnector: ProcessorComponent<RawInterconnectorRes, CleanInterconnectorFlow>;
    rooftop: ProcessorComponent<RawRooftopActual, CleanRooftopPv>;
    rooftop5: StatefulProcessorComponent<CleanRooftopPv, RooftopPv5Min, Rooftop5State>;
  };
}

/** Everything the AEMO flows need between the raw topics and the sinks. */
export function aemoProcessing(raw: AemoRawTopics, n: AemoNaming = {}): AemoProcessing {
  const clean = aemoCleanTopics(n);
  return {
    clean,
    processors: {
      scada: unitScadaProcessor(raw.scada, clean.scada, n),
      price: regionPriceProcessor(raw.price, clean.price, n),
      interconnector: interconnectorFlowProcessor(raw.interconnector, clean.interconnector, n),
      rooftop: rooftopPvProcessor(raw.rooftop, clean.rooftop, n),
      rooftop5: rooftop5MinProcessor(clean.rooftop, clean.rooftop5, n),
    },
  };
}
