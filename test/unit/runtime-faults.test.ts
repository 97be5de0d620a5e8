// Pure parts of issue 15's fixes: which failures are bad data and which are a dependency blinking, the NUL check on
// processor outputs, and credentials kept out of everything printed or logged.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../infra/stack/proc.js';
import { nulField, nulRejection } from '../../runtime/nul-bytes.js';
import { isDataError } from '../../runtime/pg-sink-runner.js';
import { redactText, redactUrl } from '../../runtime/redact.js';
import { isUnknownSchema } from '../../runtime/serde.js';
import { isFenced } from '../../runtime/transactions.js';

describe('registry failures', () => {
  it('only a 404 saying the schema is not found is the record at fault', () => {
    expect(isUnknownSchema({ status: 404, message: 'gridstream - Schema 999 not found.' })).toBe(true);
    expect(isUnknownSchema({ status: 404, message: 'gridstream - Error, status 404: [object Object]' })).toBe(false); // a wrong path
    expect(isUnknownSchema({ status: 500, message: 'gridstream - Schema 1 not found' })).toBe(false);
    expect(isUnknownSchema({ status: 400, message: 'gridstream - Error, status 400: connect ECONNREFUSED 127.0.0.1:1' })).toBe(false);
    expect(isUnknownSchema(new Error('timeout'))).toBe(false);
  });
});

describe('Postgres errors', () => {
  it('classes 22 and 23 are the data; connection and other errors are not', () => {
    expect(isDataError({ code: '22021' })).toBe(true); // invalid byte sequence (a NUL in COPY)
    expect(isDataError({ code: '23505' })).toBe(true);
    expect(isDataError({ code: '57P01' })).toBe(false); // admin shutdown
    expect(isDataError({ code: '08006' })).toBe(false);
    expect(isDataError(new Error('Connection terminated unexpectedly'))).toBe(false);
  });
});

describe('fenced producers', () => {
  it('recognises kafkajs fencing errors, wrapped or not', () => {
    expect(isFenced({ name: 'KafkaJSProtocolError', type: 'INVALID_PRODUCER_EPOCH', code: 47, message: 'Producer attempted an operation with an old epoch' })).toBe(true);
    expect(isFenced({ name: 'KafkaJSNonRetriableError', message: 'x', cause: { type: 'PRODUCER_FENCED', code: 90 } })).toBe(true);
    expect(isFenced({ name: 'ProducerFencedError', message: 'fenced' })).toBe(true);
    expect(isFenced({ name: 'KafkaJSConnectionError', message: 'Connection timeout' })).toBe(false);
    expect(isFenced({ name: 'KafkaJSProtocolError', type: 'FENCED_LEADER_EPOCH', message: 'The leader epoch in the request is older than the epoch on the broker' })).toBe(false);
  });
});

describe('NUL bytes in processor outputs', () => {
  it('names the first string field holding U+0000, however deep', () => {
    expect(nulField({ a: 'ok', b: 1, c: null })).toBeUndefined();
    expect(nulField({ a: 'ok', nested: { list: ['x', 'y\u0000'] } })).toBe('nested.list[1]');
    expect(nulRejection({ key: 'k', value: { duid: 'A\u0000B' } })).toMatch(/^output field duid contains a NUL byte/);
    expect(nulRejection({ key: 'k\u0000', value: { duid: 'AB' } })).toMatch(/^output key contains a NUL byte/);
    expect(nulRejection({ key: 'k', value: { duid: 'AB', at: new Date(0) } })).toBeUndefined();
  });
});

