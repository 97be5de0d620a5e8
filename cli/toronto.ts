// Toronto commands: `reconcile toronto`. (`produce toronto --years 2008-2024` is the generic produce command.)
import { type Command, Option } from 'commander';
import { EXIT } from './exit-codes.js';
import { closePool, pool } from '../runtime/db.js';
import { torontoFlow } from '../pipeline/toronto.js';
import { formatTorontoReport, reconcileToronto } from '../ops/toronto/reconcile.js';

const out = (s: string) => process.stdout.write(`${s}\n`);
const fraction = (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`not a fraction: ${v}`);
  return n;
};

export function registerToronto(program: Command): void {
  const reconcile = program.commands.find((c) => c.name() === 'reconcile') ?? program.command('reconcile').description('Compare stored figures with their sources');
  reconcile
    .command('toronto')
    .description('Per-year parking tickets and revenue, and camera totals beside the published ones (exit 4 beyond tolerance)')
    .addOption(new Option('--tolerance <fraction>', 'relative tolerance on camera totals').argParser(fraction).default(0))
    .addOption(new Option('--duplicate-share <fraction>', 'largest share of a year\'s rows that may merge as duplicates').argParser(fraction).default(0.01))
    .option('--json', 'print one JSON object')
    .action(async (o: { tolerance: number; duplicateShare: number; json?: boolean }) => {
      try {
        const r = await reconcileToronto(pool(), torontoFlow().tables, { cameraTolerance: o.tolerance, duplicateShare: o.duplicateShare });
        if (o.json) out(JSON.stringify({ ...r, ok: r.problems.length === 0 }));
        else for (const line of formatTorontoReport(r)) out(line);
        if (r.problems.length) process.exitCode = EXIT.mismatch;
      } finally {
        await closePool();
      }
    });
}
