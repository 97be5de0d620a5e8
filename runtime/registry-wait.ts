// Decoding consumed values without ever mistaking a registry outage for bad data. A record whose bytes cannot be
// decoded (not the wire format, an Avro body that does not fit its schema, a schema id the registry says does not
// exist) is Undecodable: the caller dead-letters it. A registry that cannot answer (refused, timed out, 5xx) says
// nothing about the record: the stage holds its batch, keeps its group membership and tries again with backoff,
// saying so once when the registry goes away and once when it is back.
import pRetry from 'p-retry';
import { log } from './log.js';
import { metrics } from './metrics.js';
import { RegistryUnavailable, type AvroRead, type Serde } from './serde.js';
import { readSetting } from './settings.js';

/** The record's bytes are at fault; the reason goes to its dead letter. */
export class Undecodable extends Error {}

export interface WaitContext {
  stage: string;
  /** Called between attempts: kafkajs only heartbeats between batches, and a long wait must not cost the group. */
  heartbeat?: () => Promise<void>;
  /** False once the stage is stopping: give up waiting (the batch stays uncommitted and is read again later). */
  isRunning?: () => boolean;
}

const waiting = new Set<string>(); // stages currently waiting for the registry

/** Runs `work` until it stops failing with RegistryUnavailable; any other error ends the wait at once. */
export async function whileRegistryAnswers<T>(ctx: WaitContext, work: () => Promise<T>): Promise<T> {
  const result = await pRetry(work, {
    retries: Number.POSITIVE_INFINITY,
    minTimeout: 250,
    maxTimeout: readSetting('GRIDSTREAM_REGISTRY_MAX_BACKOFF_MS'),
    factor: 2,
    randomize: true,
    shouldRetry: ({ error }) => error instanceof RegistryUnavailable,
    onFailedAttempt: async ({ error }) => {
      if (!(error instanceof RegistryUnavailable)) return;
      if (!waiting.has(ctx.stage)) {
        waiting.add(ctx.stage);
        metrics.dependencyErrors.inc({ dependency: 'registry' });
        log.warn({ stage: ctx.stage, err: error.message }, 'schema registry unavailable: holding the batch, retrying with backoff');
      }
      if (ctx.isRunning && !ctx.isRunning()) throw error;
      await ctx.heartbeat?.();
    },
  });
  if (waiting.delete(ctx.stage)) log.info({ stage: ctx.stage }, 'schema registry answers again: resuming');
  return result;
}

/**
 * The value at once when its writer's schema is already known (every record after a schema's first), undefined when
 * the registry must be asked; bad bytes throw Undecodable. The hot paths call this before `decodeValue`: a promise
 * and its microtask per record cost more than the decode of a small record.
 */
export function decodeKnownValue(serde: Serde, buf: Buffer, read?: AvroRead): unknown {
  try {
    return serde.decodeKnown(buf, read);
  } catch (err) {
    throw new Undecodable((err as Error).message);
  }
}

/**
 * A consumed value, decoded with its writer's schema (fetched once per id, waiting out registry outages), by `read`
 * when given (a component's own reading of the body).
 */
export async function decodeValue(serde: Serde, buf: Buffer, ctx: WaitContext, read?: AvroRead): Promise<unknown> {
  const known = decodeKnownValue(serde, buf, read);
  if (known !== undefined) return known;
  return whileRegistryAnswers(ctx, async () => {
    try {
      return await serde.decode(buf, read);
    } catch (err) {
      if (err instanceof RegistryUnavailable) throw err;
      throw new Undecodable((err as Error).message);
    }
  });
}
