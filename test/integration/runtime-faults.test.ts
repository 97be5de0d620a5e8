// The runtime when things go wrong around it (issue 15): a schema registry that is down or erroring, NUL bytes that
// Postgres refuses, a processor's producer fenced by a newer owner. Each time: nothing lost, nothing doubled, bad
// records dead-lettered with reason, position and raw bytes, and the stage goes on.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Producer } from 'kafkajs';
import { closePool, pool } from '../../runtime/db.js';
import { readTopic } from '../../runtime/inspect.js';
import { kafka } from '../../runtime/kafka.js';
import { log } from '../../runtime/log.js';
import { runPgSink, sinkGroup } from '../../runtime/pg-sink-runner.js';
import { processorGroup, runProcessor } from '../../runtime/processor-runner.js';
import { runSource } from '../../runtime/producer-runner.js';
import { redisClient, runKeyedView } from '../../runtime/redis-views.js';
import { Serde } from '../../runtime/serde.js';
import { testFlow, type TestFlow } from '../support/flow.js';
import { expectedReadings, tableDump } from '../support/expect.js';
import { registryProxy, type RegistryProxy } from '../support/registry-proxy.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const UNITS = 10;

let plain: Producer;
beforeAll(async () => {
  plain = kafka().producer({ idempotent: true });
  await plain.connect();
});
afterAll(async () => {
  await plain.disconnect();
  await closePool();
});

/** Takes the proxy through refused connections, then HTTP 500s, then the real registry. */
async function outage(proxy: RegistryProxy, ms = 3000): Promise<void> {
  await proxy.set('down');
  await sleep(ms);
  await proxy.set('error');
  await sleep(ms);
  await proxy.set('up');
}

describe('a schema registry that is down, then erroring, then back', () => {
  let proxy: RegistryProxy;
  beforeAll(async () => {
    proxy = await registryProxy();
  });
  afterAll(() => proxy.close());

  it('a processor started during the outage waits and then processes every record, dead-lettering none', async () => {
    const f = await testFlow('regp');
    await runSource(f.source, { serde: f.serde, once: true, options: { count: 600, units: UNITS } });
    const serde = Serde.fromConfig(proxy.url); // a fresh cache: every schema must come through the proxy
    await proxy.set('down');
    const run = runProcessor(f.processor, { serde, mode: 'drain' });
    await outage(proxy);
    await run;
    expect(proxy.counts.error).toBeGreaterThan(0);
    const clean = await readTopic(f.processor.output.name);
    expect(new Set(clean.map((m) => m.key)).size).toBe(600);
    expect(await readTopic(`dlq.${f.source.topics[0]!.name}`)).toEqual([]);
  });

  it('a sink and a view started during the outage land every row; only truly undecodable records are dead-lettered', async () => {
    const f = await testFlow('regs');
    await runSource(f.source, { serde: f.serde, once: true, options: { count: 600, units: UNITS } });
    await runProcessor(f.processor, { serde: f.serde, mode: 'drain' });
    // Two records that are bad whatever the registry says: a schema id it does not know (404), and no wire format.
    const unknownId = Buffer.from([0, 0x3b, 0x9a, 0xc9, 0xff, 1, 2, 3]);
    const noMagic = Buffer.from('{"duid":"plain json"}');
    await plain.send({ topic: f.processor.output.name, messages: [{ key: 'bad-1', value: unknownId, partition: 0 }, { key: 'bad-2', value: noMagic, partition: 0 }] });

    const serde = Serde.fromConfig(proxy.url);
    await proxy.set('down');
    const run = Promise.all([runPgSink(f.table, { serde, mode: 'drain' }), runKeyedView(f.view, { serde, mode: 'drain' })]);
    await outage(proxy);
    await run;

    expect(await tableDump(f.table.table)).toEqual(expectedReadings(600, UNITS, []));
    const r = redisClient();
    try {
      expect(Object.keys(await r.hgetall(`gs:view:${f.view.name}:by_duid`)).length).toBe(UNITS);
    } finally {
      r.disconnect();
    }
    const dead = await readTopic(`dlq.${f.processor.output.name}`);
    // Each stage (table sink and view) dead-letters the two bad records, and nothing else.
    expect(dead.map((d) => `${d.headers.stage} ${d.key}`).sort()).toEqual([`sink:${f.table.name} bad-1`, `sink:${f.table.name} bad-2`, `view:${f.view.name} bad-1`, `view:${f.view.name} bad-2`].sort());
    for (const d of dead) {
      expect(d.headers.reason).toMatch(d.key === 'bad-1' ? /schema id 999999999 does not exist/ : /not Confluent wire format/);
      expect(d.value).toEqual(d.key === 'bad-1' ? unknownId : noMagic);
      expect(d.headers['source-partition']).toBe('0');
    }
  });
});

