// The `gridstream` command: builds the program (cli/program.ts) and maps failures to exit codes.
import { CommanderError } from 'commander';
import { ConfigError, config } from '../runtime/config.js';
import { log } from '../runtime/log.js';
import { buildProgram } from './program.js';

const program = buildProgram();
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
