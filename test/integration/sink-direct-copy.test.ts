// The Postgres sink's write of a batch (runtime/pg-sink-runner.ts writeRows): new keys are COPYed straight into the
// table, and a batch that meets stored keys falls back to the stage and upsert with the same outcome the upsert alone
// gives — changed rows replaced, unchanged ones not counted, an older version never winning, data errors still errors.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PgSinkComponent } from '../../runtime/components.js';
import { closePool, pool, withTransaction } from '../../runtime/db.js';
import { isDataError, stageTable, writeRows } from '../../runtime/pg-sink-runner.js';
import { rawTopic } from '../../schemas/topics.js';

interface Reading {
  k: string;
  v: number | null;
  ver: number;
}

const table = `t_direct_${randomBytes(3).toString('hex')}`;
const sink: PgSinkComponent<Reading> = {
  kind: 'pg-sink',
  name: table,
  topic: rawTopic(`raw.${table}`, { key: 'k', schema: './synthetic/raw-scada.avsc', description: 'unused here' }),
  table,
  key: ['k'],
  versionColumn: 'ver',
  columns: [
    { name: 'k', value: (r) => r.k },
    { name: 'v', value: (r) => r.v },
    { name: 'ver', value: (r) => r.ver },
  ],
};

const rows = async () => (await pool().query<Reading>(`select k, v, ver::int as ver from ${table} order by k`)).rows;
/** Writes in a transaction of its own; says whether this session's stage table exists afterwards (upsert path). */
async function write(values: Reading[], tryDirect: boolean) {
  const client = await pool().connect();
  try {
    await client.query(`discard temp`);
    await client.query('begin');
    const r = await writeRows(client, sink, values, tryDirect);
    await client.query('commit');
    const staged = (await client.query<{ t: string | null }>(`select to_regclass($1) as t`, [`pg_temp.${stageTable(table).replace(/"/g, '')}`])).rows[0]!.t !== null;
    return { ...r, staged };
  } finally {
    client.release();
  }
}

beforeAll(async () => {
  await pool().query(`create table ${table} (k text primary key, v int, ver bigint not null)`);
});
afterAll(async () => {
  await pool().query(`drop table if exists ${table}`);
  await closePool();
});

describe('writeRows', () => {
  it('COPYs new keys straight into the table, without a stage', async () => {
    const r = await write([{ k: 'a', v: 1, ver: 5 }, { k: 'b', v: 2, ver: 5 }, { k: 'c', v: null, ver: 5 }], true);
    expect(r).toEqual({ n: 3, conflict: false, staged: false });
    expect(await rows()).toEqual([{ k: 'a', v: 1, ver: 5 }, { k: 'b', v: 2, ver: 5 }, { k: 'c', v: null, ver: 5 }]);
  });

  it('falls back to the upsert when a key is stored: the same rows and count the upsert alone gives', async () => {
    // a: unchanged; b: changed, newer; c: changed but an older version; d: new.
    const batch = [{ k: 'a', v: 1, ver: 5 }, { k: 'b', v: 20, ver: 6 }, { k: 'c', v: 30, ver: 4 }, { k: 'd', v: 4, ver: 1 }];
    const r = await write(batch, true);
    expect(r).toEqual({ n: 2, conflict: true, staged: true });
    expect(await rows()).toEqual([{ k: 'a', v: 1, ver: 5 }, { k: 'b', v: 20, ver: 6 }, { k: 'c', v: null, ver: 5 }, { k: 'd', v: 4, ver: 1 }]);
    // The upsert alone on the same batch changes nothing more.
    expect(await write(batch, false)).toEqual({ n: 0, conflict: false, staged: true });
    expect((await rows()).length).toBe(4);
  });

  it('leaves a data error to the caller, with nothing of the batch written', async () => {
    const bad = [{ k: 'e', v: 5, ver: 1 }, { k: 'f', v: 6, ver: null as unknown as number }];
    const err = await withTransaction((client) => writeRows(client, sink, bad, true)).catch((e: unknown) => e);
    expect(isDataError(err)).toBe(true);
    expect((await rows()).map((r) => r.k)).toEqual(['a', 'b', 'c', 'd']);
  });
});
