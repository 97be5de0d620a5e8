// Pipeline commands: topics, db, produce, process, sink, run, status, dlq, redis, demo.
import { type Command, Option } from 'commander';
import { pipeline } from '../pipeline.js';
import { catalogue } from '../schemas/catalogue.js';
import { migrate } from '../runtime/db.js';
import { dlqCounts, groupLags, lastRuns, lastSuccessfulRuns, pipelineGroups, readTopic, redrive } from '../runtime/inspect.js';
import { namespace } from '../runtime/namespace.js';
import { storedStages } from '../runtime/stage-status-store.js';
import { redisClient, redisUsage, viewKey } from '../runtime/redis-views.js';
import { Serde } from '../runtime/serde.js';
import { dependenciesOf, selectedComponents, superviseStages, unknownNames, type StageKind } from '../runtime/stages.js';
import { EXIT } from './exit-codes.js';
import { log } from '../runtime/log.js';
import { formatOutcomes } from './outcomes.js';
import { serving, session } from './serving.js';
import { applyTopics } from '../runtime/topics-apply.js';

const out = (s: string) => process.stdout.write(`${s}\n`);
const list = (v: string) => v.split(',').map((s) => s.trim()).filter(Boolean);
/** A duration for people: 42 s, 7 min, 3 h, 2 d. */
const age = (ms: number) => {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 90 ? `${s} s` : s < 5400 ? `${Math.round(s / 60)} min` : s < 172_800 ? `${Math.round(s / 3600)} h` : `${Math.round(s / 86_400)} d`;
};

async function stageCommand(kinds: StageKind[], opts: { only?: string[]; once?: boolean; sourceOptions?: Record<string, Record<string, unknown>> }): Promise<void> {
  const bad = unknownNames(pipeline, opts.only ?? []);
  if (bad.length) throw new Error(`unknown component(s): ${bad.join(', ')}`);
  const sel = { kinds, only: opts.only, once: Boolean(opts.once), sourceOptions: opts.sourceOptions };
  const c = selectedComponents(pipeline, sel);
  await serving(dependenciesOf([...c.sources, ...c.processors, ...c.sinks]), async () => {
    const outcomes = await superviseStages(pipeline, Serde.fromConfig(), sel);
    if (!sel.once) return;
    for (const line of formatOutcomes(outcomes)) out(line);
    // Every stage that could run has run; one that failed fails the command, so a scheduler notices.
    if (outcomes.some((o) => o.state === 'failed')) process.exitCode = EXIT.failure;
  });
  if (sel.once) exitWhenIdle();
}

/**
 * A finished `--once` run ends even if a client somewhere still holds a connection (seen once: every stage done, the
 * process alive minutes later on one idle broker connection). The timer is unref'd, so it only fires when something
 * else keeps the process alive, and it names what that is so the leak can be found.
 */
function exitWhenIdle(graceMs = 10_000): void {
  setTimeout(() => {
    log.warn({ open: process.getActiveResourcesInfo() }, 'all stages finished but handles are still open: exiting anyway');
    process.exit(process.exitCode ?? EXIT.ok);
  }, graceMs).unref();
}

