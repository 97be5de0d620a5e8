// Namespaces: the demo and the tests run beside a real ingestion on one stack without touching what it fills.
// In namespace `ns` every Kafka topic, consumer group and transactional id is `ns.<name>` (so schema subjects,
// `<topic>-value`, follow), Postgres works in schema `ns`, and Redis keys start `ns:`. The production namespace
// ('') adds nothing. Code keeps using the names it always used: the prefixes are applied where a name leaves the
// process (runtime/kafka-namespace.ts, serde.ts, db.ts, redis-views.ts), so the map, the README and stored headers
// all show the plain names.
import { config, NAMESPACE_PATTERN } from './config.js';

export interface Namespace {
  /** '' for the production namespace. */
  name: string;
  /** Prefix of topics, consumer groups and transactional ids: `ns.` ('' in production). */
  kafkaPrefix: string;
  /** Postgres schema holding the namespace's tables; undefined in production (the database's own search_path). */
  pgSchema: string | undefined;
  /** Prefix of every Redis key: `ns:` ('' in production). */
  redisPrefix: string;
}

export const PRODUCTION = '';

export function namespaceOf(name: string): Namespace {
  if (name !== PRODUCTION && !NAMESPACE_PATTERN.test(name)) throw new Error(`"${name}" is not a namespace (expected ${NAMESPACE_PATTERN.source})`);
  return name === PRODUCTION
    ? { name, kafkaPrefix: '', pgSchema: undefined, redisPrefix: '' }
    : { name, kafkaPrefix: `${name}.`, pgSchema: name, redisPrefix: `${name}:` };
}

/** The process's namespace (GRIDSTREAM_NAMESPACE, read once with the rest of the configuration). */
export const namespace = (): Namespace => namespaceOf(config().namespace);

/** The name a topic (or group, or transactional id) has on the broker, for clients that bypass runtime/kafka.ts. */
export const kafkaName = (name: string, ns: Namespace = namespace()) => `${ns.kafkaPrefix}${name}`;

/** How to look at a namespace from a shell. */
export const namespaceHint = (ns: Namespace) => (ns.name ? `GRIDSTREAM_NAMESPACE=${ns.name} npx gridstream status` : 'npx gridstream status');
