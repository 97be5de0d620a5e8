// NESO commands: `search "<text>"` over the Capacity Market Register, `neso views rebuild`.
import type { Command } from 'commander';
import { closePool, pool } from '../runtime/db.js';
import { closeSharedRedis } from '../runtime/redis-views.js';
import { nesoFlow } from '../pipeline/neso.js';
import { formatHits, searchRegister } from '../ops/neso/search.js';

const out = (s: string) => process.stdout.write(`${s}\n`);

const positive = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw new Error(`--limit: not a whole number in 1..1000: ${v}`);
  return n;
};

export function registerNeso(program: Command): void {
  program
    .command('search <text>')
    .description('Find Capacity Market Units by company, CM unit name, CMU ID, postcode, location or technology (ranked)')
    .option('--json', 'print one JSON array')
    .option('--limit <n>', 'most CMUs shown', positive, 20)
    .action(async (text: string, o: { json?: boolean; limit: number }) => {
      try {
        const hits = await searchRegister(pool(), nesoFlow().tables, text, o.limit);
        if (o.json) out(JSON.stringify(hits));
        else for (const line of formatHits(hits)) out(line);
      } finally {
        await closePool();
      }
    });
  const neso = program.commands.find((c) => c.name() === 'neso') ?? program.command('neso').description('NESO Capacity Market Register');
  neso
    .command('views')
    .description('NESO Redis views')
    .command('rebuild')
    .description('Rebuild the NESO views from the tables (sizes estimated first; map clusters shed when Redis is short of room)')
    .action(async () => {
      try {
        const s = await nesoFlow().views.rebuild();
        out(`rebuilt ${s.entries} entries; read ${s.bytesRead} B from Postgres${s.refused.length ? `; refused: ${s.refused.join(', ')}` : ''}${s.shed ? '; map clusters shed' : ''}`);
      } finally {
        closeSharedRedis();
        await closePool();
      }
    });
}
