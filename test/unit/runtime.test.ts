// Pure parts of the runtime: configuration, the catalogue's conventions, COPY escaping, upsert SQL, the memory
// budget's priorities, and the synthetic source's normaliser.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../runtime/config.js';
import { isoText } from '../../runtime/iso-text.js';
import { copyText, CopyOut } from '../../runtime/copy-text.js';
import { upsertSql } from '../../runtime/pg-sink-runner.js';
import { withinBudget } from '../../runtime/redis-views.js';
import { catalogue } from '../../schemas/catalogue.js';
import { pipeline } from '../../pipeline.js';
import { nemToUtc, normaliseScada } from '../../devkit/synthetic/processor.js';
import { syntheticTable } from '../../devkit/synthetic/sinks.js';
import { syntheticCleanTopic } from '../../devkit/synthetic/processor.js';
import { isRejection } from '../../runtime/types.js';

describe('configuration', () => {
  it('defaults to the local stack and marks nothing external', () => {
    const c = loadConfig({});
    expect(c.kafka.brokers).toEqual(['127.0.0.1:19092']);
    expect(c.registryUrl).toBe('http://127.0.0.1:18081/apis/ccompat/v7');
    expect(c.external).toEqual({ kafka: false, registry: false, postgres: false, redis: false });
  });

  it('takes endpoints from the environment and marks them external', () => {
    const c = loadConfig({ KAFKA_BROKERS: 'a:9092,b:9093', DATABASE_URL: 'postgres://u:p@db:5432/x' });
    expect(c.kafka.brokers).toEqual(['a:9092', 'b:9093']);
    expect(c.external.kafka).toBe(true);
    expect(c.external.postgres).toBe(true);
    expect(c.external.redis).toBe(false);
  });

  it.each([
    [{ KAFKA_BROKERS: 'nope' }, 'KAFKA_BROKERS'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ REDIS_URL: '::' }, 'REDIS_URL'],
    [{ KAFKA_SASL_MECHANISM: 'plain' }, 'KAFKA_SASL_USERNAME'],
    [{ REDIS_MEMORY_BUDGET: '1.5' }, 'REDIS_MEMORY_BUDGET'],
  ])('names the variable that is wrong: %j', (env, variable) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    try {
      loadConfig(env);
    } catch (e) {
      expect((e as ConfigError).variable).toBe(variable);
    }
  });
});

describe('catalogue', () => {
  const topics = catalogue(pipeline);
  it('keeps raw topics forever, compacts clean topics, keeps dead letters 30 days', () => {
    for (const t of topics) {
      // Raw topics keep everything; reference data (e.g. Elexon BMU units) is compacted on its key instead.
      if (t.name.startsWith('raw.')) expect([['delete', -1], ['compact', -1]]).toContainEqual([t.cleanupPolicy, t.retentionMs]);
      if (t.name.startsWith('clean.')) expect(t.cleanupPolicy).toBe('compact');
      if (t.name.startsWith('dlq.')) expect(t.retentionMs).toBe(30 * 24 * 3600 * 1000);
    }
    expect(topics.map((t) => t.name)).toContain('_gridstream.cursors');
  });
  it('has a dead-letter topic for every raw topic', () => {
    for (const t of topics.filter((x) => x.name.startsWith('raw.'))) expect(topics.map((x) => x.name)).toContain(`dlq.${t.name}`);
  });
});

describe('Postgres sink SQL', () => {
  it('escapes COPY text', () => {
    expect(copyText(null)).toBe('\\N');
    expect(copyText('a\tb\nc\\d\r')).toBe('a\\tb\\nc\\\\d\\r');
    expect(copyText(new Date('2024-08-01T00:00:00Z'))).toBe('2024-08-01T00:00:00.000Z');
    expect(copyText(-1e-5)).toBe('-0.00001');
  });
  it('writes instants exactly as toISOString does', () => {
    const samples = [0, -1, 1, 999, 86_399_999, -86_400_000, Date.UTC(2016, 2, 13, 7, 30), Date.UTC(2024, 1, 29, 23, 59, 59, 999), Date.UTC(1969, 11, 31, 23, 59, 59, 1), Date.UTC(9999, 11, 31, 23, 59, 59, 999), Date.UTC(10000, 0, 1), Date.UTC(-1, 5, 1)];
    // Every hour, minute, second and millisecond over the years a sink meets: an odd step walks through them.
    for (let ms = Date.UTC(1998, 0, 1); ms < Date.UTC(2030, 0, 1); ms += 77_777_777) samples.push(ms);
    for (const ms of samples) expect(isoText(ms)).toBe(new Date(ms).toISOString());
    expect(() => isoText(Number.NaN)).toThrow(RangeError);
  });
  it('gathers COPY lines into buffers that hold every byte once, in order', () => {
    const lines = ['plain\n', 'Montréal – 5 €\n', '😀 emoji\n', `${'x'.repeat(100)}\n`, 'after the long one\n'];
    const chunks = new CopyOut(32);
    const out: Buffer[] = [];
    for (let k = 0; k < 3; k++)
      for (const l of lines) {
        chunks.utf8(l);
        const full = chunks.full();
        if (full) out.push(full);
      }
    const last = chunks.take();
    if (last) out.push(last);
    expect(chunks.take()).toBeUndefined();
    expect(out.length).toBeGreaterThan(3);
    expect(Buffer.concat(out).toString('utf8')).toBe(lines.join('').repeat(3));
    for (const b of out) expect(b.toString('utf8').endsWith('\n')).toBe(true);
  });
  it('upserts on the natural key and skips unchanged rows', () => {
    const sql = upsertSql(syntheticTable(syntheticCleanTopic()), 'stage_x');
    expect(sql).toBe(
      'insert into "synthetic_scada" ("duid", "settlementdate", "scadavalue") select "duid", "settlementdate", "scadavalue" from stage_x on conflict ("duid", "settlementdate") do update set "scadavalue" = excluded."scadavalue" where ("synthetic_scada"."scadavalue") is distinct from (excluded."scadavalue")',
    );
  });
});

