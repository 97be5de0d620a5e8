// What a topic is: name, natural key, value schema, partitions, retention and cleanup policy.
// Conventions: raw.<source>.<dataset> keeps everything for replay; clean.<domain>.<entity> is compacted on the
// natural key so a new consumer can bootstrap the latest state; dlq.<topic> keeps 30 days.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface TopicSpec {
  name: string;
  /** The natural key, as the message key is formed (UTF-8 string, fields joined by `|`). */
  key: string;
  /** Avro schema of the value (parsed .avsc), or `bytes` for dead-letter topics whose value is the raw input. */
  schema: AvroSchema | 'bytes';
  partitions: number;
  /** retention.ms; -1 keeps everything. */
  retentionMs: number;
  cleanupPolicy: 'delete' | 'compact' | 'compact,delete';
  description: string;
}

export type AvroSchema = { type: 'record'; name: string; namespace?: string; fields: unknown[]; doc?: string };

const DAY = 24 * 3600 * 1000;

/**
 * Reads an .avsc file under the repository's schemas/ folder (paths like './aemo/x.avsc'). Resolved from the package
 * root, not this module, so the compiled dist/ (which holds no .avsc files) reads the same schemas.
 */
export function loadSchema(relativePath: string): AvroSchema {
  return JSON.parse(readFileSync(join(schemasDir(), relativePath), 'utf8')) as AvroSchema;
}

let schemasDirCache: string | undefined;

/** The package's schemas/ folder: above this module in the source tree and in dist/ alike. */
function schemasDir(): string {
  if (schemasDirCache) return schemasDirCache;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('package.json not found above schemas/');
    dir = up;
  }
  return (schemasDirCache = join(dir, 'schemas'));
}

function rawRetention(): number {
  const v = process.env.RAW_RETENTION_MS;
  return v ? Number(v) : -1;
}

/** Raw topics keep everything by default: replay reads them, and event-time timestamps would make time retention delete backfills on arrival. */
export function rawTopic(name: string, o: { key: string; schema: string; partitions?: number; description: string }): TopicSpec {
  return { name, key: o.key, schema: loadSchema(o.schema), partitions: o.partitions ?? 3, retentionMs: rawRetention(), cleanupPolicy: 'delete', description: o.description };
}

/** Clean topics are compacted on the natural key: the latest value per key is always there for a new consumer. */
export function cleanTopic(name: string, o: { key: string; schema: string; partitions?: number; description: string }): TopicSpec {
  return { name, key: o.key, schema: loadSchema(o.schema), partitions: o.partitions ?? 3, retentionMs: -1, cleanupPolicy: 'compact', description: o.description };
}

export const dlqName = (topic: string) => `dlq.${topic}`;

export function dlqTopic(of: TopicSpec): TopicSpec {
  return {
    name: dlqName(of.name),
    key: of.key,
    schema: 'bytes',
    partitions: 1,
    retentionMs: 30 * DAY,
    cleanupPolicy: 'delete',
    description: `Records of ${of.name} (or its source) that could not be parsed or normalised: value = raw bytes, headers = reason and position`,
  };
}

/** Source cursors, written in the same Kafka transaction as the records they cover; compacted on the source name. */
export const CURSORS_TOPIC: TopicSpec = {
  name: '_gridstream.cursors',
  key: 'source',
  schema: 'bytes',
  partitions: 1,
  retentionMs: -1,
  cleanupPolicy: 'compact',
  description: 'Resumable source cursors (JSON), one per source, committed with the records they cover',
};
