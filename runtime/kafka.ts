// One place that builds kafkajs clients from the configuration, with kafkajs's own logs routed to pino.
import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import { config } from './config.js';
import { namespacedKafka } from './kafka-namespace.js';
import { log } from './log.js';
import { namespace, type Namespace } from './namespace.js';

const levels: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'debug', // kafkajs is chatty at INFO (joins, rebalances); keep it out of normal logs
  [logLevel.DEBUG]: 'debug',
};

// We pick the Java-compatible default partitioner on purpose (same key -> same partition as Java clients).
process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

// Retried internally by kafkajs, or a known, considered choice (bounded retries on idempotent producers: a dead
// broker must fail the batch, and transactions make the retry safe): noise at warn/error level.
const QUIET = /rebalancing|coordinator is (loading|not available)|Restarting the consumer|Limiting retries for the idempotent producer|not the correct coordinator|CONCURRENT_TRANSACTIONS|another concurrent operation on the same transaction/i;

const logCreator = () => (entry: LogEntry) => {
  const { message, ...extra } = entry.log;
  const level = levels[entry.level] ?? 'debug';
  const quiet = QUIET.test(message) || QUIET.test(String((extra as { error?: unknown }).error ?? ''));
  log[quiet ? 'debug' : level]({ ns: entry.namespace, ...extra }, message);
};

let client: Kafka | undefined;
let namespaced: Kafka | undefined;

/** The process's Kafka client, in the process's namespace (runtime/namespace.ts). */
export function kafka(): Kafka {
  namespaced ??= namespacedKafka(brokerClient(), namespace().kafkaPrefix);
  return namespaced;
}

/** The same connection seen through another namespace (dropping one, inspecting one). */
export const kafkaIn = (ns: Namespace): Kafka => namespacedKafka(brokerClient(), ns.kafkaPrefix);

function brokerClient(): Kafka {
  if (client) return client;
  const c = config().kafka;
  client = new Kafka({
    clientId: c.clientId,
    brokers: c.brokers,
    ssl: c.ssl,
    ...(c.sasl ? { sasl: c.sasl as never } : {}),
    logLevel: logLevel.WARN,
    logCreator,
    connectionTimeout: 5000,
    requestTimeout: 30000,
    retry: { retries: 8, initialRetryTime: 200, maxRetryTime: 5000 },
  });
  return client;
}

/**
 * Splits a send into chunks of about `maxBytes` and at most `maxMessages`: a broker refuses a record batch over its
 * message.max.bytes (1 MiB by default), and one consumed batch can produce more than that; fewer, fuller requests are
 * faster — up to a point: kafkajs groups a send's messages per partition by copying the partition's array for every
 * message (quadratic), 5 % of the pipeline's CPU at ~7,000 small messages per send.
 */
export function chunks<T extends { key?: Buffer | string | null; value: Buffer | string | null; headers?: Record<string, unknown> }>(
  messages: T[],
  maxBytes = 768 * 1024,
  maxMessages = 2000,
): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let size = 0;
  for (const m of messages) {
    let bytes = 70 + (m.key?.length ?? 0) + (m.value?.length ?? 0);
    for (const [k, v] of Object.entries(m.headers ?? {})) bytes += k.length + String(v).length + 2;
    if (current.length && (size + bytes > maxBytes || current.length >= maxMessages)) {
      out.push(current);
      current = [];
      size = 0;
    }
    current.push(m);
    size += bytes;
  }
  if (current.length) out.push(current);
  return out;
}
