// The AEMO topics: four raw topics the NEMWEB source writes (MMS rows as published) and five clean topics the
// processors write. Names carry an optional id so tests and benchmarks run on topics of their own.
import { cleanTopic, rawTopic, type TopicSpec } from '../topics.js';

/** The MMS tables the pipeline ingests, by short name. */
export type AemoWant = 'scada' | 'price' | 'interconnector' | 'rooftop';

export const CLEAN_UNIT_SCADA_TOPIC = 'clean.aemo.unit_scada';
export const CLEAN_REGION_PRICE_TOPIC = 'clean.aemo.region_price';
export const CLEAN_INTERCONNECTOR_FLOW_TOPIC = 'clean.aemo.interconnector_flow';
export const CLEAN_ROOFTOP_PV_TOPIC = 'clean.aemo.rooftop_pv';
export const ROOFTOP_PV_5MIN_TOPIC = 'clean.aemo.rooftop_pv_5min';

export interface AemoRawTopics {
  scada: TopicSpec;
  price: TopicSpec;
  interconnector: TopicSpec;
  rooftop: TopicSpec;
}

export interface AemoCleanTopics {
  scada: TopicSpec;
  price: TopicSpec;
  interconnector: TopicSpec;
  rooftop: TopicSpec;
  rooftop5: TopicSpec;
}

export interface AemoNaming {
  /** Appended to topic names (`.<id>`) and component names (`_<id>`): tests run on topics of their own. */
  id?: string;
}

const topicName = (base: string, n: AemoNaming) => (n.id ? `${base}.${n.id}` : base);

export function aemoCleanTopics(n: AemoNaming = {}): AemoCleanTopics {
  return {
    scada: cleanTopic(topicName(CLEAN_UNIT_SCADA_TOPIC, n), {
      key: 'duid|settlementdate_nem',
      schema: './aemo/clean.aemo.unit_scada.avsc',
      description: 'AEMO unit SCADA MW per DUID per 5-min dispatch interval (interval end, UTC + NEM label)',
    }),
    price: cleanTopic(topicName(CLEAN_REGION_PRICE_TOPIC, n), {
      key: 'regionid|settlementdate_nem|intervention',
      schema: './aemo/clean.aemo.region_price.avsc',
      description: 'AEMO dispatch price per region per 5-min interval; intervention 0 and 1 rows both kept',
    }),
    interconnector: cleanTopic(topicName(CLEAN_INTERCONNECTOR_FLOW_TOPIC, n), {
      key: 'interconnectorid|settlementdate_nem|intervention',
      schema: './aemo/clean.aemo.interconnector_flow.avsc',
      description: 'AEMO interconnector flows, losses and limits per 5-min interval',
    }),
    // One partition: the 5-min interpolation keeps per-region state, and the default partitioner would spread one
    // region's intervals (keyed region|interval|type) over every partition, each with its own state. The topic is
    // small (10 regions x 2 types x 48 intervals a day), so one partition costs nothing.
    rooftop: cleanTopic(topicName(CLEAN_ROOFTOP_PV_TOPIC, n), {
      key: 'regionid|interval_datetime_nem|type',
      schema: './aemo/clean.aemo.rooftop_pv.avsc',
      partitions: 1,
      description: 'AEMO rooftop PV actual, 30-min, per region and sub-region, MEASUREMENT and SATELLITE',
    }),
    rooftop5: cleanTopic(topicName(ROOFTOP_PV_5MIN_TOPIC, n), {
      key: 'regionid|settlementdate_nem',
      schema: './aemo/clean.aemo.rooftop_pv_5min.avsc',
      description: 'AEMO rooftop PV MEASUREMENT spread to 5-min slots as the reference updater does; provisional until the next 30-min value',
    }),
  };
}

const TOPIC_DOC: Record<AemoWant, { suffix: string; schema: string; key: string; description: string }> = {
  scada: { suffix: 'unit_scada', schema: 'raw.aemo.unit_scada', key: 'duid|settlementdate (NEM label)', description: 'AEMO DISPATCH,UNIT_SCADA rows as published (Dispatch_SCADA files, daily archives, MMSDM)' },
  price: { suffix: 'dispatch_price', schema: 'raw.aemo.dispatch_price', key: 'regionid|settlementdate (NEM label)|intervention', description: 'AEMO DISPATCH,PRICE rows as published (DispatchIS files, daily archives, MMSDM DISPATCHPRICE)' },
  interconnector: { suffix: 'interconnector', schema: 'raw.aemo.interconnector', key: 'interconnectorid|settlementdate (NEM label)|intervention', description: 'AEMO DISPATCH,INTERCONNECTORRES rows as published (DispatchIS files, daily archives, MMSDM)' },
  rooftop: { suffix: 'rooftop_actual', schema: 'raw.aemo.rooftop_actual', key: 'regionid|interval_datetime (NEM label)|type', description: 'AEMO ROOFTOP,ACTUAL rows (MEASUREMENT and SATELLITE) as published (ROOFTOP_PV/ACTUAL files, weekly archives, MMSDM)' },
};

/** The four raw topics. */
export type AemoRawTopicSpecs = AemoRawTopics;

/** The raw topic specs for a prefix: `<prefix>.unit_scada`, `.dispatch_price`, `.interconnector`, `.rooftop_actual`. */
export function aemoRawTopicSpecs(prefix = 'raw.aemo'): AemoRawTopicSpecs {
  const spec = (w: AemoWant): TopicSpec => {
    const d = TOPIC_DOC[w];
    // Rooftop rows feed an interpolation that needs each region's intervals in file order: one partition (it is tiny).
    return rawTopic(`${prefix}.${d.suffix}`, { key: d.key, description: d.description, schema: `./aemo/${d.schema}.avsc`, ...(w === 'rooftop' ? { partitions: 1 } : {}) });
  };
  return { scada: spec('scada'), price: spec('price'), interconnector: spec('interconnector'), rooftop: spec('rooftop') };
}

/** The pipeline's raw AEMO topics, for processors to read. */
export const aemoRawTopics: AemoRawTopicSpecs = aemoRawTopicSpecs();
