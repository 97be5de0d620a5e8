// `npm run bench -- <name> [options]`: benchmarks print records/s; they are never timed tests.
const [name, ...rest] = process.argv.slice(2);
const benches: Record<string, () => Promise<{ main: (args: string[]) => Promise<void> }>> = {
  pipeline: () => import('./pipeline.js'),
  'aemo-backfill': () => import('./aemo-backfill.js'),
  'upsert-methods': () => import('./upsert-methods.js'),
  'kafka-clients': () => import('./kafka-clients.js'),
  'aemo-pipeline': () => import('./aemo-pipeline.js'),
};
const load = name ? benches[name] : undefined;
if (!load) {
  process.stderr.write(`usage: npm run bench -- <${Object.keys(benches).join('|')}> [options]\n`);
  process.exit(2);
}
await (await load()).main(rest);
process.exit(0);
