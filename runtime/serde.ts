// Avro values in the Confluent wire format (magic 0, 4-byte schema id, Avro body), with schemas registered under
// TopicNameStrategy subjects (`<topic>-value`). The registry client registers and fetches schemas; encoding and
// decoding run synchronously on cached avsc types, because a promise per record is measurable at 100k records/s.
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import avro from 'avsc';
import { config } from './config.js';
import { kafkaName } from './namespace.js';
import type { TopicSpec } from '../schemas/topics.js';
import { readSetting } from './settings.js';

export class SchemaRefused extends Error {
  constructor(
    readonly subject: string,
    readonly reason: string,
  ) {
    super(`schema for ${subject} refused by the registry: ${reason}`);
  }
}

/**
 * The registry could not answer (connection refused, timeout, HTTP 5xx, an unexpected status): says nothing about the
 * record, so a stage waits and tries again rather than dead-lettering it.
 */
export class RegistryUnavailable extends Error {
  // No `cause`: the client's errors carry the request URL, credentials included, and causes reach log lines.
  constructor(what: string, failure: unknown) {
    super(`schema registry unavailable (${what}): ${describeRegistryError(failure)}`);
  }
}

export const subjectOf = (topic: string) => `${topic}-value`;
/** The subject in the registry: that of the topic's name on the broker, so a namespace's subjects carry its prefix. */
const registrySubject = (topic: string) => subjectOf(kafkaName(topic));

/** How long one registry request may take before it counts as unavailable (the client has no timeout of its own). */

