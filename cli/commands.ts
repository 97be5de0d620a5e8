import type { Command } from 'commander';

/** Pipeline commands (topics, db, produce, process, sink, run, status, dlq, demo, ...). */
export function registerCommands(_program: Command): void {}
