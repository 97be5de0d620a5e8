// The downstream contract: a consumer written with only kafkajs and @kafkajs/confluent-schema-registry (examples/)
// decodes every clean topic of the catalogue, after the pipeline map has run on generated samples.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCleanTopic } from '../../examples/consume-clean.js';
import { pipeline } from '../../pipeline.js';
import { config } from '../../runtime/config.js';
import { closePool } from '../../runtime/db.js';
import { kafkaName } from '../../runtime/namespace.js';
import { Serde } from '../../runtime/serde.js';
import { runStages } from '../../runtime/stages.js';
import { applyTopics } from '../../runtime/topics-apply.js';
import { catalogue } from '../../schemas/catalogue.js';
import { demoParts } from '../../devkit/demo.js';

const clean = catalogue(pipeline).filter((t) => t.name.startsWith('clean.'));

beforeAll(async () => {
  const serde = Serde.fromConfig();
  await applyTopics(catalogue(pipeline), serde);
  // Every source runs against the samples its demo part serves on 127.0.0.1 (no network, no ../shared).
  const parts = await Promise.all(demoParts.map((start) => start()));
  try {
    await runStages(pipeline, serde, {
      kinds: ['produce', 'process'],
      once: true,
      sourceOptions: Object.fromEntries(parts.map((p) => [p.name, p.sourceOptions])),
    });
  } finally {
    for (const p of parts) await p.close();
  }
}, 600_000);
afterAll(closePool);

describe('consuming clean topics without gridstream code', () => {
  it.each(clean.map((t) => [t.name, t] as const))('%s decodes with the registered schema', async (_name, topic) => {
    // The example client knows nothing of namespaces: it gets the names as they are on the broker.
    const records = await readCleanTopic({ brokers: config().kafka.brokers, registryUrl: config().registryUrl, topic: kafkaName(topic.name), groupId: kafkaName(`contract.${topic.name}.${Date.now()}`) });
    expect(records.length).toBeGreaterThan(0);
    const schema = topic.schema as { fields: { name: string }[] };
    for (const r of records) {
      expect(r.value).not.toBeNull();
      expect(Object.keys(r.value!).sort()).toEqual(schema.fields.map((f) => f.name).sort());
      expect(r.key.length).toBeGreaterThan(0);
    }
  });
});
