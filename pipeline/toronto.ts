// The Toronto flows: one source (parking-ticket yearly ZIPs, camera locations and charges) -> raw topics ->
// processors -> clean topics -> parking_tickets + yearly metrics, camera tables + GeoJSON, Redis map payloads.
// `torontoFlow(id)` builds a copy with topics, tables and component names of its own (tests, benches).
import type { Flow } from '../runtime/components.js';
import { torontoParkingProcessor } from '../processors/toronto/parking.js';
import { torontoSourceComponent, type TorontoSourceConfig } from '../producers/toronto/source.js';
import { torontoTopics, type TorontoTopics } from '../schemas/toronto/topics.js';
import { torontoParkingSink } from '../sinks/toronto/parking.js';
import { torontoTables, type TorontoTables } from '../sinks/toronto/tables.js';

export interface TorontoFlow {
  id: string;
  flows: Flow[];
  topics: TorontoTopics;
  tables: TorontoTables;
  source: ReturnType<typeof torontoSourceComponent>;
  parkingProcessor: ReturnType<typeof torontoParkingProcessor>;
  parkingSink: ReturnType<typeof torontoParkingSink>;
}

export interface TorontoFlowOptions {
  source?: Omit<TorontoSourceConfig, 'name' | 'topics'>;
}

export function torontoFlow(id = 'toronto', o: TorontoFlowOptions = {}): TorontoFlow {
  const own = id !== 'toronto';
  const name = (n: string) => (own ? `${id}-${n}` : n);
  const topics = torontoTopics(id);
  const tables = torontoTables(own ? id : undefined);
  const source = torontoSourceComponent({ ...o.source, name: own ? id : 'toronto', topics });
  const parkingProcessor = torontoParkingProcessor({ name: name('toronto-parking'), topics });
  const parkingSink = torontoParkingSink({ name: name('toronto-parking-tickets'), topics, tables });
  const flows: Flow[] = [{ source, processor: parkingProcessor, sinks: [parkingSink] }];
  return { id, flows, topics, tables, source, parkingProcessor, parkingSink };
}

/** The Toronto flows of the pipeline map. */
export const torontoFlows = (): Flow[] => torontoFlow().flows;
