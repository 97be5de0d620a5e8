// runtime/dlq.ts: a consumed message as a transform sees it. Its headers are decoded only when read, so they must
// still be every header as text, the first of a repeated one, whenever somebody does read them.
import type { KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { ConsumedInput, headerText, sourceRefOf } from '../../runtime/dlq.js';

describe('ConsumedInput', () => {
  it('reads its headers as text on demand, the same each time', () => {
    const raw = { 'source-ref': Buffer.from('PUBLIC_DISPATCHSCADA_1.CSV'), row: Buffer.from('17'), repeated: [Buffer.from('a'), Buffer.from('b')], gone: undefined };
    const input = new ConsumedInput('raw.x', 2, '41', 'k', { v: 1 }, 1_722_434_700_000, raw);
    expect(input.headers).toEqual({ 'source-ref': 'PUBLIC_DISPATCHSCADA_1.CSV', row: '17', repeated: 'a' });
    expect(input.headers).toEqual(headerText(raw));
    expect(input.headers).toBe(input.headers);
    expect({ topic: input.topic, partition: input.partition, offset: input.offset, key: input.key, value: input.value, timestamp: input.timestamp }).toEqual({
      topic: 'raw.x', partition: 2, offset: '41', key: 'k', value: { v: 1 }, timestamp: 1_722_434_700_000,
    });
    expect(new ConsumedInput('raw.x', 0, '0', null, null, 0, undefined).headers).toEqual({});
  });

  it("finds a message's source-ref without decoding its other headers", () => {
    const m = (headers: Record<string, Buffer | Buffer[] | undefined> = {}): KafkaMessage => ({ key: null, value: null, timestamp: '0', attributes: 0, offset: '0', headers });
    expect(sourceRefOf(m({ 'source-ref': Buffer.from('f.CSV'), row: Buffer.from('3') }))).toBe('f.CSV');
    expect(sourceRefOf(m({ 'source-ref': [Buffer.from('first'), Buffer.from('second')] }))).toBe('first');
    expect(sourceRefOf(m({ row: Buffer.from('3') }))).toBeUndefined();
    expect(sourceRefOf(m())).toBeUndefined();
  });
});