describe('credentials', () => {
  it('redactUrl masks passwords and secret parameters and leaves other URLs untouched', () => {
    expect(redactUrl('http://reg:s3cret@registry.example:8081/apis/ccompat/v7')).toBe('http://reg:***@registry.example:8081/apis/ccompat/v7');
    expect(redactUrl('postgres://gridstream:pw@db:5432/gridstream?sslmode=require')).toBe('postgres://gridstream:***@db:5432/gridstream?sslmode=require');
    expect(redactUrl('rediss://:pw@cache:6380')).toBe('rediss://:***@cache:6380');
    expect(redactUrl('https://api.example/data?token=abc&date=2024-01-01')).toBe('https://api.example/data?token=***&date=2024-01-01');
    expect(redactUrl('http://127.0.0.1:18081/apis/ccompat/v7')).toBe('http://127.0.0.1:18081/apis/ccompat/v7');
    expect(redactText('GET http://u:p@h/x failed')).toBe('GET http://u:***@h/x failed');
  });

  it('`stack status` never prints the password of any endpoint URL', () => {
    const env = {
      ...process.env,
      KAFKA_BROKERS: '127.0.0.1:1',
      SCHEMA_REGISTRY_URL: 'http://reg:s3cret-registry@127.0.0.1:1/apis/ccompat/v7',
      DATABASE_URL: 'postgres://gridstream:s3cret-postgres@127.0.0.1:1/gridstream',
      REDIS_URL: 'redis://:s3cret-redis@127.0.0.1:1',
    };
    for (const args of [['stack', 'status'], ['stack', 'status', '--json']]) {
      const r = spawnSync(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args], { cwd: repoRoot, env, encoding: 'utf8', timeout: 60_000 });
      expect(r.stdout).toContain('127.0.0.1:1');
      expect(`${r.stdout}${r.stderr}`).not.toMatch(/s3cret/);
      expect(r.stdout).toContain('reg:***@127.0.0.1:1');
    }
  }, 120_000);

  // Issue 11 #6: pipeline commands failing against closed ports, with every credential set and debug logging (the
  // whole error, stack and cause included, is logged): no password on stdout or stderr.
  it('`status`, `dlq list` and `db migrate` never print a password, whatever fails', () => {
    const env = {
      ...process.env,
      LOG_LEVEL: 'debug',
      KAFKA_BROKERS: '127.0.0.1:1',
      KAFKA_SASL_MECHANISM: 'plain',
      KAFKA_SASL_USERNAME: 'gs',
      KAFKA_SASL_PASSWORD: 's3cret-kafka',
      SCHEMA_REGISTRY_URL: 'http://reg:s3cret-registry@127.0.0.1:1/apis/ccompat/v7',
      DATABASE_URL: 'postgres://gridstream:s3cret-postgres@127.0.0.1:1/gridstream',
      REDIS_URL: 'redis://:s3cret-redis@127.0.0.1:1',
    };
    for (const args of [['status'], ['status', '--json'], ['dlq', 'list'], ['db', 'migrate']]) {
      const r = spawnSync(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args], { cwd: repoRoot, env, encoding: 'utf8', timeout: 60_000 });
      expect(r.status, args.join(' ')).not.toBe(0);
      expect(r.stderr, args.join(' ')).toMatch(/gridstream: /);
      expect(`${r.stdout}${r.stderr}`, args.join(' ')).not.toMatch(/s3cret/);
    }
  }, 180_000);

  it('log lines hide secrets at any depth and URL passwords inside any text, errors included', () => {
    const script = `import { log } from './runtime/log.ts';
      import { config } from './runtime/config.ts';
      log.info({ cfg: config() }, 'whole config');
      log.info({ a: { b: { c: { password: 'pw5', token: 'tok5' } } } }, 'deep');
      log.warn({ note: 'fetch postgres://u:pw6@db/x failed' }, 'text');
      const err = new Error('connect http://u:pw7@reg:1/x refused', { cause: new Error('redis://:pw8@r:1 down') });
      log.error({ err }, 'error');
      log.error(err, 'error as object');
      if (err.message !== 'connect http://u:pw7@reg:1/x refused') throw new Error('the logged error was changed');`;
    const env = { ...process.env, KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_SASL_USERNAME: 'gs', KAFKA_SASL_PASSWORD: 'pw-sasl', DATABASE_URL: 'postgres://u:pw-db@127.0.0.1:1/x' };
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: repoRoot, env, encoding: 'utf8', timeout: 30_000 });
    expect(r.status, r.stderr).toBe(0);
    for (const msg of ['whole config', 'deep', 'text', 'error', 'error as object']) expect(r.stderr).toContain(`"msg":"${msg}"`);
    expect(r.stderr).toContain('"type":"Error"');
    expect(r.stderr).toContain('connect http://u:***@reg:1/x refused');
    expect(r.stderr).not.toMatch(/pw5|tok5|pw6|pw7|pw8|pw-sasl|pw-db/);
  });

  it('log lines redact password, secret and endpoint URL fields', () => {
    const script = `import { log } from './runtime/log.ts';
      log.info({ password: 'pw1', secret: 'sec1', cfg: { password: 'pw2', secret: 'sec2', token: 'tok2', registryUrl: 'http://u:pw3@r/x', databaseUrl: 'postgres://u:pw4@d/x' } }, 'hello');`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: repoRoot, encoding: 'utf8', timeout: 30_000 });
    expect(r.stderr).toContain('hello');
    expect(r.stderr).not.toMatch(/pw1|sec1|pw2|sec2|tok2|pw3|pw4/);
  });
});
