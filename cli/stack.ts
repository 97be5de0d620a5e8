import type { Command } from 'commander';
import { EXIT } from './exit-codes.js';
import { stackDown, stackStatus, stackUp } from '../infra/stack/index.js';

export function registerStack(program: Command): void {
  const stack = program.command('stack').description('Start, stop or inspect the local stack (Kafka, registry, Postgres, Redis on 127.0.0.1)');

  stack
    .command('up')
    .description('Start every local service that is not already answering, wait for each, print where each listens')
    .action(async () => {
      const t0 = Date.now();
      await stackUp((r) => {
        const took = r.action === 'started' ? ` in ${r.seconds.toFixed(1)} s` : '';
        process.stdout.write(`${r.service.padEnd(9)} ${r.action.padEnd(8)} ${r.where}${took}\n`);
      });
      process.stdout.write(`stack up in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
    });

  stack
    .command('down')
    .description('Stop the services this stack started (external ones are left alone)')
    .action(async () => {
      await stackDown();
      process.stdout.write('stack down\n');
    });

  stack
    .command('status')
    .description('Whether each service answers, and where')
    .option('--json', 'print one JSON object')
    .action(async (opts: { json?: boolean }) => {
      const s = await stackStatus();
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(s)}\n`);
      } else {
        for (const [name, v] of Object.entries(s)) {
          const where = 'brokers' in v ? v.brokers : v.url;
          process.stdout.write(`${name.padEnd(9)} ${v.up ? 'up  ' : 'down'} ${where}${v.external ? ' (external)' : ''}\n`);
        }
      }
      const allUp = Object.values(s).every((v) => v.up);
      process.exitCode = allUp ? EXIT.ok : EXIT.stackDown;
    });
}
