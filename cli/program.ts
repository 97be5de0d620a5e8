// The `gridstream` program: every subcommand, registered from its own module under cli/. main.ts runs it; the
// README's commands table is generated from it (cli/docs.ts).
import { Command, Option } from 'commander';
import { log } from '../runtime/log.js';
import { requireServices, type Service } from '../runtime/preflight.js';
import { setLogFormat, setQuiet, type LogFormat } from '../runtime/terminal.js';
import { packageVersion } from '../runtime/paths.js';
import { registerStack } from './stack.js';
import { registerCommands } from './commands.js';
import { registerDocs } from './docs.js';
import { registerReplay } from './replay.js';
import { registerAemo } from './aemo.js';
import { registerElexon } from './elexon.js';
import { registerToronto } from './toronto.js';
import { registerNamespace } from './namespace.js';
import { registerComparePower } from './comparepower.js';
import { registerNeso } from './neso.js';

/** The services an inspection command needs; it fails in seconds, naming the one that does not answer. */
const INSPECTION_NEEDS: Record<string, Service[]> = {
  'topics apply': ['kafka', 'registry'],
  'db migrate': ['postgres'],
  status: ['kafka', 'postgres'],
  'dlq list': ['kafka'],
  'dlq show': ['kafka'],
  'dlq redrive': ['kafka'],
  'redis usage': ['redis'],
  'reconcile elexon': ['kafka', 'registry', 'postgres'],
  'reconcile toronto': ['postgres'],
  'gaps aemo': ['postgres'],
  search: ['postgres'],
  'neso views rebuild': ['postgres', 'redis'],
};

const commandPath = (c: Command): string => {
  const names: string[] = [];
  for (let x: Command | null = c; x?.parent; x = x.parent) names.unshift(x.name());
  return names.join(' ');
};

export function buildProgram(): Command {
  const program = new Command('gridstream')
    .description('Public energy and civic data into Kafka, cleaned, and kept in step in Postgres and Redis')
    .version(packageVersion)
    .addOption(new Option('--log-format <format>', 'log lines as JSON, or readable (default: readable on a terminal, JSON elsewhere)').choices(['json', 'pretty']))
    .option('-q, --quiet', 'only warnings and errors on stderr, no progress bars')
    .showHelpAfterError()
    .exitOverride()
    // Global options apply before any subcommand runs; inspection commands check their services first.
    .hook('preAction', async (cmd, action) => {
      const o = cmd.opts<{ logFormat?: LogFormat; quiet?: boolean }>();
      if (o.logFormat) setLogFormat(o.logFormat);
      if (o.quiet) {
        setQuiet(true);
        if (log.levelVal < log.levels.values.warn!) log.level = 'warn';
      }
      const needs = INSPECTION_NEEDS[commandPath(action)];
      if (needs) await requireServices(needs);
    });
  registerStack(program);
  registerCommands(program);
  registerDocs(program);
  registerReplay(program);
  registerAemo(program);
  registerElexon(program);
  registerToronto(program);
  registerNamespace(program);
  registerComparePower(program);
  registerNeso(program);
  return program;
}
