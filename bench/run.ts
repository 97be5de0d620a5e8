// `npm run bench -- <name> [options]`: benchmarks print records/s; they are never timed tests.
// Each run works in a namespace of its own (`b<random>`: topics, groups, subjects, Postgres schema, Redis keys),
// removed at the end (unless --keep), so benchmarks never add to what a real ingestion or `gridstream status` sees.
import { randomBytes } from 'node:crypto';
import { NAMESPACE_ENV } from '../runtime/config.js';

const [name, ...rest] = process.argv.slice(2);
// A bench exporting `ownStack` starts a stack of its own and never uses the configured one: nothing to drop there.
const benches: Record<string, () => Promise<{ main: (args: string[]) => Promise<void>; ownStack?: boolean }>> = {
  pipeline: () => import('./pipeline.js'),
  'aemo-backfill': () => import('./aemo-backfill.js'),
  'upsert-methods': () => import('./upsert-methods.js'),
  'kafka-clients': () => import('./kafka-clients.js'),
  'aemo-pipeline': () => import('./aemo-pipeline.js'),
  'plans-api': () => import('./plans-api.js'),
  neso: () => import('./neso.js'),
  toronto: () => import('./toronto.js'),
  'kafka-connect': () => import('./kafka-connect.js'),
  chaos: () => import('./chaos.js'),
};
const load = name ? benches[name] : undefined;
if (!load) {
  process.stderr.write(`usage: npm run bench -- <${Object.keys(benches).join('|')}> [options]\n`);
  process.exit(2);
}
// Set before anything reads the configuration (it is read once per process).
process.env[NAMESPACE_ENV] = `b${randomBytes(4).toString('hex')}`;
const { namespace } = await import('../runtime/namespace.js');
const { closePool } = await import('../runtime/db.js');
const { dropNamespace } = await import('../runtime/namespace-drop.js');
const ns = namespace().name;
let code = 0;
let ownStack = false;
try {
  const bench = await load();
  ownStack = bench.ownStack === true;
  await bench.main(rest);
} catch (err) {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  code = 1;
} finally {
  if (!ownStack && rest.includes('--keep')) {
    process.stdout.write(`namespace ${ns} kept (--keep): remove it with: npx gridstream namespace drop ${ns}\n`);
  } else if (!ownStack) {
    try {
      const d = await dropNamespace(ns);
      process.stdout.write(`namespace ${ns} removed (${d.topics} topics, ${d.groups} groups, ${d.subjects} subjects, ${d.redisKeys} Redis keys)\n`);
    } catch (err) {
      // A benchmark that ran without the stack leaves nothing; one that used it and cannot be cleaned says how.
      process.stderr.write(`namespace ${ns} not removed (${(err as Error).message}); remove it with: npx gridstream namespace drop ${ns}\n`);
    }
  }
  await closePool();
}
// A bench that finished but found a failure (e.g. chaos: rows lost) sets process.exitCode.
process.exit(code || Number(process.exitCode ?? 0));
