// The Toronto source: parking-ticket yearly ZIPs -> raw.<id>.parking_chunk, camera locations and charges ->
// raw.<id>.camera_location / camera_charges.
//
// A year is a bulk load: its ZIP is streamed to a temporary file (hashed on the way), its CSV members are streamed,
// decoded and parsed (member-chunks.ts), and rows travel in chunks of `rowsPerChunk`, a few chunks per Kafka
// transaction with the cursor. The cursor remembers each loaded resource's last_modified and SHA-1 (an unchanged year
// is skipped without a download when last_modified is the same, and without publishing when the hash is) and, while
// a load runs, the file and line it reached, so a killed load resumes where it stopped and cuts the same chunks.
// The last chunk of a load is held back until the load ends and goes out marked `final` with the cursor that closes
// the load: the sink settles the load's metrics on it.
import type { SourceComponent } from '../../runtime/components.js';
import { createHttpClient, type HttpClient, type HttpClientOptions } from '../../runtime/http.js';
import { log } from '../../runtime/log.js';
import { readSetting } from '../../runtime/settings.js';
import type { DeadLetterInput, RawRecord, SourceBatch, SourceContext } from '../../runtime/types.js';
import type { CameraCharges, CameraDataset, CameraLocation, ParkingRowChunk } from '../../schemas/toronto/records.gen.js';
import type { TorontoTopics } from '../../schemas/toronto/topics.js';
import { parseCameraCharges, parseCameraLocations } from './cameras.js';
import { PACKAGES, TORONTO_CKAN_URL, packageResources, parseYears, resourceYear, type CkanResource } from './ckan.js';
import { downloadToFile } from './download.js';
import { memberChunks } from './member-chunks.js';
import { zipMembers, type ZipLimits } from './zip-members.js';
import { createHash } from 'node:crypto';

export type TorontoRawValue = ParkingRowChunk | CameraLocation | CameraCharges;

export interface LoadSeen {
  year?: number;
  lastModified: string | null;
  sha1: string;
}

export interface TorontoCursor {
  loads: Record<string, LoadSeen>;
  /** The load in progress: members before `file` and lines of `file` up to `line` are published. */
  current?: { resource: string; sha1: string; file: string; line: number };
}

export interface TorontoSourceOptions {
  /** `2008-2024`, `2015,2017` (the CLI's --years), or a list. All published years when absent. */
  years?: string | number[];
  /** Reload even when unchanged. */
  force?: boolean;
  /** Skip the camera datasets (parking only). */
  parkingOnly?: boolean;
}

export interface TorontoSourceConfig {
  name: string;
  topics: TorontoTopics;
  baseUrl?: string;
  rowsPerChunk?: number;
  chunksPerBatch?: number;
  http?: Partial<HttpClientOptions>;
  zipLimits?: ZipLimits;
  /** Stop after this many batches (tests: a load killed mid-way). */
  stopAfterBatches?: number;
}

const sha1 = (b: Buffer) => createHash('sha1').update(b).digest('hex');

