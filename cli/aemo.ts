// AEMO commands: `load aemo-duids FILE`, `gaps aemo --from --to [--repair]`, `export parquet --out DIR [--follow]`.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { AnySource } from '../runtime/components.js';
import { closePool, pool } from '../runtime/db.js';
import { runSource } from '../runtime/producer-runner.js';
import { Serde } from '../runtime/serde.js';
import { serving } from './serving.js';
import { formatNem } from '../schemas/aemo/nem-time.js';
import { aemoCleanTopics } from '../schemas/aemo/topics.js';
import { loadDuids, parseDuidCsv } from '../ops/aemo/duids.js';
import { findGaps, runsOf, type TableGaps } from '../ops/aemo/gaps.js';
import { repairPlan as backfillRepairPlan } from '../producers/aemo/backfill.js';
import { exportParquet } from '../ops/aemo/parquet-export.js';

const out = (s: string) => process.stdout.write(`${s}\n`);

/** `load`, `gaps` and `export` may be shared with other sources' modules: reuse the parent command if it exists. */
function parent(program: Command, name: string, description: string): Command {
  return program.commands.find((c) => c.name() === name) ?? program.command(name).description(description);
}

async function withPool<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } finally {
    await closePool();
  }
}

/** The AEMO source, loaded only when a repair needs it (producers/aemo/source.ts). */
async function aemoSourceComponent(): Promise<AnySource> {
  const path = '../producers/aemo/source.js';
  const mod = (await import(path)) as { aemoSource?: AnySource | (() => AnySource) };
  if (!mod.aemoSource) throw new Error('producers/aemo/source.js does not export aemoSource');
  return typeof mod.aemoSource === 'function' ? mod.aemoSource() : mod.aemoSource;
}

export function registerAemo(program: Command): void {
  parent(program, 'load', 'Load reference data')
    .command('aemo-duids <file>')
    .description('Load the AEMO DUID registry (CSV: duid,regionid,fuel[,valid_from,valid_to]; dates YYYY-MM-DD NEM or ISO with zone). XLSX is not read: export the sheet to CSV')
    .action((file: string) =>
      withPool(async () => {
        if (/\.xlsx?$/i.test(file)) throw new Error('XLSX is not supported (no maintained xlsx library is installed): export the "PU and Scheduled Loads" sheet to CSV');
        const rows = parseDuidCsv(readFileSync(file));
        const changed = await loadDuids(pool(), rows);
        out(`read ${rows.length} DUID rows, ${changed} inserted or changed`);
      }),
    );

  parent(program, 'gaps', 'Find (and repair) missing intervals')
    .command('aemo')
    .description('Missing 5-minute intervals per AEMO table and 30-minute rooftop intervals, over NEM days --from..--to')
    .requiredOption('--from <date>', 'first NEM day (YYYY-MM-DD)')
    .requiredOption('--to <date>', 'last NEM day (YYYY-MM-DD), inclusive')
    .option('--repair', 'fetch the days with gaps again from AEMO (backfill through the AEMO source)')
    .option('--json', 'print one JSON object')
    .action((o: { from: string; to: string; repair?: boolean; json?: boolean }) =>
      withPool(async () => {
        const gaps = await findGaps(pool(), o.from, o.to);
        if (o.json) {
          out(JSON.stringify({ tables: gaps.map((g) => ({ table: g.check.table, stepMinutes: g.check.stepMinutes, missing: g.missing.map(formatNem) })) }));
        } else {
          for (const g of gaps) {
            out(`${g.check.table.padEnd(28)} ${g.missing.length} missing ${g.check.stepMinutes}-min intervals`);
            for (const [a, b, n] of runsOf(g.missing, g.check.stepMinutes)) out(`  ${formatNem(a)}${n > 1 ? ` .. ${formatNem(b)}` : ''} (${n})`);
          }
        }
        if (!o.repair) return;
        await repairGaps(gaps, await aemoSourceComponent(), Serde.fromConfig(), out);
      }),
    );

  parent(program, 'export', 'Export data to files')
    .command('parquet')
    .description('Write the reference updater\'s parquet files (gen_output, spot_hist, transmission_flows, rooftop_solar) from the clean AEMO topics, merging into existing files without duplicates')
    .requiredOption('--out <dir>', 'output directory')
    .option('--follow', 'keep consuming and rewrite the files as new data arrives')
    .option('--flush-every <seconds>', 'with --follow: rewrite at most this often', Number, 60)
    .action((o: { out: string; follow?: boolean; flushEvery: number }) =>
      // Following is a long-running process: it gets the HTTP server (health, readiness, metrics) like the stages.
      (o.follow ? (body: () => Promise<void>) => serving(['kafka', 'registry'], body) : withPool)(async () => {
        const clean = aemoCleanTopics();
        const r = await exportParquet({ outDir: o.out, topics: clean, serde: Serde.fromConfig(), follow: Boolean(o.follow), flushEveryMs: o.flushEvery * 1000 });
        const files = Object.entries(r.written);
        out(files.length ? files.map(([f, n]) => `${f}: ${n} rows added or changed`).join('\n') : 'nothing new');
      }),
    );
}

/**
 * Re-fetches the days with gaps through the AEMO source (refetch: days a backfill already published are fetched
 * again); the process and sink stages then fill the tables. Exported so tests run the command's own code.
 */
export async function repairGaps(gaps: TableGaps[], source: Parameters<typeof runSource>[0], serde: Serde, print: (line: string) => void): Promise<number> {
  const runs = backfillRepairPlan(gaps.map((g) => ({ table: g.check.dataset, intervals: g.missing })));
  if (runs.length === 0) print('nothing to repair');
  let records = 0;
  for (const run of runs) {
    const r = await runSource(source, { serde, once: true, options: run });
    records += r.records;
    print(`repair ${run.from} .. ${run.to} ${[...run.datasets].join(',')}: ${r.records} records published (process and sink stages pick them up)`);
  }
  return records;
}
