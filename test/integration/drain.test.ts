// A drain (`--once`, replay) ends at the end offsets, never in the middle of work: a batch whose handling takes
// longer than the silence allowance (GRIDSTREAM_DRAIN_IDLE_MS) used to end the drain as "silence", leaving the
// records after it unprocessed.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consume } from '../../runtime/consumer.js';
import { kafka } from '../../runtime/kafka.js';
import { createTopicsWithLeaders } from '../../runtime/topics-apply.js';

const topic = `t-drain-${randomBytes(3).toString('hex')}`;
const COUNT = 400;
const idleBefore = process.env.GRIDSTREAM_DRAIN_IDLE_MS;
const fetchBefore = process.env.GRIDSTREAM_FETCH_MAX_BYTES;

beforeAll(async () => {
  const admin = kafka().admin();
  await admin.connect();
  await createTopicsWithLeaders(admin, [{ topic, numPartitions: 1 }]);
  await admin.disconnect();
  const producer = kafka().producer();
  await producer.connect();
  // Several sends, so the consumer sees several batches.
  for (let i = 0; i < COUNT; i += 50) await producer.send({ topic, messages: Array.from({ length: 50 }, (_, j) => ({ key: String(i + j), value: String(i + j) })) });
  await producer.disconnect();
  process.env.GRIDSTREAM_DRAIN_IDLE_MS = '500';
  // Small fetches: the records come in many batches, so some are still to read after the slow one.
  process.env.GRIDSTREAM_FETCH_MAX_BYTES = '1024';
});

afterAll(async () => {
  for (const [name, before] of [['GRIDSTREAM_DRAIN_IDLE_MS', idleBefore], ['GRIDSTREAM_FETCH_MAX_BYTES', fetchBefore]] as const) {
    if (before === undefined) delete process.env[name];
    else process.env[name] = before;
  }
  const admin = kafka().admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
});

describe('drain', () => {
  it('waits for a batch that takes longer than the silence allowance, and reads every record', async () => {
    const seen = new Set<string>();
    let batches = 0;
    let slow = true;
    await consume({
      stage: 'test:drain',
      groupId: `t-drain-${randomBytes(3).toString('hex')}`,
      topics: [topic],
      mode: 'drain',
      autoCommit: true,
      handle: async ({ batch, resolveOffset }) => {
        if (slow) {
          slow = false;
          // Four times the allowance, and no heartbeat from the handler: only the batch in hand keeps the drain open.
          await new Promise((r) => setTimeout(r, 2_000));
        }
        batches++;
        for (const m of batch.messages) seen.add(m.value!.toString());
        resolveOffset(batch.messages[batch.messages.length - 1]!.offset);
      },
    });
    expect(batches).toBeGreaterThan(1);
    expect(seen.size).toBe(COUNT);
  });
});
