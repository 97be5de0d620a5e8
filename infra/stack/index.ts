// The local stack: `up` reuses whatever already answers, starts the rest, and waits for each; `down` stops what
// this stack started. A service whose endpoint variable is set is external and never started or stopped here.
import { config } from '../../runtime/config.js';
import { redactUrl } from '../../runtime/redact.js';
import { kafka, kafkaAnswers } from './kafka.js';
import { postgres, postgresAnswers } from './postgres.js';
import { registry, registryAnswers } from './registry.js';
import { redis, redisAnswers } from './redis.js';
import type { Service } from './service.js';
import { alive, runs, sleep, stopPid } from './proc.js';

export const services: Service[] = [postgres, redis, registry, kafka];

export interface StackStatus {
  kafka: { up: boolean; brokers: string; external: boolean };
  registry: { up: boolean; url: string; external: boolean };
  postgres: { up: boolean; url: string; external: boolean };
  redis: { up: boolean; url: string; external: boolean };
}

const answers = (check: () => Promise<boolean>) => check().catch(() => false);

export async function stackStatus(): Promise<StackStatus> {
  const c = config();
  const [k, sr, pg, rd] = await Promise.all([
    answers(() => kafkaAnswers(c.kafka.brokers)),
    answers(() => registryAnswers(c.registryUrl)),
    answers(() => postgresAnswers(c.databaseUrl)),
    answers(() => redisAnswers(c.redisUrl)),
  ]);
  return {
    kafka: { up: k, brokers: c.kafka.brokers.join(','), external: c.external.kafka },
    registry: { up: sr, url: redactUrl(c.registryUrl), external: c.external.registry },
    postgres: { up: pg, url: redactUrl(c.databaseUrl), external: c.external.postgres },
    redis: { up: rd, url: redactUrl(c.redisUrl), external: c.external.redis },
  };
}

const isExternal = (s: Service) => config().external[s.name === 'registry' ? 'registry' : s.name];

export interface UpResult {
  service: Service['name'];
  action: 'reused' | 'started' | 'external';
  where: string;
  seconds: number;
}

/**
 * A service that does not answer but whose process this stack started is still alive is starting (or stuck): wait for
 * it rather than start a second copy beside it (which would overwrite its pid file and fight it for the port and the
 * data directory). One that has not answered within the bound is stopped, so the caller starts it afresh.
 */
const PROGRAM: Record<Service['name'], string> = { kafka: 'java', registry: 'java', postgres: 'postgres', redis: 'redis-server' };

async function startingAnswers(s: Service, boundMs = 120_000): Promise<boolean> {
  const pid = s.pid();
  if (!runs(pid, PROGRAM[s.name])) return false;
  const deadline = Date.now() + boundMs;
  while (alive(pid) && Date.now() < deadline) {
    if (await answers(() => s.answers())) return true;
    await sleep(1000);
  }
  if (alive(pid)) await stopPid(pid);
  return false;
}

/** Starts every local service that does not answer yet; services start concurrently (Maven fetches run first, in turn). */
export async function stackUp(onEvent: (r: UpResult) => void = () => undefined): Promise<UpResult[]> {
  const results = await Promise.all(
    services.map(async (s): Promise<UpResult> => {
      const t0 = Date.now();
      let r: UpResult;
      if (isExternal(s)) r = { service: s.name, action: 'external', where: '(from environment)', seconds: 0 };
      else if (await answers(() => s.answers())) r = { service: s.name, action: 'reused', where: s.where(), seconds: 0 };
      else if (await startingAnswers(s)) r = { service: s.name, action: 'reused', where: s.where(), seconds: (Date.now() - t0) / 1000 };
      else {
        await s.start();
        r = { service: s.name, action: 'started', where: s.where(), seconds: (Date.now() - t0) / 1000 };
      }
      onEvent(r);
      return r;
    }),
  );
  return results;
}

export async function stackDown(): Promise<void> {
  // Kafka first: it may still flush to its log; the others have no dependants inside the stack.
  for (const s of [kafka, registry, redis, postgres]) {
    if (!isExternal(s)) await s.stop();
  }
}
