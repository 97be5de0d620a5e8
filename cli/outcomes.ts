// The table `--once` prints on stdout: every stage and how it ended, so a scheduler's log shows what ran and what not.
import type { StageOutcome } from '../runtime/supervisor.js';

export function formatOutcomes(outcomes: StageOutcome[]): string[] {
  const width = Math.max(5, ...outcomes.map((o) => o.name.length));
  const lines = [`${'stage'.padEnd(width)}  ${'outcome'.padEnd(7)}  ${'attempts'.padStart(8)}  ${'seconds'.padStart(8)}  error`];
  for (const o of outcomes) {
    lines.push(`${o.name.padEnd(width)}  ${o.state.padEnd(7)}  ${String(o.attempts).padStart(8)}  ${(o.ms / 1000).toFixed(1).padStart(8)}  ${o.error ?? ''}`.trimEnd());
  }
  return lines;
}
