// One pino logger for the process, writing to stderr so that stdout carries only a command's answer (e.g. --json).
// Secrets never reach a log line: redact every field that may carry one.
import { pino } from 'pino';
import { scrubLog } from './log-scrub.js';
import { redactUrl } from './redact.js';
import { LOG_LEVELS } from './settings.js';
import { logDestination } from './terminal.js';

/** An unknown level would make pino throw while this module loads; config() reports it as one line instead. */
function levelOf(raw: string | undefined): string {
  const v = raw?.trim().toLowerCase();
  return v && (LOG_LEVELS as readonly string[]).includes(v) ? v : 'info';
}

export const log = pino(
  {
  level: levelOf(process.env.LOG_LEVEL),
  base: { app: 'gridstream' },
  // Secrets at any depth and URL passwords inside any text (log-scrub.ts); the paths below stay as a second net.
  formatters: { log: scrubLog },
  redact: {
    paths: [
      'password',
      '*.password',
      'secret',
      '*.secret',
      'token',
      '*.token',
      'apiKey',
      '*.apiKey',
      'auth',
      '*.auth',
      'sasl',
      '*.sasl',
      'connectionString',
      '*.connectionString',
      'headers.authorization',
      '*.headers.authorization',
      'databaseUrl',
      '*.databaseUrl',
      'redisUrl',
      '*.redisUrl',
      'registryUrl',
      '*.registryUrl',
    ],
    censor: '[redacted]',
  },
  },
  // JSON lines on stderr; on a terminal, readable lines printed above any progress bars (terminal.ts).
  logDestination,
);

export type Logger = typeof log;

/** A URL with any password replaced, for messages a person reads (redact.ts). */
export const safeUrl = redactUrl;