export function registerCommands(program: Command): void {
  program
    .command('topics')
    .description('Topic catalogue')
    .command('apply')
    .description('Create or update every topic of the catalogue and register its schema')
    .action(async () => {
      const r = await applyTopics(catalogue(pipeline), Serde.fromConfig());
      out(`created ${r.created.length}, updated ${r.updated.length}, schemas registered ${r.registered.length}`);
      for (const x of r.refused) out(`REFUSED ${x.subject}: ${x.reason}`);
      if (r.refused.length) process.exitCode = 1;
    });

  program
    .command('db')
    .description('Database')
    .command('migrate')
    .description('Apply the SQL migrations in infra/migrations that are not applied yet')
    .action(() =>
      session(async () => {
        const applied = await migrate();
        out(applied.length ? `applied ${applied.join(', ')}` : 'database up to date');
      }),
    );

  program
    .command('produce <source>')
    .description('Fetch from a source and publish raw records (continuous unless --once); a range backfills and exits')
    .option('--once', 'fetch what is new, publish, exit')
    .option('--from <date>', 'backfill from this date (YYYY-MM-DD, the market\'s own calendar)')
    .option('--to <date>', 'backfill to this date, inclusive')
    .option('--date <date>', 'one date (= --from D --to D)')
    .option('--datasets <a,b>', 'only these datasets of the source', list)
    .option('--years <spec>', 'yearly sources (toronto): years and ranges, e.g. 2008-2024 or 2015,2017')
    .option('--force', 'reload even what is unchanged upstream')
    .option('--full', 'publish every record, changed or not (sources with change detection, e.g. neso)')
    .action((source: string, o: Record<string, unknown>) => {
      const { once, ...sourceOptions } = o;
      if (sourceOptions.date) sourceOptions.from = sourceOptions.to = sourceOptions.date;
      // A date range (or a list of years) is a backfill: it ends when the range is published.
      const bounded = Boolean(once) || sourceOptions.from !== undefined || sourceOptions.years !== undefined;
      return stageCommand(['produce'], { only: [source], once: bounded, sourceOptions: { [source]: sourceOptions } });
    });

  program
    .command('process')
    .description('Run processors: raw -> clean, exactly once')
    .option('--only <names>', 'comma-separated processor names', list)
    .option('--once', 'drain and exit')
    .action((o: { only?: string[]; once?: boolean }) => stageCommand(['process'], o));

  program
    .command('sink')
    .description('Run Postgres sinks and Redis views')
    .option('--only <names>', 'comma-separated sink or view names', list)
    .option('--once', 'drain and exit')
    .action((o: { only?: string[]; once?: boolean }) => stageCommand(['sink'], o));

  program
    .command('run')
    .description('Every stage of the pipeline map in one process (producers on their schedules)')
    .option('--once', 'fetch what is new, drain every stage, exit')
    .option('--only <names>', 'comma-separated names of the sources, processors and sinks to run (default: all)', list)
    .action((o: { once?: boolean; only?: string[] }) => stageCommand(['produce', 'process', 'sink'], o));

  program
    .command('status')
    .description('Stages of running processes, lag per consumer group of the pipeline (this namespace), last producer runs, dead-letter counts')
    .option('--json', 'print one JSON object')
    .option('--all', 'every consumer group of the namespace, not only the pipeline\'s own')
    .action((o: { json?: boolean; all?: boolean }) =>
      session(async () => {
        const [lags, runs, okRuns, dlq, stages] = await Promise.all([groupLags(o.all ? undefined : pipelineGroups(pipeline)), lastRuns(), lastSuccessfulRuns(), dlqCounts(), storedStages()]);
        const now = Date.now();
        // A source's last success: its last run that ended well (etl_run_log), or, for a continuous source whose run
        // never ends, the last poll its process reported (stage_status), whichever is later.
        const latest = new Map<string, number>(okRuns.map((r) => [r.task, r.completed_at.getTime()]));
        for (const st of stages) if (st.stage.startsWith('produce:') && st.last_success && st.last_success.getTime() > (latest.get(st.stage) ?? 0)) latest.set(st.stage, st.last_success.getTime());
        const sources = [...latest].sort(([a], [b]) => a.localeCompare(b)).map(([task, at]) => ({ task, lastSuccess: new Date(at).toISOString(), ageSeconds: Math.round((now - at) / 1000) }));
        if (o.json) {
          out(JSON.stringify({ stages, groups: lags, sources, runs, dlq }));
          return;
        }
        out('stages (as their processes report them; live = reported in the last 30 s):');
        if (stages.length === 0) out('  none reported in the last day');
        for (const st of stages) {
          const since = `${st.state} for ${age(now - st.since.getTime())}`;
          const ok = st.last_success ? `last success ${age(now - st.last_success.getTime())} ago` : 'no success yet';
          out(`  ${st.stage.padEnd(40)} ${since.padEnd(28)} ${ok.padEnd(28)} ${st.live ? `${st.host}:${st.pid}${st.http_url ? ` ${st.http_url}` : ''}` : `gone (last heard ${age(now - st.updated_at.getTime())} ago)`}${st.last_error && st.state !== 'running' && st.state !== 'done' ? `\n      last error: ${st.last_error}` : ''}`);
        }
        out('consumer groups (lag = committed records not yet processed; transaction markers are not lag):');
        for (const l of lags) {
          out(`  ${l.group.padEnd(44)} ${l.topic.padEnd(32)} lag ${l.lag}${l.partitions.some((p) => p.approximate) ? ' (≤, not read)' : ''}  ${l.state}, ${l.members} member(s)`);
        }
        out('sources, last successful run:');
        for (const r of sources) out(`  ${r.task.padEnd(28)} ${r.lastSuccess} (${age(r.ageSeconds * 1000)} ago)`);
        out('last runs:');
        for (const r of runs) out(`  ${r.started_at.toISOString()} ${r.task.padEnd(28)} ${r.status.padEnd(8)} out ${r.records_out} rejected ${r.records_rejected}${r.notes ? ` (${r.notes})` : ''}`);
        out('dead letters:');
        for (const d of dlq) out(`  ${d.topic.padEnd(44)} ${d.count}${d.approximate ? ' (offsets, not read)' : ''}`);
      }),
    );

  const dlq = program.command('dlq').description('Dead-letter topics');
  dlq
    .command('list')
    .description('Every dead-letter topic and how many offsets it holds')
    .action(async () => {
      for (const d of await dlqCounts()) out(`${d.topic.padEnd(44)} ${d.count}`);
    });
  dlq
    .command('show <topic>')
    .description('Print the dead letters of a topic (dlq.<topic> or <topic>)')
    .addOption(new Option('--limit <n>', 'at most this many').argParser(Number).default(20))
    .action(async (topic: string, o: { limit: number }) => {
      const name = topic.startsWith('dlq.') ? topic : `dlq.${topic}`;
      for (const m of await readTopic(name, { limit: o.limit })) {
        out(JSON.stringify({ partition: m.partition, offset: m.offset, key: m.key, headers: m.headers, bytes: m.value?.length ?? 0, preview: m.value?.toString('utf8', 0, 200) }));
      }
    });
  dlq
    .command('redrive <topic>')
    .description('Send the dead letters of a topic back to the topic they came from (after a fix)')
    .action(async (topic: string) => {
      const r = await redrive(topic.startsWith('dlq.') ? topic : `dlq.${topic}`);
      out(`redriven ${r.sent}, skipped ${r.skipped} (whole-input dead letters are re-fetched, not redriven)`);
    });

  program
    .command('redis')
    .description('Redis views')
    .command('usage')
    .description('Bytes per view and the headroom under the memory budget')
    .action(async () => {
      const r = redisClient();
      try {
        const u = await redisUsage(r);
        for (const [view, bytes] of Object.entries(u.views)) {
          // A view the memory guard shed leaves a marker saying why (e.g. NESO's map clusters).
          const shed = await r.get(viewKey(view, 'shed'));
          out(`${view.padEnd(32)} ${bytes} B${shed ? `  (shed: ${shed})` : ''}`);
        }
        out(`used ${u.used} B, maxmemory ${u.max || 'unlimited'} B, budget ${Math.round(u.budget)} B, headroom ${u.headroom === null ? 'unlimited' : `${Math.round(u.headroom)} B`}`);
      } finally {
        r.disconnect();
      }
    });

  program
    .command('demo')
    .description('Start the stack, run the whole pipeline on generated samples, print what landed')
    // The demo and its generators live in devkit/, outside the production folders; loaded only for this command.
    .action(async () => {
      const demo = await import('../devkit/demo.js');
      // The demo never runs in the production namespace: it runs itself again in its own.
      if (namespace().name !== demo.DEMO_NAMESPACE) process.exitCode = await demo.rerunInDemoNamespace();
      else await session(() => demo.runDemo());
    });
}
