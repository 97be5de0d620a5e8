// The contracts between the pipeline's parts. Sources, processors and sinks are written against these types only;
// the runners in this folder do all Kafka, registry, Postgres and Redis I/O.

/** A record a source emits for a raw topic: the API's fields unchanged, typed by the topic's Avro schema. */
export interface RawRecord<V> {
  /** Natural key of the record (UTF-8); becomes the Kafka message key. */
  key: string;
  value: V;
  /** Event time (ms since epoch, UTC): the Kafka message timestamp, used by replay-by-date. */
  eventTime: number;
  /** Where the record came from: file name, URL or page. Goes to the `source-ref` header. */
  sourceRef: string;
  /** Extra headers (e.g. `row` position inside a file). */
  headers?: Record<string, string>;
}

/** One step of a source: records to publish, and the cursor that is true once they are published. */
export interface SourceBatch<V, C> {
  records: RawRecord<V>[];
  /** Resumable position after this batch; stored in the same Kafka transaction as the records. */
  cursor: C;
  /**
   * Input the source could not read at all (an unzippable file, a page that is not JSON): sent whole to the raw
   * topic's dead-letter topic with the reason, and the source goes on.
   */
  deadLetters?: DeadLetterInput[];
}

export interface DeadLetterInput {
  reason: string;
  sourceRef: string;
  bytes: Buffer;
  /** Where inside the source it was (e.g. `file`, `row` of one bad line of a CSV), as dead-letter headers. */
  headers?: Record<string, string>;
}

export interface SourceContext {
  signal: AbortSignal;
  /** Called with progress (done/total units) for long runs: backfills show a bar on a TTY, pino lines elsewhere. */
  progress?: (done: number, total: number | undefined) => void;
}

/**
 * A source, Singer/dlt style: an async generator of batches resuming from a cursor. `options` carries the CLI's
 * source flags (--from, --to, --date, ...). A generator that returns ends the run (`produce --once`).
 */
export interface Source<V, C, O = Record<string, unknown>> {
  name: string;
  read(cursor: C | undefined, options: O, ctx: SourceContext): AsyncGenerator<SourceBatch<V, C>>;
}

/** A message as processors and sinks see it: value already decoded from Avro. */
export interface InputMessage<V> {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: V;
  /** Kafka message timestamp (event time), ms. */
  timestamp: number;
  headers: Record<string, string>;
}

/** A clean record a processor emits. */
export interface OutputRecord<V> {
  key: string;
  value: V;
  /** Event time, ms; defaults to the input's timestamp. */
  eventTime?: number;
}

/** Why a record cannot be normalised; it goes to the dead-letter topic with this reason. */
export interface Rejection {
  reject: string;
}

export const reject = (reason: string): Rejection => ({ reject: reason });
export const isRejection = (x: unknown): x is Rejection =>
  typeof x === 'object' && x !== null && 'reject' in x && typeof (x as Rejection).reject === 'string';

/** A stateless normaliser: pure, no I/O. Throwing counts as a rejection with the error's message. */
export type Transform<R, C> = (input: InputMessage<R>) => OutputRecord<C>[] | Rejection;