/** `work`, or RegistryUnavailable once `ms` pass without an answer. */
async function answerWithin<T>(what: string, work: Promise<T>, ms = readSetting('GRIDSTREAM_REGISTRY_TIMEOUT_MS')): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RegistryUnavailable(what, new Error(`no answer within ${ms} ms`))), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Whether a failed lookup of schema `id` is the registry saying the id does not exist (Confluent error 40403,
 * "Schema N not found"): only then is the record itself at fault. A 404 without that message (a wrong base path, a
 * proxy's page) is the registry being unreachable as configured.
 */
export function isUnknownSchema(err: unknown): boolean {
  const e = err as { status?: number; message?: string } | undefined;
  return e?.status === 404 && /schema\b.*\bnot found/i.test(e.message ?? '');
}

/** Registration refusals that are final (incompatible or invalid schema); anything else is the registry blinking. */
const refusal = (err: unknown) => [409, 422].includes((err as { status?: number } | undefined)?.status ?? 0);

/** The encode scratch buffer: its first size, and the size above which it is given back after a large value. */
const SCRATCH_START = 64 * 1024;
const SCRATCH_KEEP = 4 * 1024 * 1024;

export class Serde {
  private readonly byTopic = new Map<string, { id: number; type: avro.Type }>();
  private scratch = Buffer.allocUnsafe(SCRATCH_START);
  private readonly byId = new Map<number, avro.Type>();

  constructor(readonly registry: SchemaRegistry) {}

  static fromConfig(url = config().registryUrl): Serde {
    return new Serde(new SchemaRegistry({ host: url, clientId: 'gridstream' }));
  }

  /** Registers the topic's value schema (idempotent: an identical schema returns its existing id). */
  async register(spec: TopicSpec): Promise<number> {
    if (spec.schema === 'bytes') throw new Error(`${spec.name} carries raw bytes, not Avro`);
    const subject = subjectOf(spec.name);
    let id: number;
    try {
      ({ id } = await answerWithin(`registering ${subject}`, this.registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(spec.schema) }, { subject: registrySubject(spec.name) })));
    } catch (err) {
      if (err instanceof RegistryUnavailable) throw err;
      if (!refusal(err)) throw new RegistryUnavailable(`registering ${subject}`, err);
      // Reported by the plain name, as topics are everywhere in the code; the registry holds it under the namespace's.
      throw new SchemaRefused(subject, describeRegistryError(err));
    }
    const type = avro.Type.forSchema(spec.schema as avro.Schema);
    this.byTopic.set(spec.name, { id, type });
    this.byId.set(id, type);
    return id;
  }

  /** Looks up the latest registered schema of a topic (for clients that did not register it themselves). */
  async use(topic: string): Promise<void> {
    if (this.byTopic.has(topic)) return;
    const id = await this.registry.getLatestSchemaId(registrySubject(topic));
    const type = await this.typeOf(id);
    this.byTopic.set(topic, { id, type });
  }

  encode(topic: string, value: unknown): Buffer {
    const entry = this.byTopic.get(topic);
    if (!entry) throw new Error(`no schema registered for ${topic} in this process`);
    // Written once, after the 5-byte header, into a scratch buffer kept between calls, then copied out once. avsc's
    // toBuffer writes into a 1 KB buffer and, for a larger value, writes the whole value a second time into a new
    // buffer (every Toronto chunk, 300-600 KB, was encoded twice), and the header meant a third copy.
    for (;;) {
      const end = entry.type.encode(value, this.scratch, 5);
      if (end > 0) {
        const out = Buffer.allocUnsafe(end);
        this.scratch.copy(out, 0, 0, end);
        out[0] = 0;
        out.writeInt32BE(entry.id, 1);
        if (this.scratch.length > SCRATCH_KEEP) this.scratch = Buffer.allocUnsafe(SCRATCH_START);
        return out;
      }
      // avsc returns minus the bytes that did not fit.
      let size = this.scratch.length * 2;
      while (size < this.scratch.length - end) size *= 2;
      this.scratch = Buffer.allocUnsafe(size);
    }
  }

  /**
   * Decodes any value written with a registered schema; the schema is fetched once per id. Throws RegistryUnavailable
   * when the schema could not be fetched; any other error means the bytes themselves are bad.
   */
  async decode(buf: Buffer, read: AvroRead = wholeValue): Promise<unknown> {
    const id = wireId(buf);
    const type = this.byId.get(id) ?? (await this.typeOf(id));
    return read(type, buf.subarray(5));
  }

  /** Synchronous decode when the writer's schema is already known (the hot path after the first record). */
  decodeKnown(buf: Buffer, read: AvroRead = wholeValue): unknown | undefined {
    const type = this.byId.get(wireId(buf));
    return type && read(type, buf.subarray(5));
  }

  private async typeOf(id: number): Promise<avro.Type> {
    const cached = this.byId.get(id);
    if (cached) return cached;
    let schema;
    try {
      schema = await answerWithin(`schema id ${id}`, this.registry.getSchema(id));
    } catch (err) {
      if (err instanceof RegistryUnavailable) throw err;
      // No cause here either (the client's error carries the URL); the message says all a dead letter needs.
      // eslint-disable-next-line preserve-caught-error
      if (isUnknownSchema(err)) throw new Error(`schema id ${id} does not exist in the registry`);
      throw new RegistryUnavailable(`schema id ${id}`, err);
    }
    const type = avro.Type.forSchema(JSON.parse(JSON.stringify((schema as unknown as avro.Type).schema())) as avro.Schema);
    this.byId.set(id, type);
    return type;
  }
}

/**
 * How an Avro body becomes a value, given its writer's schema: by default the whole value (avsc's fromBuffer); a
 * component may read it its own way (sinks/toronto/parking.ts turns tickets into COPY text without objects).
 */
export type AvroRead<V = unknown> = (writer: avro.Type, body: Buffer) => V;

const wholeValue: AvroRead = (type, body) => type.fromBuffer(body);

export function wireId(buf: Buffer): number {
  if (buf.length < 5 || buf[0] !== 0) throw new Error('not Confluent wire format (magic byte 0 and a 4-byte schema id expected)');
  return buf.readInt32BE(1);
}

function describeRegistryError(err: unknown): string {
  if (err && typeof err === 'object') {
    const e = err as { status?: number; message?: string };
    return `${e.status ? `HTTP ${e.status}: ` : ''}${e.message ?? String(err)}`;
  }
  return String(err);
}
