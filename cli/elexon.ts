import type { Command } from 'commander';

/** Elexon commands (reconcile, reingest, load btc-difficulty). */
export function registerElexon(_program: Command): void {}
