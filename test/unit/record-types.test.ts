// The TS types of topic values are generated from the .avsc files (schemas/record-types.ts). These tests fail when a
// checked-in records.gen.ts is stale, and pin the type mapping to what avsc actually decodes with serde's options.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { schemaFolders } from '../../schemas/gen-types.js';
import { GENERATED_FILE, recordTypesSource } from '../../schemas/record-types.js';

const folderWith = (schemas: Record<string, unknown>): string => {
  const dir = mkdtempSync(join(tmpdir(), 'record-types-'));
  for (const [file, schema] of Object.entries(schemas)) writeFileSync(join(dir, file), JSON.stringify(schema));
  return dir;
};

const sample = {
  type: 'record',
  name: 'Sample',
  namespace: 'gridstream.test',
  doc: 'A record using every kind of type.',
  fields: [
    { name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' }, doc: 'When.' },
    { name: 'maybe_at', type: ['null', { type: 'long', logicalType: 'timestamp-millis' }], default: null },
    { name: 'count', type: 'int' },
    { name: 'big', type: ['null', 'long'], default: null },
    { name: 'ratio', type: 'double' },
    { name: 'ok', type: 'boolean' },
    { name: 'side', type: { type: 'enum', name: 'Side', symbols: ['bid', 'offer'] } },
    { name: 'extra', type: { type: 'map', values: 'string' }, default: {} },
    { name: 'tags', type: { type: 'array', items: ['null', 'string'] } },
    { name: 'inner', type: { type: 'record', name: 'Inner', fields: [{ name: 'x', type: 'float' }] } },
    { name: 'blob', type: 'bytes' },
  ],
};

describe('generated record types', () => {
  it('are up to date with the .avsc files (run `npm run gen:types` if this fails)', () => {
    const folders = schemaFolders();
    expect(folders.map((d) => d.split('/').pop())).toEqual(expect.arrayContaining(['aemo', 'elexon', 'synthetic']));
    for (const dir of folders) {
      expect(readFileSync(join(dir, GENERATED_FILE), 'utf8'), `${dir}/${GENERATED_FILE}`).toBe(recordTypesSource(dir));
    }
  });

  it('map each Avro type to the TS type avsc decodes it as', () => {
    const text = recordTypesSource(folderWith({ 'sample.avsc': sample }));
    expect(text).toContain('export type Side = \'bid\' | \'offer\';');
    expect(text).toContain('export interface Inner {\n  x: number;\n}');
    for (const line of [
      '  at: number;',
      '  maybe_at: number | null;',
      '  count: number;',
      '  big: number | null;',
      '  ratio: number;',
      '  ok: boolean;',
      '  side: Side;',
      '  extra: Record<string, string>;',
      '  tags: (string | null)[];',
      '  inner: Inner;',
      '  blob: Buffer;',
    ]) {
      expect(text).toContain(line);
    }
    expect(text).toContain('   * When.\n   * UTC ms since the epoch (timestamp-millis).');

    // serde (runtime/serde.ts) builds its types with Type.forSchema and no options: the same decode as here.
    const type = avro.Type.forSchema(sample as avro.Schema);
    const value = {
      at: 1_766_757_900_000, maybe_at: null, count: 1, big: 2 ** 40, ratio: 0.5, ok: true, side: 'bid',
      extra: { a: 'b' }, tags: ['t', null], inner: { x: 1.5 }, blob: Buffer.from('x'),
    };
    const back = type.fromBuffer(type.toBuffer(value)) as Record<string, unknown>;
    expect(typeof back.at).toBe('number');
    expect(back.at).toBe(value.at);
    expect(typeof back.big).toBe('number');
    expect(back.side).toBe('bid');
    expect(back.extra).toEqual({ a: 'b' });
    expect(Buffer.isBuffer(back.blob)).toBe(true);
  });

  it('refuse two schemas of a folder declaring one name differently', () => {
    const a = { type: 'record', name: 'A', fields: [{ name: 's', type: { type: 'enum', name: 'Side', symbols: ['bid', 'offer'] } }] };
    const b = { type: 'record', name: 'B', fields: [{ name: 's', type: { type: 'enum', name: 'Side', symbols: ['buy', 'sell'] } }] };
    expect(() => recordTypesSource(folderWith({ 'a.avsc': a, 'b.avsc': b }))).toThrow(/both declare Side, differently/);
    // The same declaration twice (raw and clean Elexon schemas both carry StackSide) is emitted once.
    const text = recordTypesSource(folderWith({ 'a.avsc': a, 'c.avsc': { ...b, name: 'C', fields: a.fields } }));
    expect(text.match(/export type Side =/g)).toHaveLength(1);
  });
});
