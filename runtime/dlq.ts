// Dead letters: a record that cannot be parsed or normalised is never dropped. It goes to dlq.<topic> with its raw
// bytes as the value and headers saying why and where it came from.
import type { KafkaMessage, Message } from 'kafkajs';
import { decodeValue, Undecodable, type WaitContext } from './registry-wait.js';
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
    if (v === undefined || v === null) continue;
    out[k] = Buffer.isBuffer(v) ? v.toString('utf8') : Array.isArray(v) ? String(v[0]) : String(v);
  }
  return out;
}

/**
 * A consumed Kafka message as a stage sees it: value decoded with the writer's schema (fetched once per id). Throws
 * Undecodable for bad bytes; waits while the registry cannot answer (see registry-wait.ts).
 */
export async function decodeInput<V>(serde: Serde, topic: string, partition: number, m: KafkaMessage, headers: Record<string, string>, wait: WaitContext): Promise<InputMessage<V>> {
  if (!m.value) throw new Undecodable('empty value');
  return {
    topic,
    partition,
    offset: m.offset,
    key: m.key?.toString('utf8') ?? null,
    value: (await decodeValue(serde, m.value, wait)) as V,
    timestamp: Number(m.timestamp),
    headers,
  };
}
