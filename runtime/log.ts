// One pino logger for the process, writing to stderr so that stdout carries only a command's answer (e.g. --json).
// Secrets never reach a log line: redact every field that may carry one.
import { pino } from 'pino';

export const log = pino(
  {
  level: process.env.LOG_LEVEL ?? 'info',
  base: { app: 'gridstream' },
  redact: {
    paths: [
      'password',
      '*.password',
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
    ],
    censor: '[redacted]',
  },
  },
  pino.destination(2),
);

export type Logger = typeof log;

/** A URL with any password replaced, for messages a person reads. */
export function safeUrl(u: string): string {
  try {
    const parsed = new URL(u);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return u;
  }
}
