// Issue 15, producer side, against the real stack: hostile NEMWEB input never hangs, crashes or is dropped. A live
// file with a 50 MB field (a 51 KB zip), a declared-1 GiB zip bomb and a file with bad rows (a missing column, Latin-1
// bytes) are dead-lettered with reasons, per row where rows can be told apart, while the good rows still land; a
// record too big to send is dead-lettered by the runner whatever the source; a hostile listing (a malformed link, a
// duplicated one, one to another host) neither stops the source nor makes it publish twice or leave its origin.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closePool } from '../../runtime/db.js';
import { readTopic } from '../../runtime/inspect.js';
import type { StoredMessage } from '../../runtime/inspect.js';
import { MAX_KEY_BYTES, runSource } from '../../runtime/producer-runner.js';
import type { ProduceResult } from '../../runtime/producer-runner.js';
import { Serde } from '../../runtime/serde.js';
import { applyTopics } from '../../runtime/topics-apply.js';
import type { RawRecord } from '../../runtime/types.js';
import { catalogue } from '../../schemas/catalogue.js';
import { aemoSource } from '../../producers/aemo/source.js';
import type { AemoCursor, AemoOptions, AemoRawValue } from '../../producers/aemo/source.js';
import type { RawUnitScada } from '../../schemas/aemo/raw.js';
import { parseMms } from '../../producers/aemo/mms-csv.js';
import { toRawRecords } from '../../producers/aemo/records.js';
import { DIR, serveNemweb, writeZip } from '../../devkit/aemo/nemweb-tree.js';
import type { NemwebServer, NemwebTree } from '../../devkit/aemo/nemweb-tree.js';
import { fixture } from '../support/nemweb-server.js';
import { zeroBomb } from '../support/zip-bomb.js';

const FAST_HTTP = { minDelayMs: 20, maxDelayMs: 100, requestsPerSecond: 1000 };
const serde = Serde.fromConfig();
const scadaText = fixture('sample_dispatchscada.csv').toString('utf8');
const relabel = (hhmm: string): string => scadaText.replaceAll('"2025/12/27 00:05:00"', `"2025/12/27 ${hhmm}:00"`);
const lineOf = (text: string, duid: string): string => text.split('\r\n').find((l) => l.includes(`,${duid},`))!;
const lineNo = (text: string, duid: string): number => text.split('\r\n').findIndex((l) => l.includes(`,${duid},`)) + 1;

const FILES = {
  good: 'PUBLIC_DISPATCHSCADA_202512270005_0000000495867506.zip',
  giant: 'PUBLIC_DISPATCHSCADA_202512270010_0000000495867790.zip',
  bomb: 'PUBLIC_DISPATCHSCADA_202512270015_0000000495868071.zip',
  badRows: 'PUBLIC_DISPATCHSCADA_202512270020_0000000495868350.zip',
} as const;
const csvOf = (zip: string): string => zip.replace('.zip', '.CSV');

afterAll(async () => {
  await closePool();
});

