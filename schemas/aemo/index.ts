// The Avro schema file of each AEMO topic, for the schema catalogue to register (value subjects).
export const AEMO_SCHEMA_FILES = {
  'raw.aemo.unit_scada': 'raw.aemo.unit_scada.avsc',
  'raw.aemo.dispatch_price': 'raw.aemo.dispatch_price.avsc',
  'raw.aemo.interconnector': 'raw.aemo.interconnector.avsc',
  'raw.aemo.rooftop_actual': 'raw.aemo.rooftop_actual.avsc',
  'clean.aemo.unit_scada': 'clean.aemo.unit_scada.avsc',
  'clean.aemo.region_price': 'clean.aemo.region_price.avsc',
  'clean.aemo.interconnector_flow': 'clean.aemo.interconnector_flow.avsc',
  'clean.aemo.rooftop_pv': 'clean.aemo.rooftop_pv.avsc',
  'clean.aemo.rooftop_pv_5min': 'clean.aemo.rooftop_pv_5min.avsc',
} as const;

export type AemoTopic = keyof typeof AEMO_SCHEMA_FILES;

/** Location of a topic's .avsc file, next to this module. */
export const aemoSchemaUrl = (topic: AemoTopic): URL => new URL(AEMO_SCHEMA_FILES[topic], import.meta.url);
