// The AEMO source's cursor: which live files are done (names of the last hours, a high-water mark below them) and
// how far a backfill got. JSON, bounded; stored in the same Kafka transaction as the records it covers. Pure.
import { AEMO_WANTS, WANT_DATASET } from './backfill.js';
import type { DoneDays } from './backfill.js';
import type { AemoWant } from '../../schemas/aemo/topics.js';
import { parseFileName } from './files.js';
import type { AemoDataset } from './files.js';
import { formatNem } from '../../schemas/aemo/nem-time.js';

/** Progress through the live Current dir of one dataset. */
export interface LiveCursor {
  /** NEM label of a file stamp: files stamped at or before it are done (their names were pruned from `done`). */
  through: string | null;
  /** Files after `through` that are published. */
  done: string[];
  /** Files after `through` that were dead-lettered (unreadable, or still truncated after the retries). */
  dead: string[];
  /** Truncated files seen so far: name -> polls. */
  retries: Record<string, number>;
}

export interface BackfillCursor {
  /** The request it belongs to (`from..to:datasets`); another request starts afresh. */
  range: string;
  /** Days finished per want. */
  done: DoneDays;
  /** Position inside the unit being read: inner files done (nested archives) or part and line (MMSDM). */
  at?: { unit: string; files?: number; part?: number; line?: number };
}

/** JSON, bounded: live names only from the last `keepHours`, backfill days as ranges. */
export interface AemoCursor {
  v: 1;
  /** By dataset (`scada`, `dispatchis`, `rooftop`); a run limited to some tables of a dataset keeps its own
   * (`dispatchis:price`), since marking a file done for it says nothing about the other tables. */
  live: Record<string, LiveCursor>;
  backfill?: BackfillCursor;
}

export const emptyLive = (): LiveCursor => ({ through: null, done: [], dead: [], retries: {} });

export const stampOf = (name: string): string => parseFileName(name)?.stamp.nem ?? '';

export const isHandled = (live: LiveCursor, name: string): boolean => live.done.includes(name) || live.dead.includes(name);

/** The live cursor entry for a dataset read for some wants. */
export function liveKey(dataset: AemoDataset, wants: readonly AemoWant[]): string {
  const all = AEMO_WANTS.filter((w) => WANT_DATASET[w] === dataset);
  const some = all.filter((w) => wants.includes(w));
  return some.length === all.length ? dataset : `${dataset}:${some.join(',')}`;
}

/** Records a file's outcome and forgets names older than `keepMs` before the newest, raising `through` over them. */
export function markLive(live: LiveCursor, name: string, outcome: 'done' | 'dead' | { retries: number }, keepMs: number): LiveCursor {
  const next: LiveCursor = {
    through: live.through,
    done: live.done.filter((n) => n !== name),
    dead: live.dead.filter((n) => n !== name),
    retries: { ...live.retries },
  };
  delete next.retries[name];
  if (outcome === 'done') next.done.push(name);
  else if (outcome === 'dead') next.dead.push(name);
  else next.retries[name] = outcome.retries;
  const all = [...next.done, ...next.dead, ...Object.keys(next.retries)];
  const newest = all.map((n) => parseFileName(n)?.stamp.utc ?? 0).reduce((a, b) => Math.max(a, b), 0);
  const cutoff = formatNem(newest - keepMs);
  const old = (n: string): boolean => stampOf(n) < cutoff;
  for (const n of all.filter(old)) if (next.through === null || stampOf(n) > next.through) next.through = stampOf(n);
  next.done = next.done.filter((n) => !old(n));
  next.dead = next.dead.filter((n) => !old(n));
  for (const n of Object.keys(next.retries)) if (old(n)) delete next.retries[n];
  return next;
}