describe('Redis memory budget', () => {
  const max = 1000;
  it('refuses lower priorities first as memory fills', () => {
    // budget 80 %: high may fill to 800, normal to 720, low to 640
    expect([withinBudget({ used: 700, max }, 10, 'high', 0.8), withinBudget({ used: 700, max }, 10, 'normal', 0.8), withinBudget({ used: 700, max }, 10, 'low', 0.8)]).toEqual([true, true, false]);
    expect([withinBudget({ used: 780, max }, 10, 'high', 0.8), withinBudget({ used: 780, max }, 10, 'normal', 0.8)]).toEqual([true, false]);
    expect(withinBudget({ used: 795, max }, 10, 'high', 0.8)).toBe(false);
  });
  it('lets everything through when Redis has no maxmemory', () => {
    expect(withinBudget({ used: 10 ** 9, max: 0 }, 10 ** 6, 'low', 0.8)).toBe(true);
  });
});

describe('synthetic normaliser', () => {
  const msg = (value: { settlementdate: string; duid: string; scadavalue: string }) => ({ topic: 't', partition: 0, offset: '0', key: null, value, timestamp: 0, headers: {} });
  it('converts NEM time (UTC+10, no DST) to UTC and keeps the number as written', () => {
    const out = normaliseScada(msg({ settlementdate: '2024/08/01 00:05:00', duid: 'BW01', scadavalue: '-1E-05' }));
    expect(isRejection(out)).toBe(false);
    const [r] = out as { key: string; value: { settlementdate: number; scadavalue: number; settlementdate_nem: string } }[];
    expect(new Date(r!.value.settlementdate).toISOString()).toBe('2024-07-31T14:05:00.000Z');
    expect(r!.value.scadavalue).toBe(-0.00001);
    expect(r!.value.settlementdate_nem).toBe('2024-08-01T00:05:00');
    expect(r!.key).toBe('BW01|2024-07-31T14:05:00.000Z');
  });
  it('rejects impossible times and non-numbers with a reason; an empty value is null', () => {
    expect(nemToUtc('2024/02/30 00:00:00')).toBeUndefined();
    expect(normaliseScada(msg({ settlementdate: '2024/13/01 00:00:00', duid: 'X', scadavalue: '1' }))).toEqual({ reject: 'settlementdate "2024/13/01 00:00:00" is not a NEM time YYYY/MM/DD HH:MM:SS' });
    expect(normaliseScada(msg({ settlementdate: '2024/08/01 00:05:00', duid: 'X', scadavalue: '1,5' }))).toEqual({ reject: 'scadavalue "1,5" is not a number' });
    const empty = normaliseScada(msg({ settlementdate: '2024/08/01 00:05:00', duid: 'X', scadavalue: '' })) as { value: { scadavalue: unknown } }[];
    expect(empty[0]!.value.scadavalue).toBeNull();
  });
});

describe('chunked sends', () => {
  it('keeps every message, in order, in chunks under the byte budget', async () => {
    const { chunks } = await import('../../runtime/kafka.js');
    const messages = Array.from({ length: 2500 }, (_, i) => ({ key: `k${i}`, value: Buffer.alloc(1000, 1), headers: { h: 'x' } }));
    const parts = chunks(messages, 100_000);
    expect(parts.flat()).toEqual(messages);
    expect(parts.length).toBeGreaterThan(20);
    for (const p of parts) expect(p.reduce((n, m) => n + 70 + m.key.length + m.value.length + 3, 0)).toBeLessThanOrEqual(100_000);
    expect(chunks([{ key: 'big', value: Buffer.alloc(200_000), headers: {} }], 100_000)).toHaveLength(1);
    // Small messages: at most maxMessages per send (kafkajs groups a send per partition in quadratic time).
    const small = Array.from({ length: 4500 }, (_, i) => ({ key: `k${i}`, value: Buffer.alloc(10) }));
    const parts2 = chunks(small, 768 * 1024, 2000);
    expect(parts2.map((p) => p.length)).toEqual([2000, 2000, 500]);
    expect(parts2.flat()).toEqual(small);
  });
});