describe('hostile live files', () => {
  let server: NemwebServer;
  let id: string;
  let run: ProduceResult;
  let dead: StoredMessage[];
  const zips = new Map<string, Buffer>();
  const badText = relabel('00:20');
  const shortLine = lineOf(badText, 'BW01').replace(/,"[^"]*"$/, ''); // LASTCHANGED cut off: 3 fields, not 4
  const latin1Line = Buffer.from(lineOf(badText, 'ER01').replace('ER01', 'ER\u00c91'), 'latin1');

  beforeAll(async () => {
    // 50 MB of 'A' as BW01's DUID: about 51 KB zipped. It used to become a 50 MB Kafka key and hang the producer.
    const giantText = relabel('00:10').replace(',BW01,', `,${'A'.repeat(50 * 1024 * 1024)},`);
    zips.set(FILES.good, writeZip([{ name: csvOf(FILES.good), data: scadaText }]));
    zips.set(FILES.giant, writeZip([{ name: csvOf(FILES.giant), data: giantText }]));
    zips.set(FILES.bomb, zeroBomb(csvOf(FILES.bomb)));
    const badBytes = Buffer.concat(
      badText.split('\r\n').map((l, i, all) => {
        const bytes = l.includes(',BW01,') ? Buffer.from(shortLine) : l.includes(',ER01,') ? latin1Line : Buffer.from(l);
        return i < all.length - 1 ? Buffer.concat([bytes, Buffer.from('\r\n')]) : bytes;
      }),
    );
    zips.set(FILES.badRows, writeZip([{ name: csvOf(FILES.badRows), data: badBytes }]));
    expect(zips.get(FILES.giant)!.length).toBeLessThan(100 * 1024);
    const tree: NemwebTree = new Map([...zips].map(([name, body]) => [DIR.scada + name, { body }]));
    server = await serveNemweb(tree);
    id = `t_aemo_hostile_${randomBytes(3).toString('hex')}`;
    const source = aemoSource({ name: id, topicPrefix: `raw.${id}`, baseUrl: server.url, http: FAST_HTTP });
    await applyTopics(catalogue([{ source, sinks: [] }]), serde);
    run = await runSource(source, { serde, once: true, options: { datasets: 'scada' } });
    dead = await readTopic(`dlq.raw.${id}.unit_scada`);
  }, 60_000);

  afterAll(async () => {
    await server?.close();
  });

  it('finishes the run, publishing every good row: the whole good file and all but two rows of the bad-rows file', async () => {
    expect(run.records).toBe(493 + 491);
    const rows = await readTopic(`raw.${id}.unit_scada`);
    const byFile = (f: string): number => rows.filter((m) => m.headers.file === csvOf(f)).length;
    expect([byFile(FILES.good), byFile(FILES.badRows), byFile(FILES.giant), byFile(FILES.bomb)]).toEqual([493, 491, 0, 0]);
    const decoded = await Promise.all(rows.map(async (m) => (await serde.decode(m.value!)) as RawUnitScada));
    expect(decoded.some((v) => (v.duid ?? '').length > 100 || (v.duid ?? '').includes('\ufffd'))).toBe(false);
  });

  it('dead-letters the file with a giant field, whole, with the parser reason', () => {
    const giant = dead.find((d) => d.headers['source-ref'] === FILES.giant)!;
    expect(giant.headers.reason).toMatch(/^MMS CSV unreadable at line \d+: .*Max Record Size/);
    expect(giant.value).toEqual(zips.get(FILES.giant));
  });

  it('dead-letters the zip bomb with the limit it broke (its 1 MB is over what a dead letter attaches: the reason says so)', () => {
    const bomb = dead.find((d) => d.headers['source-ref'] === FILES.bomb)!;
    expect(zips.get(FILES.bomb)!.length).toBeGreaterThan(512 * 1024);
    expect(bomb.headers.reason).toMatch(/^zip refused PUBLIC_DISPATCHSCADA_202512270015\S+ > \S+\.CSV: declares 1073741824 bytes .*too large to attach: fetch PUBLIC_DISPATCHSCADA_202512270015/);
    expect(bomb.value ?? Buffer.alloc(0)).toHaveLength(0);
  });

  it('dead-letters each bad row with its file, line and exact bytes', () => {
    const rows = dead.filter((d) => d.headers['source-ref'] === FILES.badRows);
    expect(rows.map((d) => [d.headers.file, d.headers.row, d.headers.reason])).toEqual([
      [csvOf(FILES.badRows), String(lineNo(badText, 'BW01')), `${csvOf(FILES.badRows)} line ${lineNo(badText, 'BW01')}: 3 fields where the I row of DISPATCH,UNIT_SCADA,1 has 4`],
      [csvOf(FILES.badRows), String(lineNo(badText, 'ER01')), `${csvOf(FILES.badRows)} line ${lineNo(badText, 'ER01')}: invalid UTF-8 in field 6`],
    ]);
    expect(rows[0]!.value).toEqual(Buffer.from(shortLine));
    expect(rows[1]!.value).toEqual(latin1Line);
    expect(dead).toHaveLength(4);
    expect(run.deadLetters).toBe(4);
  });
});

