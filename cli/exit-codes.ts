// What `gridstream` exits with, so scripts and schedulers can tell a usage mistake from an outage from bad data.
export const EXIT = {
  /** Done. */
  ok: 0,
  /** The command failed (a stage or step failed; see the log). */
  failure: 1,
  /** Bad command line or configuration: nothing was attempted. */
  usage: 2,
  /** A service of the stack is not reachable (`gridstream stack status` says which). */
  stackDown: 3,
  /** A reconciliation found figures that differ beyond the tolerance. */
  mismatch: 4,
} as const;

/** Whether an error, or any error in its `cause` chain, is a refused or unreachable connection. */
export function isConnectionRefused(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENOTFOUND') return true;
    if (e.name === 'KafkaJSConnectionError' || e.name === 'KafkaJSBrokerNotFound') return true;
    if (e instanceof AggregateError && e.errors.some(isConnectionRefused)) return true;
  }
  return false;
}