describe('NUL bytes', () => {
  it('a processor dead-letters an output record whose string field holds U+0000, naming the field', async () => {
    const f = await testFlow('nulp');
    await runSource(f.source, { serde: f.serde, once: true, options: { count: 100, units: UNITS } });
    const raw = f.source.topics[0]!.name;
    const bad = f.serde.encode(raw, { settlementdate: '2024/08/01 10:00:00', duid: 'NUL\u0000UNIT', scadavalue: '12.5' });
    await plain.send({ topic: raw, messages: [{ key: 'nul', value: bad }] });
    await runProcessor(f.processor, { serde: f.serde, mode: 'drain' });

    const dead = await readTopic(`dlq.${raw}`);
    expect(dead.length).toBe(1);
    expect(dead[0]!.headers.reason).toMatch(/field duid contains a NUL byte/);
    expect(dead[0]!.value).toEqual(bad);
    expect((await readTopic(f.processor.output.name)).length).toBe(100);
    await runPgSink(f.table, { serde: f.serde, mode: 'drain' });
    expect(await tableDump(f.table.table)).toEqual(expectedReadings(100, UNITS, []));
  });

  it('a sink isolates the row Postgres refuses, dead-letters it, and lands the rows behind it', async () => {
    const f = await testFlow('nuls');
    await runSource(f.source, { serde: f.serde, once: true, options: { count: 200, units: UNITS } });
    await runProcessor(f.processor, { serde: f.serde, mode: 'drain' });
    // Written straight to the clean topic (as a processor without the check would): a NUL in the middle of partition
    // 0, good records before and after it in the same batch.
    const clean = f.processor.output.name;
    await f.serde.use(clean);
    const at = Date.parse('2024-08-02T00:00:00Z');
    const rec = (duid: string, i: number) => ({ duid, settlementdate: at + i * 300_000, settlementdate_nem: '2024-08-02T10:00:00', scadavalue: i });
    const badBytes = f.serde.encode(clean, rec('NUL\u0000UNIT', 0));
    const [meta] = await plain.send({
      topic: clean,
      messages: [
        ...[1, 2, 3].map((i) => ({ key: `BEFORE${i}`, value: f.serde.encode(clean, rec(`BEFORE${i}`, i)), partition: 0 })),
        { key: 'nul', value: badBytes, partition: 0 },
        ...[4, 5, 6].map((i) => ({ key: `AFTER${i}`, value: f.serde.encode(clean, rec(`AFTER${i}`, i)), partition: 0 })),
      ],
    });
    const badOffset = (BigInt(meta!.baseOffset!) + 3n).toString();

    await runPgSink(f.table, { serde: f.serde, mode: 'drain', signal: AbortSignal.timeout(90_000) });

    const rows = await tableDump(f.table.table);
    expect(rows.length).toBe(206);
    expect(rows.filter((r) => /^(BEFORE|AFTER)/.test(r.duid)).map((r) => r.duid)).toEqual(['AFTER4', 'AFTER5', 'AFTER6', 'BEFORE1', 'BEFORE2', 'BEFORE3']);
    const dead = await readTopic(`dlq.${clean}`);
    expect(dead.length).toBe(1);
    expect(dead[0]!.headers.reason).toMatch(/^refused by Postgres: .*0x00/);
    expect(dead[0]!.headers['source-partition']).toBe('0');
    expect(dead[0]!.headers['source-offset']).toBe(badOffset);
    expect(dead[0]!.value).toEqual(badBytes);
    // The offsets moved past the bad row: a second run reads nothing new.
    const stored = await pool().query<{ next_offset: number }>('select next_offset from sink_offsets where consumer_group = $1 and topic = $2 and partition = 0', [sinkGroup(f.table.name), clean]);
    expect(BigInt(stored.rows[0]!.next_offset)).toBe(BigInt(badOffset) + 4n);
  }, 120_000);
});

