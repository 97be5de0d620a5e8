// Readiness: can this process's stages reach the services they use right now? Each check is bounded in time (a
// service that hangs is as unready as one that refuses) and says why it failed. /readyz runs them.
import { config } from './config.js';
import { pool } from './db.js';
import { kafka } from './kafka.js';
import { sharedRedis } from './redis-views.js';
import type { Dependency } from './stages.js';

export interface CheckResult {
  name: Dependency;
  ok: boolean;
  ms: number;
  error?: string;
}

const CHECK_TIMEOUT_MS = 3000;

function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([work, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)))]).finally(() => clearTimeout(timer));
}

const checks: Record<Dependency, () => Promise<void>> = {
  kafka: async () => {
    const admin = kafka().admin({ retry: { retries: 0 } });
    try {
      await admin.connect();
      await admin.describeCluster();
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  },
  registry: async () => {
    // Any HTTP answer under 500 means the registry is up (the subjects list needs no schema to exist).
    const res = await fetch(`${config().registryUrl}/subjects`, { signal: AbortSignal.timeout(CHECK_TIMEOUT_MS) });
    await res.body?.cancel();
    if (res.status >= 500) throw new Error(`registry answered ${res.status}`);
  },
  postgres: async () => {
    await pool().query('select 1');
  },
  redis: async () => {
    const answer = await sharedRedis().ping();
    if (answer !== 'PONG') throw new Error(`redis answered ${answer}`);
  },
};

export async function checkReadiness(deps: Dependency[]): Promise<{ ready: boolean; checks: CheckResult[] }> {
  const results = await Promise.all(
    deps.map(async (name): Promise<CheckResult> => {
      const t0 = Date.now();
      try {
        await within(CHECK_TIMEOUT_MS, checks[name]());
        return { name, ok: true, ms: Date.now() - t0 };
      } catch (err) {
        return { name, ok: false, ms: Date.now() - t0, error: (err as Error).message || String(err) };
      }
    }),
  );
  return { ready: results.every((r) => r.ok), checks: results };
}
