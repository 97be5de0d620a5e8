// Dead letters: a record that cannot be parsed or normalised is never dropped. It goes to dlq.<topic> with its raw
// bytes as the value and headers saying why and where it came from.
import type { KafkaMessage, Message } from 'kafkajs';
import { decodeKnownValue, decodeValue, Undecodable, type WaitContext } from './registry-wait.js';
import type { Serde } from './serde.js';
import type { InputMessage } from './types.js';
import { dlqName } from '../schemas/topics.js';
import { log } from './log.js';
import { metrics } from './metrics.js';

export interface DeadLetter {
  /** The topic the record came from (or, for a source, the raw topic it was meant for). */
  topic: string;
  stage: string;
  reason: string;
  bytes: Buffer;
  key?: string | Buffer | null;
  partition?: number;
  offset?: string;
  sourceRef?: string;
  /** More position headers (a source's file and row); they never override the ones set here. */
  headers?: Record<string, string>;
}

export function deadLetterMessage(d: DeadLetter): { topic: string; message: Message } {
  const headers: Record<string, string> = {
    ...d.headers,
    reason: d.reason.slice(0, 2000),
    stage: d.stage,
    'source-topic': d.topic,
    'failed-at': new Date().toISOString(),
  };
  if (d.partition !== undefined) headers['source-partition'] = String(d.partition);
  if (d.offset !== undefined) headers['source-offset'] = d.offset;
  if (d.sourceRef !== undefined) headers['source-ref'] = d.sourceRef;
  metrics.recordsRejected.inc({ stage: d.stage });
  log.warn({ stage: d.stage, topic: d.topic, partition: d.partition, offset: d.offset, sourceRef: d.sourceRef, reason: d.reason }, 'dead-lettered');
  return { topic: dlqName(d.topic), message: { key: d.key ?? null, value: d.bytes, headers } };
}

export function headerText(headers: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    const text = headerValueText(v);
    if (text !== undefined) out[k] = text;
  }
  return out;
}

/** One header's value as text (the first of a repeated header); undefined when it is absent. */
function headerValueText(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  return Buffer.isBuffer(v) ? v.toString('utf8') : Array.isArray(v) ? String(v[0]) : String(v);
}

/**
 * A consumed Kafka message as a stage sees it. Its headers are turned into text only when somebody reads them: no
 * normaliser does, and reading two per record was ~1 µs of the processor's ~33 µs. (A getter on the prototype: a
 * spread copy of an input has no headers — build a new input with `headers: input.headers` instead.)
 */
export class ConsumedInput<V> implements InputMessage<V> {
  #raw: KafkaMessage['headers'];
  #headers: Record<string, string> | undefined;
  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly offset: string,
    readonly key: string | null,
    readonly value: V,
    readonly timestamp: number,
    raw: KafkaMessage['headers'],
  ) {
    this.#raw = raw;
  }
  get headers(): Record<string, string> {
    return (this.#headers ??= headerText(this.#raw));
  }
}

/** The `source-ref` header of a consumed message (a dead letter carries it on), if any. */
export function sourceRefOf(m: KafkaMessage): string | undefined {
  return headerValueText(m.headers?.['source-ref']);
}

/**
 * A consumed Kafka message with its value decoded with the writer's schema (fetched once per id): at once when the
 * schema is known, else a promise that waits while the registry cannot answer (see registry-wait.ts). Throws (or
 * rejects with) Undecodable for bad bytes.
 */
export function decodeInput<V>(serde: Serde, topic: string, partition: number, m: KafkaMessage, wait: WaitContext): InputMessage<V> | Promise<InputMessage<V>> {
  if (!m.value) throw new Undecodable('empty value');
  const known = decodeKnownValue(serde, m.value);
  if (known !== undefined) return consumedInput<V>(topic, partition, m, known);
  return decodeValue(serde, m.value, wait).then((value) => consumedInput<V>(topic, partition, m, value));
}

// Not a closure inside decodeInput: that would be a function made per record.
function consumedInput<V>(topic: string, partition: number, m: KafkaMessage, value: unknown): ConsumedInput<V> {
  return new ConsumedInput<V>(topic, partition, m.offset, m.key?.toString('utf8') ?? null, value as V, Number(m.timestamp), m.headers);
}
