// raw SCADA-shaped strings -> typed readings: NEM time to UTC, the number exactly as written, natural key.
import { cleanTopic, type TopicSpec } from '../../schemas/topics.js';
import type { ProcessorComponent } from '../../runtime/components.js';
import { reject, type Transform } from '../../runtime/types.js';
import { remembered } from '../../schemas/remembered.js';
import type { CleanScada, RawScada } from '../../schemas/synthetic/records.gen.js';

// The clean reading's type is generated from schemas/synthetic/clean-scada.avsc.
export type { CleanScada };

const NEM_LABEL = /^(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;
const NUMBER = /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** NEM time (UTC+10 all year, no daylight saving) label -> UTC ms, or undefined when it is not a real instant. */
export function nemToUtc(label: string): number | undefined {
  const m = NEM_LABEL.exec(label);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s) - 10 * 3600 * 1000;
  // Date.UTC rolls month 13 into next year; a label that does not round-trip is not a real time.
  const back = new Date(ms + 10 * 3600 * 1000);
  if (back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return undefined;
  return ms;
}

/** What a reading's label gives, once per distinct label (every unit of an interval carries the same one). */
const intervalOf = remembered((label: string) => {
  const at = nemToUtc(label);
  return at === undefined ? undefined : Object.freeze({ at, iso: new Date(at).toISOString(), nem: label.replace(/\//g, '-').replace(' ', 'T') });
}, 4_096);

export const normaliseScada: Transform<RawScada, CleanScada> = ({ value }) => {
  if (!value.duid) return reject('duid is empty');
  const interval = intervalOf(value.settlementdate);
  if (interval === undefined) return reject(`settlementdate "${value.settlementdate}" is not a NEM time YYYY/MM/DD HH:MM:SS`);
  const { at, iso, nem } = interval;
  let scadavalue: number | null = null;
  if (value.scadavalue.trim() !== '') {
    if (!NUMBER.test(value.scadavalue.trim())) return reject(`scadavalue "${value.scadavalue}" is not a number`);
    scadavalue = Number(value.scadavalue);
  }
  return [{ key: `${value.duid}|${iso}`, value: { duid: value.duid, settlementdate: at, settlementdate_nem: nem, scadavalue }, eventTime: at }];
};

export const syntheticCleanTopic = (name = 'synthetic') =>
  cleanTopic(`clean.${name}.scada`, { key: 'duid|settlementdate (ISO UTC)', schema: './synthetic/clean-scada.avsc', description: 'SCADA-shaped readings, typed, UTC' });

export function syntheticProcessor(input: TopicSpec, output: TopicSpec, name = 'synthetic'): ProcessorComponent<RawScada, CleanScada> {
  return { kind: 'processor', name, input, output, transform: normaliseScada };
}
