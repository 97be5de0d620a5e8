// The `gridstream` command: builds the program (cli/program.ts) and maps failures to exit codes.
import { setFlagsFromString } from 'node:v8';
import { CommanderError } from 'commander';
import { ConfigError, config } from '../runtime/config.js';
import { log } from '../runtime/log.js';
import { ServiceUnreachable } from '../runtime/preflight.js';
import { redactText } from '../runtime/redact.js';
import { readSetting } from '../runtime/settings.js';
import { EXIT, isConnectionRefused } from './exit-codes.js';
import { buildProgram } from './program.js';

// A reader that goes away (`gridstream status | head`) is not an error of ours.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

const program = buildProgram();
try {
  // Invalid configuration fails at start with one line naming the variable; asking for help or the version needs none.
  const args = process.argv.slice(2);
  const helpOnly = args.length === 0 || args[0] === 'help' || args.some((a) => ['--help', '-h', '--version', '-V'].includes(a));
  if (!helpOnly) config();
  // V8 lets a busy heap grow to up to 4× its live size between full collections: `run`'s live heap is ~80 MB, its RSS
  // reached 330–370 MB on the demo. A growing factor of 1.5 kept it at 264–279 MB for the same run time (bench/PROFILE.md).
  const growing = readSetting('GRIDSTREAM_HEAP_GROWING_PERCENT');
  if (growing > 0) setFlagsFromString(`--heap-growing-percent=${growing}`);
  await program.parseAsync(process.argv);
} catch (err) {
  // --help and --version end through here too, with exit code 0; any other commander error is a usage mistake.
  if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? EXIT.ok : EXIT.usage);
  if (err instanceof ConfigError) {
    process.stderr.write(`gridstream: invalid configuration: ${err.message}\n`);
    process.exit(EXIT.usage);
  }
  log.debug({ err }, 'command failed');
  // A driver's message may quote the URL it was given; its password is masked like everywhere else.
  process.stderr.write(`gridstream: ${redactText(err instanceof Error ? err.message : String(err))}\n`);
  if (err instanceof ServiceUnreachable) process.exit(EXIT.stackDown);
  if (isConnectionRefused(err)) {
    process.stderr.write('gridstream: a service is not reachable: check the endpoint variables (KAFKA_BROKERS, SCHEMA_REGISTRY_URL, DATABASE_URL, REDIS_URL) and `gridstream stack status`\n');
    process.exit(EXIT.stackDown);
  }
  process.exit(EXIT.failure);
}
