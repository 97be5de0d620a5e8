// Inspection commands (status, dlq, topics apply, db migrate, redis usage, reconcile) ask their services up front,
// with a short timeout, and fail in seconds with one line naming the service, its variable and where it was looked
// for — rather than after a client's full retry schedule and a page of log lines. Long-running stages never use
// this: they wait a blinking dependency out.
import { connect } from 'node:net';
import { config } from './config.js';
import { redactUrl } from './redact.js';

export type Service = 'kafka' | 'registry' | 'postgres' | 'redis';

export class ServiceUnreachable extends Error {
  constructor(
    readonly service: Service,
    readonly variable: string,
    readonly endpoint: string,
    reason: string,
  ) {
    super(`${service} is not reachable at ${endpoint} (${variable}): ${reason}; see \`gridstream stack status\``);
  }
}

const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443, 'postgres:': 5432, 'postgresql:': 5432, 'redis:': 6379, 'rediss:': 6379 };

/** Whether a TCP connection to host:port opens within `timeoutMs`; the error text when it does not. */
export function tcpReachable(host: string, port: number, timeoutMs = 3000): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (reason: string | undefined) => {
      socket.destroy();
      resolve(reason);
    };
    socket.setTimeout(timeoutMs, () => done(`no answer within ${timeoutMs} ms`));
    socket.once('connect', () => done(undefined));
    socket.once('error', (err: NodeJS.ErrnoException) => done(err.code ?? err.message));
  });
}

function endpoints(service: Service): { variable: string; shown: string; targets: { host: string; port: number }[] } {
  const c = config();
  if (service === 'kafka') {
    return {
      variable: 'KAFKA_BROKERS',
      shown: c.kafka.brokers.join(','),
      targets: c.kafka.brokers.map((b) => {
        const i = b.lastIndexOf(':');
        return { host: b.slice(0, i), port: Number(b.slice(i + 1)) };
      }),
    };
  }
  const [variable, raw] = service === 'registry' ? ['SCHEMA_REGISTRY_URL', c.registryUrl] : service === 'postgres' ? ['DATABASE_URL', c.databaseUrl] : ['REDIS_URL', c.redisUrl];
  const u = new URL(raw!);
  return { variable: variable!, shown: redactUrl(raw!), targets: [{ host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port) || DEFAULT_PORTS[u.protocol] || 0 }] };
}

/** Throws ServiceUnreachable for the first service none of whose endpoints answers. */
export async function requireServices(services: readonly Service[], timeoutMs = 3000): Promise<void> {
  for (const service of services) {
    const e = endpoints(service);
    const reasons = await Promise.all(e.targets.map((t) => tcpReachable(t.host, t.port, timeoutMs)));
    if (reasons.every((r) => r !== undefined)) throw new ServiceUnreachable(service, e.variable, e.shown, reasons[0]!);
  }
}
