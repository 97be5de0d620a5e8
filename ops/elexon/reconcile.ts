// Gathers what `reconcile elexon` compares for one settlement date: the figures in Postgres, and the figures
// recomputed from the raw stack topic over the date's offset range with the BMU reference the processor uses.
import type pg from 'pg';
import { pool } from '../../runtime/db.js';
import { kafka } from '../../runtime/kafka.js';
import { offsetsForDates, readRange } from '../../runtime/replay.js';
import type { Serde } from '../../runtime/serde.js';
import type { RawStackValue } from '../../schemas/elexon/raw.js';
import { parseSettlementDate } from '../../schemas/elexon/calendar.js';
import { FETCH_HEADER } from '../../schemas/elexon/topics.js';
import type { ElexonTopics } from '../../schemas/elexon/topics.js';
import { loadBmuReference } from '../../processors/elexon/reference.js';
import { latestFetchRows, rawTotals, reconcile, type Expected, type RawStackMessage, type ReconcileReport, type Tolerance, type Totals } from './totals.js';
import { ident, type ElexonTables } from '../../sinks/elexon/tables.js';

export const DEFAULT_TOLERANCE: Tolerance = { mwh: 0.001, gbp: 0.01 };

export async function postgresTotals(db: pg.Pool, t: ElexonTables, date: string): Promise<Totals> {
  const r = await db.query<{ records: number; mwh: string | null; gbp: string | null; periods: number[] | null }>(
    `select count(*)::int as records, sum(curtailed_mwh)::text as mwh, sum(payment)::text as gbp,
            array_agg(distinct settlement_period order by settlement_period) as periods
       from ${ident(t.records)} where settlement_date = $1::date`,
    [date],
  );
  const row = r.rows[0]!;
  return { records: row.records, energyMwh: Number(row.mwh ?? 0), paymentGbp: Number(row.gbp ?? 0), periods: row.periods ?? [] };
}

/** Every raw stack record of the date (all fetches), read over the date's offset range. */
export async function rawStackMessages(topic: string, serde: Serde, date: string): Promise<RawStackMessage[]> {
  const day = parseSettlementDate(date);
  if (day === undefined) throw new RangeError(`not a settlement date: ${date}`);
  // offsetsForDates widens by a day, which covers the London day's first hour (23:00 UTC the day before in summer).
  const { from, to } = await offsetsForDates(topic, day);
  const out: RawStackMessage[] = [];
  let seq = 0;
  await readRange(topic, from, to, async (m) => {
    if (!m.value) return;
    const value = (serde.decodeKnown(m.value) ?? (await serde.decode(m.value))) as RawStackValue;
    if (value.settlementDate !== date) return;
    out.push({ key: m.key, value, fetchedAt: Number(m.headers[FETCH_HEADER] ?? 0), seq: seq++ });
  });
  return out;
}

/** Fails fast with a plain message where kafkajs would retry a missing topic for half a minute. */
export async function requireTopics(names: string[]): Promise<void> {
  const admin = kafka().admin();
  await admin.connect();
  try {
    const have = new Set(await admin.listTopics());
    const missing = names.filter((n) => !have.has(n));
    if (missing.length) throw new Error(`topic(s) ${missing.join(', ')} do not exist: run \`gridstream topics apply\` and the elexon source first`);
  } finally {
    await admin.disconnect();
  }
}

export async function reconcileDate(o: { date: string; topics: ElexonTopics; tables: ElexonTables; serde: Serde; expected?: Expected; tolerance?: Tolerance }): Promise<ReconcileReport> {
  await requireTopics([o.topics.stack.name, o.topics.bmunits.name]);
  const ref = await loadBmuReference(o.topics.bmunits.name, o.serde);
  const [pgTotals, messages] = await Promise.all([postgresTotals(pool(), o.tables, o.date), rawStackMessages(o.topics.stack.name, o.serde, o.date)]);
  const raw = rawTotals(latestFetchRows(messages, o.date), ref.lookup);
  return reconcile(o.date, pgTotals, raw, o.expected ?? {}, o.tolerance ?? DEFAULT_TOLERANCE);
}
