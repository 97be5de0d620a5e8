// `gridstream run` over test flows, in its own process: the same supervised stages and process services (HTTP server,
// stage states for `status`) as the CLI, on flows with names of their own. Prints {"url": …} on stdout once serving.
// Usage: tsx test/support/run-worker.ts '{"synthetic": "<flow id>", "elexon": {"id": "<flow id>", "baseUrl": "…"}}'
import { elexonFlow } from '../../pipeline/elexon.js';
import type { Flow } from '../../runtime/components.js';
import { startProcessServices } from '../../runtime/process-services.js';
import { Serde } from '../../runtime/serde.js';
import { dependenciesOf, selectedComponents, superviseStages } from '../../runtime/stages.js';
import { buildFlow } from './flow.js';

const spec = JSON.parse(process.argv[2] ?? '{}') as { synthetic?: string; elexon?: { id: string; baseUrl: string }; syntheticCount?: number };
const flows: Flow[] = [];
if (spec.synthetic) flows.push(buildFlow(spec.synthetic).flow);
if (spec.elexon) {
  // As elexonTestFlow builds it (test/support/elexon-api-double.ts): fast retries, so a closed port fails in seconds.
  const f = elexonFlow(spec.elexon.id, { source: { baseUrl: spec.elexon.baseUrl, requestsPerMinute: 60_000, windowDays: 1, http: { minDelayMs: 100, maxDelayMs: 500, retries: 1 } }, waitForReferenceMs: 0 });
  f.source.pollEveryMs = 2000;
  flows.push(f.flow);
}
const sel = { kinds: ['produce', 'process', 'sink'] as const, once: false, sourceOptions: spec.synthetic ? { [spec.synthetic]: { count: spec.syntheticCount ?? 500, batchSize: 100 } } : {} };
const c = selectedComponents(flows, { kinds: [...sel.kinds] });
const services = await startProcessServices({ dependencies: dependenciesOf([...c.sources, ...c.processors, ...c.sinks]) });
process.stdout.write(`${JSON.stringify({ url: services.url })}\n`);
await superviseStages(flows, Serde.fromConfig(), { ...sel, kinds: [...sel.kinds] });
