// Issue 11 #6: names in SQL text are checked and quoted in one place (runtime/sql.ts); values are never in the text.
import { describe, expect, it } from 'vitest';
import { syntheticCleanTopic } from '../../devkit/synthetic/processor.js';
import { syntheticTable } from '../../devkit/synthetic/sinks.js';
import { stageTable, upsertSql } from '../../runtime/pg-sink-runner.js';
import { ident, identList, identName } from '../../runtime/sql.js';
import { elexonTables } from '../../sinks/elexon/tables.js';

describe('SQL identifiers', () => {
  it('quotes plain lower-case names, keywords included', () => {
    expect(ident('curtailment_records')).toBe('"curtailment_records"');
    expect(ident('user')).toBe('"user"');
    expect(identList(['a', '_b1'])).toBe('"a", "_b1"');
    expect(identName('t1234abcd')).toBe('t1234abcd');
  });

  it('refuses anything that could leave the name: quotes, spaces, dots, semicolons, comments, case, length', () => {
    for (const bad of ['a"b', 'a b', 'public.t', 't;drop table x', 't--', 'T', '1t', '', 'a\u0000', 'ü', `x${'y'.repeat(63)}`, 'a\nb']) {
      expect(() => ident(bad), JSON.stringify(bad)).toThrow(/^unsafe SQL identifier: /);
    }
    expect(() => ident(undefined as unknown as string)).toThrow(/^unsafe SQL identifier/);
  });

  it('the sink upsert and its stage table use only checked names', () => {
    const sink = syntheticTable(syntheticCleanTopic());
    expect(stageTable(sink.table)).toBe('"stage_synthetic_scada"');
    expect(() => upsertSql({ ...sink, table: 'x; drop table y' }, 's')).toThrow(/unsafe SQL identifier/);
    expect(() => upsertSql({ ...sink, columns: [...sink.columns, { name: 'a"b', value: () => 1 }] }, 's')).toThrow(/unsafe SQL identifier/);
    expect(() => upsertSql({ ...sink, key: ['duid) do nothing; --'] }, 's')).toThrow(/unsafe SQL identifier/);
  });

  it('a table prefix (tests, experiments) must make plain names', () => {
    expect(elexonTables('t1').records).toBe('t1_curtailment_records');
    expect(() => elexonTables('t1; drop')).toThrow(/unsafe SQL identifier/);
  });
});
