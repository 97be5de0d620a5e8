// The typed component specs the pipeline map is made of (Benthos-style: every input, processor and output is a
// small component with a typed config). Runners in this folder turn them into consumers and producers.
import type pg from 'pg';
import type { TopicSpec } from '../schemas/topics.js';
import type { AvroRead } from './serde.js';
import type { InputMessage, OutputRecord, Rejection, Source, Transform } from './types.js';

export interface SourceComponent<V = unknown, C = unknown, O = Record<string, unknown>> {
  kind: 'source';
  name: string;
  /** Raw topics this source writes; a batch's records name theirs with `topicOf` when there is more than one. */
  topics: TopicSpec[];
  topicOf?: (value: V) => string;
  source: Source<V, C, O>;
  /** Continuous mode polls this often (ms); `produce --once` ignores it. */
  pollEveryMs: number;
  /** The market's calendar date (YYYY-MM-DD) of an event time, for replay by date; UTC date when absent. */
  eventDate?: (eventTimeMs: number) => string;
}

/** A stateless processor: one raw topic in, one clean topic out, a pure transform in between. */
export interface ProcessorComponent<R = unknown, C = unknown> {
  kind: 'processor';
  name: string;
  input: TopicSpec;
  output: TopicSpec;
  transform: Transform<R, C>;
  /** Topics the transform joins against (read whole by `prepare`, e.g. compacted reference data): shown in the map. */
  joins?: TopicSpec[];
  /** Loads what the transform looks up (e.g. reference data) before the first record; called once per run. */
  prepare?: () => Promise<void>;
  /**
   * Bytes fetched per partition at a time, so per batch and transaction (default GRIDSTREAM_FETCH_MAX_BYTES, 1 MiB): a
   * processor whose records are large (Toronto's raw chunks) keeps several in one transaction.
   */
  fetchBytes?: number;
}

/**
 * A processor that needs neighbouring records (interpolation). `step` is pure: it takes the state, one input and
 * returns outputs plus the new state. The runner commits the oldest input offset the state still needs
 * (`oldestNeeded`), so a restart rebuilds the state by re-reading from there; inputs below what was already emitted
 * only rebuild state and emit nothing again (runtime/stateful-processor-runner.ts).
 */
export interface StatefulProcessorComponent<R = unknown, C = unknown, S = unknown> {
  kind: 'stateful-processor';
  name: string;
  input: TopicSpec;
  output: TopicSpec;
  initial: () => S;
  step: (state: S, input: InputMessage<R>) => { state: S; out: OutputRecord<C>[] | Rejection };
  /** The oldest input offset (as a string) the state still depends on; undefined when it needs none. */
  oldestNeeded?: (state: S) => string | undefined;
}

/** One column a Postgres sink fills; its SQL type is the table's (infra/migrations), checked against the schema in a test. */
export interface PgColumn<V> {
  name: string;
  value: (v: V) => unknown;
  /** The value field this column copies (set by fieldColumns in runtime/pg-columns.ts), for that check. */
  from?: string;
}

export interface PgSinkComponent<V = unknown> {
  kind: 'pg-sink';
  name: string;
  topic: TopicSpec;
  table: string;
  columns: PgColumn<V>[];
  /** Natural key columns (the table's primary key). */
  key: string[];
  /**
   * Bytes fetched per partition at a time, so per batch and transaction (default GRIDSTREAM_FETCH_MAX_BYTES, 1 MiB): a
   * sink whose records are large (Toronto's chunks of 2,000 tickets) spreads its per-batch work over more rows.
   */
  fetchBytes?: number;
  /**
   * How a record's Avro body becomes V, given its writer's schema (default: the whole value, as avsc decodes it). A
   * throw means the bytes are bad: the record is dead-lettered.
   */
  decode?: AvroRead<V>;
  /**
   * A column that orders restatements of one key (e.g. AEMO's LASTCHANGED): a stored row is only replaced by one
   * whose version is the same or later (a null version never wins over a stored one), and within a batch the
   * latest version wins rather than the last offset.
   */
  versionColumn?: string;
  /**
   * Replay with --replace: the column whose values a replay owns (e.g. settlement_date). Rows with a replayed value
   * that the replay did not produce are deleted in the replay's transaction.
   */
  replaceScope?: string;
  /** The clean topic's message key of a table row, so a row --replace deletes becomes a tombstone there. */
  rowKey?: (row: Record<string, unknown>) => string;
  /** After a replay with --replace deleted rows, recompute what depends on those scope values (e.g. daily summaries). */
  scopeTouched?: (client: pg.PoolClient, scopeValues: string[]) => Promise<void>;
  /**
   * Which values are rows of `table`; the others (e.g. a sync's end marker) skip the upsert and only reach `touched`
   * and `afterCommit`. Default: every value is a row.
   */
  isRow?: (v: V) => boolean;
  /** Runs in the batch's transaction after the upsert, with the batch's deduplicated values (e.g. recompute summaries). */
  touched?: (client: pg.PoolClient, values: V[]) => Promise<void>;
  /**
   * Runs after the batch's transaction committed (e.g. rebuild a whole Redis view from the tables). A failure (Redis
   * down, memory guard) never stops the sink: the rows are committed; the runner logs it and forces the next heal.
   */
  afterCommit?: (values: V[]) => Promise<void>;
  /**
   * Puts back what afterCommit keeps outside Postgres when it was lost while no batch came: Redis flushed or restarted
   * after the last commit. Called every few seconds while the sink runs and once at the end of a drain; cheap when
   * nothing is missing (one EXISTS per view). `force` asks for a rebuild even of what looks present: set on the first
   * call in a process (a rebuild that failed in a process since killed leaves an older version behind) and after an
   * afterCommit failed. `drained` is set at the end of a drain: everything the topic held has been consumed.
   */
  heal?: (o: { force: boolean; drained?: boolean }) => Promise<void>;
}

export type ViewPriority = 'high' | 'normal' | 'low';

/** One write of a keyed view: `field` of hash `hash`, kept only if `version` is newer than what is stored. */
export interface KeyedViewEntry {
  hash: string;
  field: string;
  version: number;
  value: string;
}

export interface KeyedViewComponent<V = unknown> {
  kind: 'keyed-view';
  name: string;
  topic: TopicSpec;
  priority: ViewPriority;
  entries: (v: V) => KeyedViewEntry[];
}

// The map holds components of many value types side by side; their type parameters are erased there (each
// component is type-checked where it is defined).
/* eslint-disable @typescript-eslint/no-explicit-any */
export type AnySource = SourceComponent<any, any, any>;
export type AnyProcessor = ProcessorComponent<any, any> | StatefulProcessorComponent<any, any, any>;
export type AnySink = PgSinkComponent<any> | KeyedViewComponent<any>;
/* eslint-enable @typescript-eslint/no-explicit-any */

/** One line of the pipeline map: a source's raw topic, its processor and clean topic, and what the clean topic feeds. */
export interface Flow {
  source?: AnySource;
  processor?: AnyProcessor;
  sinks: AnySink[];
}
