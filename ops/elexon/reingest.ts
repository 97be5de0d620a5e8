// `reingest elexon --date D`, the old runbook in one step: re-fetch the date from the API, replay exactly that
// fetch with --replace (the date's rows become what the API reports now: revised rows updated, rows it no longer
// lists deleted, summaries and bitcoin recomputed), then reconcile.
//
// The replay covers the offsets the re-fetch appended rather than the date's whole history on the raw topic:
// a replay by date would also read earlier fetches, and a row the API has since dropped would come back.
import type { ProcessorComponent } from '../../runtime/components.js';
import { withTransaction } from '../../runtime/db.js';
import { kafka } from '../../runtime/kafka.js';
import { runSource } from '../../runtime/producer-runner.js';
import { replay, type ReplayResult } from '../../runtime/replay.js';
import type { Serde } from '../../runtime/serde.js';
import type { ReconcileReport, Expected, Tolerance } from './totals.js';
import { reconcileDate, requireTopics } from './reconcile.js';
import { ident } from '../../sinks/elexon/tables.js';
import { isSettlementDate } from '../../schemas/elexon/calendar.js';
import type { ElexonFlow } from '../../pipeline/elexon.js';

export interface ReingestResult {
  fetched: number;
  replay: ReplayResult;
  report: ReconcileReport;
}

async function topicEnds(topic: string): Promise<Map<number, bigint>> {
  const admin = kafka().admin();
  await admin.connect();
  try {
    return new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, BigInt(o.high)]));
  } finally {
    await admin.disconnect();
  }
}

/**
 * The processor restricted to one date: a live source publishing other dates into the same offset range must not
 * make the replay own (and --replace rewrite) those dates too.
 */
function onlyDate<R, C>(p: ProcessorComponent<R, C>, date: string): ProcessorComponent<R, C> {
  return { ...p, transform: (input) => ((input.value as { settlementDate?: unknown }).settlementDate === date ? p.transform(input) : []) };
}

export async function reingestDate(f: ElexonFlow, serde: Serde, date: string, o: { expected?: Expected; tolerance?: Tolerance; progress?: (done: number, total: number | undefined) => void } = {}): Promise<ReingestResult> {
  if (!isSettlementDate(date)) throw new RangeError(`not a settlement date (YYYY-MM-DD): ${date}`);
  // A producer would otherwise have the broker auto-create a missing topic with default (uncompacted) settings.
  await requireTopics([f.topics.stack.name, f.topics.bmunits.name, f.topics.curtailment.name]);
  const from = await topicEnds(f.topics.stack.name);
  const fetched = await runSource(f.reingestSource, { serde, once: true, options: { date } });
  const to = await topicEnds(f.topics.stack.name);
  const result = await replay({ flow: { processor: onlyDate(f.processor, date), sinks: [f.sink] }, serde, from, to, replace: true, ...(o.progress ? { progress: o.progress } : {}) });
  if (result.produced === 0) {
    // No curtailment on the date any more: a replay owns only the dates it produced, so clear this one here.
    await withTransaction(async (client) => {
      await client.query(`delete from ${ident(f.tables.records)} where settlement_date = $1::date`, [date]);
      await f.sink.scopeTouched(client, [date]);
    });
  }
  await f.sink.refreshViews([date]);
  const report = await reconcileDate({ date, topics: f.topics, tables: f.tables, serde, ...(o.expected ? { expected: o.expected } : {}), ...(o.tolerance ? { tolerance: o.tolerance } : {}) });
  return { fetched: fetched.records, replay: result, report };
}
