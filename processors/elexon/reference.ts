// Loads the BMU reference the curtailment processor joins against: the compacted raw bmunits topic read whole
// (latest value per unit), then the user's mapping file (ELEXON_BMU_MAPPING, the old system's bmuMapping.json
// format), whose entries replace the API's for the same unit and add units the API does not list.
import { readFileSync } from 'node:fs';
import { readTopic } from '../../runtime/inspect.js';
import { log } from '../../runtime/log.js';
import type { Serde } from '../../runtime/serde.js';
import { parseBmUnit, parseBmuMapping, type BmUnit } from '../../schemas/elexon/raw.js';
import { makeBmuLookup } from './bmu.js';
import type { BmuLookup } from '../../schemas/elexon/clean.js';
import { readSetting } from '../../runtime/settings.js';

export interface BmuReference {
  lookup: BmuLookup;
  /** Units from the topic, and from the override file. */
  fromApi: number;
  fromFile: number;
}

/** The latest value of every unit on the compacted topic; a tombstone removes a unit. */
export async function readBmUnits(topic: string, serde: Serde): Promise<BmUnit[]> {
  const messages = await readTopic(topic);
  messages.sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
  const byId = new Map<string, BmUnit>();
  for (const m of messages) {
    if (m.key === null) continue;
    if (!m.value) {
      byId.delete(m.key);
      continue;
    }
    const r = parseBmUnit(await serde.decode(m.value));
    if (r.ok) byId.set(r.value.elexonBmUnit, r.value);
    else log.warn({ topic, offset: m.offset, reason: r.error }, 'unreadable BMU reference record skipped');
  }
  return [...byId.values()];
}

/** The override file named by ELEXON_BMU_MAPPING, or nothing when unset. A bad file fails loudly, listing every problem. */
export function readBmuMappingFile(path = readSetting('ELEXON_BMU_MAPPING')): BmUnit[] {
  if (!path) return [];
  return parseBmuMapping(readFileSync(path, 'utf8'));
}

export async function loadBmuReference(topic: string, serde: Serde, o: { waitMs?: number; pollMs?: number } = {}): Promise<BmuReference> {
  const file = readBmuMappingFile();
  const deadline = Date.now() + (o.waitMs ?? 0);
  let api = await readBmUnits(topic, serde);
  // In `run` the source and the processor start together: give the source time to publish the reference list
  // rather than treat every unit as unknown.
  while (api.length === 0 && file.length === 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, o.pollMs ?? 5000));
    api = await readBmUnits(topic, serde);
  }
  if (api.length === 0 && file.length === 0) {
    throw new Error(`no BMU reference data: ${topic} is empty and ELEXON_BMU_MAPPING is not set (run the elexon source first)`);
  }
  log.info({ topic, fromApi: api.length, fromFile: file.length }, 'BMU reference loaded');
  return { lookup: makeBmuLookup(api, file), fromApi: api.length, fromFile: file.length };
}