export function torontoSourceComponent(cfg: TorontoSourceConfig): SourceComponent<TorontoRawValue, TorontoCursor, TorontoSourceOptions> {
  const { topics } = cfg;
  const topicOf = (v: TorontoRawValue): string => ('rows' in v ? topics.parkingRaw.name : 'counts' in v ? topics.cameraChargesRaw.name : topics.cameraLocationRaw.name);
  let client: HttpClient | undefined;
  const http = () =>
    (client ??= createHttpClient({ source: 'toronto', requestsPerSecond: 5, concurrency: 2, userAgent: 'gridstream toronto (+https://github.com/gridstream)', ...cfg.http }));
  const base = () => cfg.baseUrl ?? readSetting('TORONTO_CKAN_URL') ?? TORONTO_CKAN_URL;
  const rowsPerChunk = cfg.rowsPerChunk ?? 2000;
  const chunksPerBatch = cfg.chunksPerBatch ?? 10;

  async function* cameras(cursor: TorontoCursor, ctx: SourceContext): AsyncGenerator<SourceBatch<TorontoRawValue, TorontoCursor>> {
    const sets: { pkg: string; dataset: CameraDataset; kind: 'locations' | 'charges' }[] = [
      { pkg: PACKAGES.redLightLocations, dataset: 'red_light', kind: 'locations' },
      { pkg: PACKAGES.redLightCharges, dataset: 'red_light', kind: 'charges' },
      { pkg: PACKAGES.aseLocations, dataset: 'ase', kind: 'locations' },
      { pkg: PACKAGES.aseCharges, dataset: 'ase', kind: 'charges' },
    ];
    for (const s of sets) {
      const resources = await packageResources(http(), base(), s.pkg, ctx.signal);
      const pick = (fmts: string[]) => fmts.map((f) => resources.find((r) => r.format === f)).find(Boolean);
      const r = s.kind === 'charges' ? pick(['XLSX', 'XLS']) : pick(['GEOJSON', 'JSON', 'CSV']);
      if (!r) {
        log.warn({ pkg: s.pkg }, 'no usable resource in the package');
        continue;
      }
      const prev = cursor.loads[r.id];
      if (prev && r.last_modified && prev.lastModified === r.last_modified) continue;
      const body = (await http().get(r.url, { signal: ctx.signal })).body;
      const hash = sha1(body);
      const next: TorontoCursor = { ...cursor, loads: { ...cursor.loads, [r.id]: { lastModified: r.last_modified, sha1: hash } } };
      if (prev?.sha1 === hash) {
        cursor = next;
        yield { records: [], cursor };
        continue;
      }
      const records: RawRecord<TorontoRawValue>[] = [];
      const deadLetters: DeadLetterInput[] = [];
      try {
        const parsed = s.kind === 'charges' ? await parseCameraCharges(s.dataset, body) : parseCameraLocations(s.dataset, body);
        for (const v of parsed.values) records.push({ key: `${v.dataset}|${v.code}`, value: v, eventTime: Date.now(), sourceRef: r.url });
        for (const b of parsed.bad) deadLetters.push({ reason: b.reason, sourceRef: r.url, bytes: Buffer.from(b.raw), headers: { row: String(b.index) } });
      } catch (err) {
        deadLetters.push({ reason: `unreadable ${s.kind} file: ${(err as Error).message}`, sourceRef: r.url, bytes: body.subarray(0, 256 * 1024) });
      }
      cursor = next;
      yield { records, cursor, deadLetters };
    }
  }

  async function* parkingYear(r: CkanResource, year: number, cursor: TorontoCursor, o: TorontoSourceOptions, ctx: SourceContext, rowsSoFar: { n: number }): AsyncGenerator<SourceBatch<TorontoRawValue, TorontoCursor>> {
    const prev = cursor.loads[r.id];
    if (!o.force && prev && r.last_modified && prev.lastModified === r.last_modified) {
      log.info({ year, resource: r.id }, 'parking year unchanged (last_modified): skipped');
      return;
    }
    const dl = await downloadToFile(r.url, { signal: ctx.signal, ...(cfg.http?.minDelayMs !== undefined ? { minDelayMs: cfg.http.minDelayMs } : {}), ...(cfg.http?.maxDelayMs !== undefined ? { maxDelayMs: cfg.http.maxDelayMs } : {}) });
    try {
      const done: LoadSeen = { year, lastModified: r.last_modified ?? dl.lastModified, sha1: dl.sha1 };
      if (!o.force && prev?.sha1 === dl.sha1 && cursor.current?.resource !== r.id) {
        log.info({ year, resource: r.id }, 'parking year unchanged (content hash): skipped');
        yield { records: [], cursor: { ...cursor, loads: { ...cursor.loads, [r.id]: done } } };
        return;
      }
      const resume = cursor.current?.resource === r.id && cursor.current.sha1 === dl.sha1 ? cursor.current : undefined;
      const started = Date.now();
      let rows = 0;
      let pending: RawRecord<ParkingRowChunk> | undefined;
      let records: RawRecord<TorontoRawValue>[] = [];
      let dead: DeadLetterInput[] = [];
      let published = resume ? { file: resume.file, line: resume.line } : undefined;
      const position = (): TorontoCursor['current'] => {
        // Everything before the held-back chunk is published: resume there (its own rows are not yet).
        const at = pending ? { file: pending.value.file, line: pending.value.first_line - 1 } : published;
        return at ? { resource: r.id, sha1: dl.sha1, ...at } : undefined;
      };
      const flush = (): SourceBatch<TorontoRawValue, TorontoCursor> => {
        const current = position();
        const { current: _old, ...rest } = cursor;
        cursor = current ? { ...rest, current } : rest;
        const b = { records, cursor, deadLetters: dead };
        records = [];
        dead = [];
        return b;
      };
      for await (const member of zipMembers(dl.path, cfg.zipLimits)) {
        if (resume && member.name < resume.file) continue;
        const skip = resume && member.name === resume.file ? resume.line : 0;
        const ref = `${r.url}#${member.name}`;
        let stream;
        try {
          stream = await member.open();
        } catch (err) {
          dead.push({ reason: (err as Error).message, sourceRef: ref, bytes: Buffer.alloc(0), headers: { file: member.name } });
          continue;
        }
        try {
          for await (const item of memberChunks(stream, { rowsPerChunk, skipThroughLine: skip })) {
            if (item.kind === 'dead') {
              dead.push({ reason: item.reason, sourceRef: ref, bytes: Buffer.from(item.raw), headers: { file: member.name, line: String(item.line), year: String(year) } });
              continue;
            }
            const value: ParkingRowChunk = {
              resource_id: r.id,
              year,
              content_hash: dl.sha1,
              file: member.name,
              encoding: item.encoding,
              header: item.header,
              first_line: item.firstLine,
              last_line: item.lastLine,
              lines: item.lines,
              rows: item.rows,
              final: false,
            };
            if (pending) {
              records.push(pending);
              published = { file: pending.value.file, line: pending.value.last_line };
            }
            pending = { key: `${r.id}|${member.name}|${item.firstLine}`, value, eventTime: Date.UTC(year, 0, 1, 5), sourceRef: ref, headers: { file: member.name, lines: `${item.firstLine}-${item.lastLine}` } };
            rows += item.rows.length;
            rowsSoFar.n += item.rows.length;
            if (records.length >= chunksPerBatch) {
              ctx.progress?.(rowsSoFar.n, undefined);
              yield flush();
            }
          }
        } catch (err) {
          // A member that breaks mid-way (bad deflate data, a CSV the parser gives up on, a zip bomb): the rest of it
          // is dead-lettered as one item; the rows before it stand.
          dead.push({ reason: `${member.name}: ${(err as Error).message}`, sourceRef: ref, bytes: Buffer.alloc(0), headers: { file: member.name } });
        }
        published = pending ? published : { file: member.name, line: Number.MAX_SAFE_INTEGER };
      }
      if (pending) {
        pending.value.final = true;
        records.push(pending);
        pending = undefined;
      }
      const { current: _c, ...rest } = cursor;
      cursor = { ...rest, loads: { ...rest.loads, [r.id]: done } };
      const secs = (Date.now() - started) / 1000;
      log.info({ year, resource: r.id, rows, secs: Math.round(secs), rowsPerSecond: Math.round(rows / Math.max(secs, 0.001)) }, 'parking year published');
      ctx.progress?.(rowsSoFar.n, undefined);
      yield { records, cursor, deadLetters: dead };
    } finally {
      await dl.remove();
    }
  }

  return {
    kind: 'source',
    name: cfg.name,
    topics: [topics.parkingRaw, topics.cameraLocationRaw, topics.cameraChargesRaw],
    topicOf,
    pollEveryMs: 24 * 3600 * 1000,
    source: {
      name: cfg.name,
      async *read(start, options, ctx) {
        let cursor: TorontoCursor = start ?? { loads: {} };
        let batches = 0;
        const counted = async function* (g: AsyncGenerator<SourceBatch<TorontoRawValue, TorontoCursor>>) {
          for await (const b of g) {
            cursor = b.cursor;
            yield b;
            if (cfg.stopAfterBatches !== undefined && ++batches >= cfg.stopAfterBatches) return true;
            if (ctx.signal.aborted) return true;
          }
          return false;
        };
        const years = parseYears(options.years);
        const resources = await packageResources(http(), base(), PACKAGES.parking, ctx.signal);
        const byYear = new Map<number, CkanResource>();
        for (const r of resources) {
          const y = resourceYear(r);
          if (y !== undefined && (!years || years.includes(y))) byYear.set(y, r);
        }
        for (const y of years ?? []) if (!byYear.has(y)) log.warn({ year: y }, 'no parking-tickets resource for the year');
        const rowsSoFar = { n: 0 };
        for (const [year, r] of [...byYear].sort((a, b) => a[0] - b[0])) {
          if (yield* counted(parkingYear(r, year, cursor, options, ctx, rowsSoFar))) return;
        }
        if (!options.parkingOnly) yield* counted(cameras(cursor, ctx));
      },
    },
  };
}
