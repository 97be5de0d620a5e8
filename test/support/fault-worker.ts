// A long-running process for the dependency-fault tests: one synthetic flow (source -> processor -> Postgres table +
// Redis view) under the supervisor, forever, with the same process services (HTTP server, stage states) as
// `gridstream run`. Its source produces up to the count written in `countFile`, read on every poll, so the test can
// make data arrive before, during and after an outage. Prints {"url": …} on stdout once serving.
// Usage: tsx test/support/fault-worker.ts '{"id": "<flow id>", "countFile": "/path", "units": 7}'
import { readFileSync } from 'node:fs';
import type { Flow } from '../../runtime/components.js';
import { startProcessServices } from '../../runtime/process-services.js';
import { Serde } from '../../runtime/serde.js';
import { dependenciesOf, selectedComponents, superviseStages } from '../../runtime/stages.js';
import { syntheticSourceOf, type SyntheticOptions } from '../../devkit/synthetic/source.js';
import { buildFlow } from './flow.js';

const spec = JSON.parse(process.argv[2] ?? '{}') as { id: string; countFile: string; units: number };
const f = buildFlow(spec.id);
const synthetic = syntheticSourceOf(spec.id);
const source = {
  ...f.source,
  // Polled often so records the test asks for arrive within a second or two.
  pollEveryMs: 500,
  source: {
    name: spec.id,
    read: (cursor: Parameters<typeof synthetic.read>[0], o: SyntheticOptions, ctx: Parameters<typeof synthetic.read>[2]) =>
      synthetic.read(cursor, { ...o, count: Number(readFileSync(spec.countFile, 'utf8')) }, ctx),
  },
};
const flows: Flow[] = [{ ...f.flow, source }];
const sel = { kinds: ['produce', 'process', 'sink'] as ('produce' | 'process' | 'sink')[], once: false, sourceOptions: { [spec.id]: { units: spec.units, batchSize: 50 } } };
const c = selectedComponents(flows, sel);
const services = await startProcessServices({ dependencies: dependenciesOf([...c.sources, ...c.processors, ...c.sinks]) });
process.stdout.write(`${JSON.stringify({ url: services.url })}\n`);
await superviseStages(flows, Serde.fromConfig(), sel);
