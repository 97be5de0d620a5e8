// The Toronto topics. `id` names a set of them ('toronto' in the pipeline map; tests and benches pass their own).
// Parking tickets travel in chunks (many rows of one file per record, keyed by resource|file|first line), so a
// yearly load is a few thousand Kafka records rather than millions: see sinks/toronto/README.md for why.
import { cleanTopic, rawTopic, type TopicSpec } from '../topics.js';

export interface TorontoTopics {
  parkingRaw: TopicSpec;
  parkingClean: TopicSpec;
  cameraLocationRaw: TopicSpec;
  cameraLocationClean: TopicSpec;
  cameraChargesRaw: TopicSpec;
  cameraChargesClean: TopicSpec;
}

export function torontoTopics(id = 'toronto'): TorontoTopics {
  return {
    // One partition: a load's chunks stay in file order, so the chunk marked final is read after every other chunk
    // of its load and the sink can settle the load's metrics there.
    parkingRaw: rawTopic(`raw.${id}.parking_chunk`, {
      key: 'resource_id|file|first_line',
      schema: './toronto/raw.toronto.parking_chunk.avsc',
      partitions: 1,
      description: 'Toronto parking tickets: chunks of rows of one CSV of a yearly ZIP (decoded text, file and line range); event time = fetch time',
    }),
    parkingClean: cleanTopic(`clean.${id}.parking_chunk`, {
      key: 'resource_id|file|first_line',
      schema: './toronto/clean.toronto.parking_chunk.avsc',
      partitions: 1,
      description: 'Toronto parking tickets normalised (timestamptz, numeric fine, integer code, location and street keys, ticket hash), chunk by chunk',
    }),
    cameraLocationRaw: rawTopic(`raw.${id}.camera_location`, {
      key: 'dataset|code',
      schema: './toronto/raw.toronto.camera_location.avsc',
      partitions: 1,
      description: 'Toronto red-light and speed camera locations as published (properties JSON, geometry)',
    }),
    cameraLocationClean: cleanTopic(`clean.${id}.camera_location`, {
      key: 'dataset|location_code',
      schema: './toronto/clean.toronto.camera_location.avsc',
      partitions: 1,
      description: 'Toronto camera locations: join code (RLC - 3500), WGS84 point, ward',
    }),
    cameraChargesRaw: rawTopic(`raw.${id}.camera_charges`, {
      key: 'dataset|code',
      schema: './toronto/raw.toronto.camera_charges.avsc',
      partitions: 1,
      description: 'Toronto camera charges workbooks (RLC yearly, ASE monthly), one sheet row per record',
    }),
    cameraChargesClean: cleanTopic(`clean.${id}.camera_charges`, {
      key: 'dataset|location_code',
      schema: './toronto/clean.toronto.camera_charges.avsc',
      partitions: 1,
      description: 'Toronto camera charges per location and period (YYYY or YYYY-MM)',
    }),
  };
}
