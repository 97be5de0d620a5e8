// Graceful shutdown: on SIGINT/SIGTERM every running stage finishes its batch and commits, then the process exits 0.
import { log } from './log.js';

const stoppers = new Map<string, () => Promise<void>>();
let installed = false;
let stopping = false;

export function onShutdown(name: string, stop: () => Promise<void>): void {
  stoppers.set(name, stop);
  if (installed) return;
  installed = true;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal, stages: [...stoppers.keys()] }, 'stopping: finishing current batches');
    void Promise.allSettled([...stoppers.values()].map((s) => s())).then(() => {
      log.info('stopped cleanly');
      process.exit(0);
    });
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
}

export const shuttingDown = () => stopping;
