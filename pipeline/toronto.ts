// The Toronto flows: one source (parking-ticket yearly ZIPs, camera locations and charges) -> raw topics ->
// processors -> clean topics -> parking_tickets + yearly metrics, camera tables + GeoJSON, Redis map payloads.
// `torontoFlow(id)` builds a copy with topics, tables and component names of its own (tests, benches).
import type { Flow } from '../runtime/components.js';
import { pool } from '../runtime/db.js';
import { log } from '../runtime/log.js';
import { sharedRedis, ViewRefused } from '../runtime/redis-views.js';
import { publishNeighbourhoods } from '../sinks/toronto/map-payloads.js';
import { torontoParkingProcessor } from '../processors/toronto/parking.js';
import { torontoCameraChargesProcessor, torontoCameraLocationProcessor } from '../processors/toronto/cameras.js';
import { torontoCameraChargesSink, torontoCameraLocationSink } from '../sinks/toronto/cameras.js';
import { torontoSourceComponent, type TorontoSourceConfig } from '../producers/toronto/source.js';
import { torontoTopics, type TorontoTopics } from '../schemas/toronto/topics.js';
import { torontoParkingSink, type TorontoParkingSinkOptions } from '../sinks/toronto/parking.js';
import { torontoTables, type TorontoTables } from '../sinks/toronto/tables.js';

export interface TorontoFlow {
  id: string;
  flows: Flow[];
  topics: TorontoTopics;
  tables: TorontoTables;
  /** Prefix of the Redis map payload views. */
  mapView: string;
  source: ReturnType<typeof torontoSourceComponent>;
  parkingProcessor: ReturnType<typeof torontoParkingProcessor>;
  parkingSink: ReturnType<typeof torontoParkingSink>;
  cameraLocationProcessor: ReturnType<typeof torontoCameraLocationProcessor>;
  cameraChargesProcessor: ReturnType<typeof torontoCameraChargesProcessor>;
  cameraLocationSink: ReturnType<typeof torontoCameraLocationSink>;
  cameraChargesSink: ReturnType<typeof torontoCameraChargesSink>;
}

export interface TorontoFlowOptions {
  source?: Omit<TorontoSourceConfig, 'name' | 'topics'>;
  parkingSink?: Pick<TorontoParkingSinkOptions, 'idleSettleMs'>;
}

export function torontoFlow(id = 'toronto', o: TorontoFlowOptions = {}): TorontoFlow {
  const own = id !== 'toronto';
  const name = (n: string) => (own ? `${id}-${n}` : n);
  const topics = torontoTopics(id);
  const tables = torontoTables(own ? id : undefined);
  const source = torontoSourceComponent({ ...o.source, name: own ? id : 'toronto', topics });
  const parkingProcessor = torontoParkingProcessor({ name: name('toronto-parking'), topics });
  // The Redis map payloads (sinks/toronto/map-payloads.ts), rebuilt after the commits that change them.
  const mapView = own ? `${id}-map` : 'toronto-map';
  const parkingSink = torontoParkingSink({
    ...o.parkingSink,
    name: name('toronto-parking-tickets'),
    topics,
    tables,
    onSettled: async (s) => {
      try {
        await publishNeighbourhoods(pool(), sharedRedis(), tables, mapView, s.neighbourhoods);
      } catch (err) {
        if (!(err instanceof ViewRefused)) throw err;
        log.warn({ view: mapView, err: err.message }, 'parking map payloads not published');
      }
    },
  });
  const cameraLocationProcessor = torontoCameraLocationProcessor({ name: name('toronto-camera-locations'), topics });
  const cameraChargesProcessor = torontoCameraChargesProcessor({ name: name('toronto-camera-charges'), topics });
  const cameraLocationSink = torontoCameraLocationSink({ name: name('toronto-camera-location-rows'), topics, tables, mapView });
  const cameraChargesSink = torontoCameraChargesSink({ name: name('toronto-camera-charge-rows'), topics, tables, mapView });
  const flows: Flow[] = [
    { source, processor: parkingProcessor, sinks: [parkingSink] },
    { processor: cameraLocationProcessor, sinks: [cameraLocationSink] },
    { processor: cameraChargesProcessor, sinks: [cameraChargesSink] },
  ];
  return { id, flows, topics, tables, mapView, source, parkingProcessor, parkingSink, cameraLocationProcessor, cameraChargesProcessor, cameraLocationSink, cameraChargesSink };
}

/** The Toronto flows of the pipeline map. */
export const torontoFlows = (): Flow[] => torontoFlow().flows;
