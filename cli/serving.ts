// How commands hold the process's shared resources: `session` always releases the Postgres pool and the shared Redis
// client; `serving` also runs the HTTP server (/healthz, /readyz, /metrics, the status page) and publishes stage
// states for `status`, for as long as a long-running command's body does.
import { closePool } from '../runtime/db.js';
import { startProcessServices } from '../runtime/process-services.js';
import { closeSharedRedis } from '../runtime/redis-views.js';
import type { Dependency } from '../runtime/stages.js';

export async function session<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } finally {
    await closePool();
    closeSharedRedis();
  }
}

/** A long-running command (run, produce, process, sink, replay, reingest, export --follow); `dependencies` are what /readyz checks. */
export async function serving<T>(dependencies: Dependency[], body: () => Promise<T>): Promise<T> {
  return session(async () => {
    const services = await startProcessServices({ dependencies });
    try {
      return await body();
    } finally {
      await services.stop();
    }
  });
}
