// `gridstream replay`: reingest a range of a raw topic (by offsets or by the market's dates) through its processor
// and sinks, in a dedicated group, leaving the live groups where they are.
import type { Command } from 'commander';
import { pipeline } from '../pipeline.js';
import type { Flow } from '../runtime/components.js';
import { progressReporter } from '../runtime/progress.js';
import { replay, type ReplayResult } from '../runtime/replay.js';
import { Serde } from '../runtime/serde.js';
import { serving } from './serving.js';

const out = (s: string) => process.stdout.write(`${s}\n`);

/** `0:100,1:250` -> partition -> offset. */
export function parseOffsets(v: string): Map<number, bigint> {
  const m = new Map<number, bigint>();
  for (const part of v.split(',').map((s) => s.trim()).filter(Boolean)) {
    const match = /^(\d+):(\d+)$/.exec(part);
    if (!match) throw new Error(`"${part}" is not partition:offset`);
    m.set(Number(match[1]), BigInt(match[2]!));
  }
  return m;
}

export function findFlow(flows: Flow[], by: { topic?: string; source?: string }): Flow {
  const flow = flows.find((f) => (by.topic ? f.processor?.input.name === by.topic : f.source?.name === by.source && f.processor));
  if (!flow) throw new Error(by.topic ? `no processor reads ${by.topic}` : `no source ${by.source} with a processor`);
  return flow;
}

export function printReplay(r: ReplayResult, print = out): void {
  print(`records read ${r.read}, in range ${r.kept}, dead-lettered ${r.rejected}, produced to the clean topic ${r.produced}`);
  print(`${'table'.padEnd(32)} ${'written/changed'.padStart(16)} ${'deleted'.padStart(8)}`);
  for (const t of r.tables) print(`${t.table.padEnd(32)} ${String(t.written).padStart(16)} ${String(t.deleted).padStart(8)}`);
  for (const v of r.views) print(`${`view ${v.name}`.padEnd(32)} ${String(v.written).padStart(16)}`);
}

const utcDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export function registerReplay(program: Command): void {
  program
    .command('replay')
    .description('Run a raw topic range through its processor and sinks again (dedicated group; live groups untouched)')
    .option('--topic <raw topic>', 'the raw topic (with --from-offset/--to-offset)')
    .option('--from-offset <p:o,…>', 'first offset per partition (inclusive)')
    .option('--to-offset <p:o,…>', 'last offset per partition (exclusive)')
    .option('--source <name>', 'the source whose raw topic to replay (with --date)')
    .option('--date <YYYY-MM-DD>', 'first market date to replay')
    .option('--to <YYYY-MM-DD>', 'last market date (default: --date)')
    .option('--replace', "make each table's rows for the replayed dates exactly the replayed set")
    .action(async (o: { topic?: string; fromOffset?: string; toOffset?: string; source?: string; date?: string; to?: string; replace?: boolean }) => {
      const flow = findFlow(pipeline, { topic: o.topic, source: o.source });
      const progress = progressReporter('replay');
      await serving(['kafka', 'postgres', 'redis', 'registry'], async () => {
        const common = { flow, serde: Serde.fromConfig(), replace: Boolean(o.replace), progress: progress.update };
        let r: ReplayResult;
        if (o.date) {
          r = await replay({ ...common, dates: { from: o.date, to: o.to ?? o.date, eventDate: flow.source?.eventDate ?? utcDate } });
        } else {
          if (!o.fromOffset || !o.toOffset) throw new Error('give --date, or --from-offset and --to-offset');
          r = await replay({ ...common, from: parseOffsets(o.fromOffset), to: parseOffsets(o.toOffset) });
        }
        progress.done();
        printReplay(r);
      });
    });
}