describe('records too large to send', () => {
  it('dead-letters a 256 KiB key and a 1 MiB value instead of hanging in the partitioner or failing the transaction', async () => {
    const id = `t_aemo_big_${randomBytes(3).toString('hex')}`;
    const real = aemoSource({ name: id, topicPrefix: `raw.${id}` });
    const [a, b, c] = toRawRecords(parseMms(fixture('sample_dispatchscada.csv')).rows, { file: 'f.CSV', fallbackTime: 0 }).map((r) => r.record as RawRecord<AemoRawValue>);
    const hugeKey = { ...a!, key: 'K'.repeat(256 * 1024) };
    const hugeValue = { ...b!, value: { ...(b!.value as RawUnitScada), extra: { blob: 'V'.repeat(1024 * 1024) } } };
    const source = {
      ...real,
      source: {
        name: id,
        async *read() {
          yield { records: [hugeKey, hugeValue, c!], cursor: { v: 1, live: {} } as AemoCursor };
        },
      },
    };
    await applyTopics(catalogue([{ source, sinks: [] }]), serde);
    const started = Date.now();
    const result = await runSource(source, { serde, once: true, options: {} as AemoOptions });
    expect(Date.now() - started).toBeLessThan(15_000);
    expect([result.records, result.deadLetters]).toEqual([1, 2]);
    // A reader that starts while the broker is busy can stop before its first fetch: read until the committed
    // records show (bounded), then check exactly what is there.
    const settled = async (topic: string, n: number) => {
      for (let i = 0; ; i++) {
        const got = await readTopic(topic);
        if (got.length >= n || i >= 10) return got;
        await new Promise((r) => setTimeout(r, 1000));
      }
    };
    expect((await settled(`raw.${id}.unit_scada`, 1)).map((m) => m.key?.toString())).toEqual([c!.key]);
    const dead = await settled(`dlq.raw.${id}.unit_scada`, 2);
    expect(dead.map((d) => d.headers.reason!.replace(/;.*/, ''))).toEqual([
      `record too large to send: key of ${256 * 1024} bytes, over the ${MAX_KEY_BYTES}-byte limit (bytes: the first 262144 of {key, value} as JSON)`,
      expect.stringMatching(/^record too large to send: encoded value of \d+ bytes, over the 921600-byte limit/),
    ]);
    expect(dead.every((d) => d.key === null && d.headers['source-ref'] === 'f.CSV' && d.value!.length > 0)).toBe(true);
    expect(dead[0]!.headers.row).toBe(a!.headers!.row);
    expect(dead[0]!.value!.subarray(0, 12).toString()).toBe('{"key":"KKKK');
  }, 40_000);
});

describe('hostile listing', () => {
  it('skips a malformed link, publishes a twice-listed file once and never leaves the configured origin', async () => {
    const good = FILES.good;
    const zip = writeZip([{ name: csvOf(good), data: scadaText }]);
    const elsewhere: string[] = [];
    const other = createServer((req, res) => {
      elsewhere.push(req.url ?? '');
      res.writeHead(200).end(zip);
    });
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    const otherUrl = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
    const asked: string[] = [];
    const main = createServer((req, res) => {
      asked.push(req.url ?? '');
      if (req.url === DIR.scada) {
        res.writeHead(200, { 'content-type': 'text/html' }).end([
          '<pre><A HREF="/Reports/Current/">[To Parent Directory]</A><br>',
          `<A HREF="${DIR.scada}${good}">${good}</A><br>`,
          '<A HREF="http://[::1/broken.zip">broken</A><br>',
          `<A HREF="${good}">${good} again</A><br>`,
          `<A HREF="${otherUrl}${DIR.scada}PUBLIC_DISPATCHSCADA_202512270010_0000000495867790.zip">elsewhere</A><br></pre>`,
        ].join('\r\n'));
      } else if (req.url === DIR.scada + good) res.writeHead(200).end(zip);
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => main.listen(0, '127.0.0.1', r));
    try {
      const source = aemoSource({ name: 't_aemo_listing', baseUrl: `http://127.0.0.1:${(main.address() as AddressInfo).port}`, http: FAST_HTTP });
      const records: RawRecord<AemoRawValue>[] = [];
      for await (const b of source.source.read(undefined, { datasets: 'scada' }, { signal: new AbortController().signal })) records.push(...b.records);
      expect(records).toHaveLength(493);
      expect(new Set(records.map((r) => r.key)).size).toBe(493);
      expect(asked.filter((u) => u.endsWith('.zip'))).toEqual([DIR.scada + good]);
      expect(elsewhere).toEqual([]);
    } finally {
      main.closeAllConnections();
      other.closeAllConnections();
      await Promise.all([new Promise((r) => main.close(r)), new Promise((r) => other.close(r))]);
    }
  });
});
