// The `gridstream` program: every subcommand, registered from its own module under cli/. main.ts runs it; the
// README's commands table is generated from it (cli/docs.ts).
import { Command } from 'commander';
import { packageVersion } from '../runtime/paths.js';
import { registerStack } from './stack.js';
import { registerCommands } from './commands.js';
import { registerDocs } from './docs.js';
import { registerReplay } from './replay.js';
import { registerAemo } from './aemo.js';
import { registerElexon } from './elexon.js';
import { registerNamespace } from './namespace.js';

export function buildProgram(): Command {
  const program = new Command('gridstream')
    .description('Public energy and civic data into Kafka, cleaned, and kept in step in Postgres and Redis')
    .version(packageVersion)
    .showHelpAfterError()
    .exitOverride();
  registerStack(program);
  registerCommands(program);
  registerDocs(program);
  registerReplay(program);
  registerAemo(program);
  registerElexon(program);
  registerNamespace(program);
  return program;
}
