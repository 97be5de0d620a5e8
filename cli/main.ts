// The `gridstream` command. Each subcommand lives in its own module under cli/; this file only wires them.
import { Command, CommanderError } from 'commander';
import { ConfigError, config } from '../runtime/config.js';
import { log } from '../runtime/log.js';
import { registerStack } from './stack.js';
import { registerCommands } from './commands.js';
import { registerDocs } from './docs.js';
import { registerReplay } from './replay.js';
import { registerAemo } from './aemo.js';
import { registerElexon } from './elexon.js';
import { registerNamespace } from './namespace.js';

const program = new Command('gridstream')
  .description('Public energy and civic data into Kafka, cleaned, and kept in step in Postgres and Redis')
  .showHelpAfterError()
  .exitOverride();

registerStack(program);
registerCommands(program);
registerDocs(program);
registerReplay(program);
registerAemo(program);
registerElexon(program);
registerNamespace(program);

try {
  // Invalid configuration fails at start with one line naming the variable.
  config();
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) process.exit(err.exitCode);
  if (err instanceof ConfigError) {
    process.stderr.write(`gridstream: invalid configuration: ${err.message}\n`);
    process.exit(2);
  }
  log.debug({ err }, 'command failed');
  process.stderr.write(`gridstream: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
