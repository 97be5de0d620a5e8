// Elexon commands: `load btc-difficulty`, `reconcile elexon`, `reingest elexon`.
import { readFileSync } from 'node:fs';
import { type Command, Option } from 'commander';
import { EXIT } from './exit-codes.js';
import { serving } from './serving.js';
import { closePool, pool } from '../runtime/db.js';
import { createHttpClient } from '../runtime/http.js';
import { progressReporter } from '../runtime/progress.js';
import { Serde } from '../runtime/serde.js';
import { isSettlementDate } from '../schemas/elexon/calendar.js';
import { elexonFlow } from '../pipeline/elexon.js';
import { reingestDate } from '../ops/elexon/reingest.js';
import { formatReport, type Expected, type ReconcileReport, type Tolerance } from '../ops/elexon/totals.js';
import { minerModelsFromEnv } from '../sinks/elexon/bitcoin-store.js';
import { loadDifficulty, parseDifficultyCsv } from '../ops/elexon/difficulty.js';
import { DEFAULT_TOLERANCE, reconcileDate } from '../ops/elexon/reconcile.js';
import { readSetting } from '../runtime/settings.js';

const out = (s: string) => process.stdout.write(`${s}\n`);

/** Another module may have created the parent (`load aemo-duids`): share it rather than add a second `load`. */
function parent(program: Command, name: string, description: string): Command {
  return program.commands.find((c) => c.name() === name) ?? program.command(name).description(description);
}

const number = (flag: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`${flag}: not a number: ${v}`);
  return n;
};

const date = (v: string) => {
  if (!isSettlementDate(v)) throw new Error(`--date: not a date (YYYY-MM-DD): ${v}`);
  return v;
};

interface ReconcileFlags {
  date: string;
  expectEnergy?: number;
  expectPayment?: number;
  toleranceMwh: number;
  toleranceGbp: number;
  json?: boolean;
}

const reconcileOptions = (c: Command) =>
  c
    .requiredOption('--date <date>', 'settlement date, YYYY-MM-DD (Europe/London day)', date)
    .option('--expect-energy <mwh>', 'expected curtailed energy, MWh', number('--expect-energy'))
    .option('--expect-payment <gbp>', 'expected payment, GBP (positive = paid to the units)', number('--expect-payment'))
    .addOption(new Option('--tolerance-mwh <mwh>', 'largest energy difference that still reconciles').argParser(number('--tolerance-mwh')).default(DEFAULT_TOLERANCE.mwh))
    .addOption(new Option('--tolerance-gbp <gbp>', 'largest payment difference that still reconciles').argParser(number('--tolerance-gbp')).default(DEFAULT_TOLERANCE.gbp))
    .option('--json', 'print one JSON object');

const expectedOf = (o: ReconcileFlags): Expected => ({
  ...(o.expectEnergy !== undefined ? { energyMwh: o.expectEnergy } : {}),
  ...(o.expectPayment !== undefined ? { paymentGbp: o.expectPayment } : {}),
});
const toleranceOf = (o: ReconcileFlags): Tolerance => ({ mwh: o.toleranceMwh, gbp: o.toleranceGbp });

function print(report: ReconcileReport, json: boolean | undefined, extra: Record<string, unknown> = {}): void {
  if (json) out(JSON.stringify({ ...extra, ...report, ok: report.problems.length === 0 }));
  else for (const line of formatReport(report)) out(line);
  // A date that does not reconcile fails the command, so a scheduler or a script notices.
  if (report.problems.length) process.exitCode = EXIT.mismatch;
}

async function session(body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } finally {
    await closePool();
  }
}

export function registerElexon(program: Command): void {
  parent(program, 'load', 'Load reference data')
    .command('btc-difficulty [file]')
    .description('Load bitcoin network difficulty per date (CSV: date,difficulty) and recompute bitcoin figures of those dates')
    .option('--url <url>', 'fetch the CSV over HTTP instead (default BTC_DIFFICULTY_URL)')
    .action((file: string | undefined, o: { url?: string }) =>
      session(async () => {
        const url = o.url ?? (file ? undefined : readSetting('BTC_DIFFICULTY_URL'));
        if (!file && !url) throw new Error('give a CSV file, --url, or set BTC_DIFFICULTY_URL');
        const text = file ? readFileSync(file, 'utf8') : await createHttpClient({ source: 'btc-difficulty', requestsPerSecond: 1 }).getText(url!);
        const rows = parseDifficultyCsv(text);
        const f = elexonFlow();
        const r = await loadDifficulty(pool(), f.tables, rows, file ? `file:${file}` : `url:${new URL(url!).host}`, minerModelsFromEnv());
        out(`difficulty: ${r.rows} dates read (${rows[0]!.date} .. ${rows[rows.length - 1]!.date}), ${r.changed} new or changed`);
        out(`bitcoin figures recomputed for ${r.recomputed.length} date(s) with curtailment`);
      }),
    );

  reconcileOptions(parent(program, 'reconcile', 'Compare stored figures with their sources').command('elexon'))
    .description('Periods, records, energy and payment of a date in Postgres beside the same figures recomputed from the raw topic (exit 1 if they differ)')
    .action((o: ReconcileFlags) =>
      session(async () => {
        const f = elexonFlow();
        const report = await reconcileDate({ date: o.date, topics: f.topics, tables: f.tables, serde: Serde.fromConfig(), expected: expectedOf(o), tolerance: toleranceOf(o) });
        print(report, o.json);
      }),
    );

  reconcileOptions(parent(program, 'reingest', 'Re-fetch a date from its source and rebuild what was derived from it').command('elexon'))
    .description('Re-fetch a settlement date from Elexon, replay it with --replace (rows, summaries, bitcoin, views), then reconcile')
    .action((o: ReconcileFlags) =>
      serving(['kafka', 'postgres', 'redis', 'registry'], async () => {
        const f = elexonFlow();
        const progress = progressReporter(`reingest elexon ${o.date}`);
        try {
          const r = await reingestDate(f, Serde.fromConfig(), o.date, { expected: expectedOf(o), tolerance: toleranceOf(o), progress: progress.update });
          const table = r.replay.tables[0];
          if (!o.json) out(`re-fetched ${r.fetched} raw records; replay kept ${r.replay.kept}, produced ${r.replay.produced}, rows written ${table?.written ?? 0}, deleted ${table?.deleted ?? 0}`);
          print(r.report, o.json, { fetched: r.fetched, replay: r.replay });
        } finally {
          progress.done();
        }
      }),
    );
}