describe('a processor whose producer is fenced by a newer owner', () => {
  it('abandons the batch, carries on, and the clean topic holds every record exactly once', async () => {
    const f: TestFlow = await testFlow('fence');
    const raw = f.source.topics[0]!.name;
    const group = processorGroup(f.processor.name);
    await runSource(f.source, { serde: f.serde, once: true, options: { count: 300, units: UNITS } });
    const warn = vi.spyOn(log, 'warn');
    const stop = new AbortController();
    let failed: unknown;
    let fenced: number | undefined;
    const run = runProcessor(f.processor, { serde: f.serde, mode: 'forever', signal: stop.signal }).catch((err: unknown) => {
      failed = err;
    });
    const admin = kafka().admin();
    await admin.connect();
    const fencers: Producer[] = [];
    try {
      const committed = async () => (await admin.fetchOffsets({ groupId: group, topics: [raw] }))[0]!.partitions.map((p) => Number(p.offset));
      const ends = async () => (await admin.fetchTopicOffsets(raw)).map((p) => Number(p.high));
      const caughtUp = async (deadline: number) => {
        while (Date.now() < deadline && !failed) {
          const [c, e] = [await committed(), await ends()];
          // The committed offset sits before or on the final transaction marker.
          if (c.length === e.length && c.every((x, i) => x >= e[i]! - 1)) return;
          await sleep(500);
        }
      };
      await caughtUp(Date.now() + 60_000);
      expect(failed).toBeUndefined();

      // The handover: a new owner's producers initialise with the same transactional ids, fencing the runner's.
      for (let p = 0; p < f.source.topics[0]!.partitions; p++) {
        const fencer = kafka().producer({ transactionalId: `${group}.${raw}.${p}`, idempotent: true, maxInFlightRequests: 1 });
        await fencer.connect();
        fencers.push(fencer);
        // kafkajs initialises the transactional id (bumping its epoch, which fences the runner) on the first transaction.
        await (await fencer.transaction()).abort();
      }
      await runSource(f.source, { serde: f.serde, once: true, options: { count: 600, units: UNITS } });
      await caughtUp(Date.now() + 90_000);
    } finally {
      stop.abort();
      await run;
      await admin.disconnect();
      for (const p of fencers) await p.disconnect().catch(() => undefined);
      fenced = warn.mock.calls.filter(([, msg]) => typeof msg === 'string' && msg.startsWith('producer fenced')).length;
      warn.mockRestore();
    }
    expect(failed).toBeUndefined();
    expect(fenced).toBeGreaterThan(0);
    const clean = await readTopic(f.processor.output.name, { idleMs: 4000 });
    expect(clean.length).toBe(600);
    expect(new Set(clean.map((m) => m.key)).size).toBe(600);
    await runPgSink(f.table, { serde: f.serde, mode: 'drain' });
    expect(await tableDump(f.table.table)).toEqual(expectedReadings(600, UNITS, []));
  }, 240_000);
});
