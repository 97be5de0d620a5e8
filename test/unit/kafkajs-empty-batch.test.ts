// patches/kafkajs+2.2.4.patch: log compaction can leave a record batch with no records (it keeps a producer's last
// sequence) at the end of a segment of a transactional, compacted topic — gridstream's clean topics. kafkajs dropped
// such a batch, so a fetch from there looked empty, the offset never moved and the consumer fetched it forever
// (kafkajs issue #1072; seen here on a clean topic rewritten by replays). The patched decoder gives it one control
// record at the batch's last offset, which the consumer resolves and steps past.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
type Enc = { buffer: Buffer; writeInt32(v: number): Enc; writeBuffer(b: Buffer): Enc };
type Message = { offset: string; isControlRecord: boolean; value: Buffer | null };
const Encoder = require('kafkajs/src/protocol/encoder.js') as new () => Enc;
const Decoder = require('kafkajs/src/protocol/decoder.js') as new (b: Buffer) => object;
const Long = require('kafkajs/src/utils/long.js') as { fromString(s: string): unknown };
const Record = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (r: object) => Enc;
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js') as { RecordBatch(a: object): Promise<Enc> };
const decodeMessages = require('kafkajs/src/protocol/requests/fetch/v4/decodeMessages.js') as (d: object) => Promise<Message[]>;
const Batch = require('kafkajs/src/consumer/batch.js') as new (topic: string, fetchedOffset: string, data: object) => {
  messages: Message[];
  isEmptyDueToFiltering(): boolean;
  lastOffset(): string;
};

/** A fetched partition's record set: the given batches, each at its first offset. */
async function recordSet(batches: { firstOffset: string; values: string[]; lastOffsetDelta?: number }[]): Promise<Buffer> {
  const encoded = await Promise.all(
    batches.map((b) =>
      RecordBatch({
        firstOffset: Long.fromString(b.firstOffset),
        transactional: true,
        producerId: Long.fromString('547'),
        lastOffsetDelta: b.lastOffsetDelta ?? b.values.length - 1,
        records: b.values.map((v, i) => Record({ offsetDelta: i, timestampDelta: 0, key: Buffer.from(`k${i}`), value: Buffer.from(v) })),
      }),
    ),
  );
  const bytes = Buffer.concat(encoded.map((e) => e.buffer));
  return new Encoder().writeInt32(bytes.length).writeBuffer(bytes).buffer;
}

const batchOf = async (fetchedOffset: string, set: Buffer) =>
  new Batch('clean.x', fetchedOffset, { partition: 1, highWatermark: '2335109', abortedTransactions: [], messages: await decodeMessages(new Decoder(set)) });

describe('kafkajs fetch of a compacted batch that kept no records (patched)', () => {
  it('moves the consumer past the empty batch: one control record at its last offset, resolved like a marker', async () => {
    // As found on a broker: the segment's only batch from the fetch offset is empty, offsets 1660600-1661081.
    const batch = await batchOf('1641561', await recordSet([{ firstOffset: '1660600', values: [], lastOffsetDelta: 481 }]));
    expect(batch.messages).toEqual([]);
    expect(batch.isEmptyDueToFiltering()).toBe(true); // kafkajs then resolves lastOffset() and fetches from after it
    expect(batch.lastOffset()).toBe('1661081');
  });

  it('keeps the records around it as they were, and ends the batch at the empty one', async () => {
    const set = await recordSet([
      { firstOffset: '100', values: ['a', 'b'] },
      { firstOffset: '150', values: [], lastOffsetDelta: 9 },
      { firstOffset: '9007199254740990', values: [], lastOffsetDelta: 5 }, // past 2^53: the sum stays exact
    ]);
    const batch = await batchOf('100', set);
    expect(batch.messages.map((m) => [m.offset, String(m.value)])).toEqual([
      ['100', 'a'],
      ['101', 'b'],
    ]);
    expect(batch.lastOffset()).toBe('9007199254740995');
  });
});
