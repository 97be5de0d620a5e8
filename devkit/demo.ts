// `gridstream demo`: the main job end to end on the local stack with samples it generates itself, then what landed.
// It runs in namespace `demo` (its own topics, groups, subjects, Postgres schema and Redis keys), so its made-up
// readings never reach the tables a real ingestion fills; the namespace is reset at the start and kept afterwards.
import { spawn } from 'node:child_process';
import { stackUp } from '../infra/stack/index.js';
import { pipeline } from '../pipeline.js';
import { catalogue } from '../schemas/catalogue.js';
import { NAMESPACE_ENV } from '../runtime/config.js';
import { migrate } from '../runtime/db.js';
import { dlqCounts, readTopic } from '../runtime/inspect.js';
import { namespace, namespaceHint } from '../runtime/namespace.js';
import { dropNamespace } from '../runtime/namespace-drop.js';
import { Serde } from '../runtime/serde.js';
import { runStages } from '../runtime/stages.js';
import { applyTopics } from '../runtime/topics-apply.js';
import { startElexonDemo } from './elexon/demo.js';
import { startAemoDemo } from './aemo/demo.js';
import { startComparePowerDemo } from './comparepower/demo.js';
import { startNesoDemo } from './neso/demo.js';
import { startTorontoDemo } from './toronto/demo.js';

const out = (s: string) => process.stdout.write(`${s}\n`);

/**
 * A source's part in the demo: it serves format-true samples it generates itself on 127.0.0.1, points its source
 * at them, and afterwards prints what of it landed.
 */
export interface DemoPart {
  name: string;
  /** Options for the source's run (e.g. a date range). */
  sourceOptions: Record<string, unknown>;
  report: (out: (line: string) => void) => Promise<void>;
  close: () => Promise<void>;
}

/** Each source with a demo adds its starter here. */
export const demoParts: (() => Promise<DemoPart>)[] = [startAemoDemo, startElexonDemo, startNesoDemo, startTorontoDemo, startComparePowerDemo];

export const DEMO_NAMESPACE = 'demo';

/**
 * Runs this same command again with GRIDSTREAM_NAMESPACE=demo and returns its exit code: the namespace is part of
 * the configuration a process reads once at start, so the demo gets a process of its own rather than switching.
 */
export function rerunInDemoNamespace(): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env: { ...process.env, [NAMESPACE_ENV]: DEMO_NAMESPACE } });
    // Ctrl-C reaches both processes from the terminal; a SIGTERM sent to this one alone is passed on.
    const forward = () => child.kill('SIGTERM');
    process.on('SIGTERM', forward);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      process.off('SIGTERM', forward);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

export async function runDemo(): Promise<void> {
  const ns = namespace();
  if (ns.name !== DEMO_NAMESPACE) throw new Error(`the demo runs in namespace ${DEMO_NAMESPACE}, not ${ns.name || 'the production one'}`);
  out('== stack');
  await stackUp((r) => out(`  ${r.service.padEnd(9)} ${r.action.padEnd(8)} ${r.where}`));
  out(`== namespace ${ns.name} (reset: what an earlier demo left is removed)`);
  const dropped = await dropNamespace(ns.name);
  out(`  removed ${dropped.topics} topics, ${dropped.groups} groups, ${dropped.subjects} subjects, ${dropped.schema ? 'the Postgres schema' : 'no Postgres schema'}, ${dropped.redisKeys} Redis keys`);
  out('== database and topics');
  const applied = await migrate();
  out(`  migrations: ${applied.length ? applied.join(', ') : 'up to date'}`);
  const serde = Serde.fromConfig();
  const topics = await applyTopics(catalogue(pipeline), serde);
  out(`  topics: ${topics.created.length} created, ${topics.updated.length} up to date; ${topics.registered.length} schemas registered`);

  out('== run --once (sources -> raw -> processors -> clean -> Postgres and Redis)');
  const parts = [];
  for (const start of demoParts) parts.push(await start());
  const t0 = Date.now();
  try {
    await runStages(pipeline, serde, {
      kinds: ['produce', 'process', 'sink'],
      once: true,
      sourceOptions: Object.fromEntries(parts.map((p) => [p.name, p.sourceOptions])),
    });
    out(`  done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    for (const p of parts) await p.report(out);
  } finally {
    for (const p of parts) await p.close();
  }

  out('== dead letters');
  const ours = new Set(catalogue(pipeline).map((t) => t.name));
  for (const d of await dlqCounts()) {
    if (d.count === 0 || !ours.has(d.topic)) continue;
    const records = await readTopic(d.topic);
    const reasons = [...new Set(records.map((r) => r.headers.reason))].slice(0, 3).join('; ');
    out(`  dead letters ${d.topic}: ${records.length} (${reasons}) — gridstream dlq show ${d.topic}`);
  }

  out(`== left in namespace ${ns.name} to look at: ${namespaceHint(ns)}; remove it with: npx gridstream namespace drop ${ns.name}`);
}
