import type { Command } from 'commander';

/** AEMO commands (gaps, load aemo-duids, export parquet). */
export function registerAemo(_program: Command): void {}
