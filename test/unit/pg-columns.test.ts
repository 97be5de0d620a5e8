// Sink columns derived from a topic's schema (runtime/pg-columns.ts): the values a sink writes for a real clean record.
import { describe, expect, it } from 'vitest';
import { fieldColumns } from '../../runtime/pg-columns.js';
import type { CleanUnitScada } from '../../schemas/aemo/clean.js';
import { aemoCleanTopics } from '../../schemas/aemo/topics.js';
import type { CurtailmentValue } from '../../schemas/elexon/clean.js';
import { elexonTopics } from '../../schemas/elexon/topics.js';
import { elexonCurtailmentSink, recordKey } from '../../sinks/elexon/index.js';
import { aemoSinks } from '../../sinks/aemo/index.js';

const row = <V>(columns: { name: string; value: (v: V) => unknown }[], v: V) => Object.fromEntries(columns.map((c) => [c.name, c.value(v)]));

describe('fieldColumns', () => {
  const scada: CleanUnitScada = { settlementdate: Date.UTC(2025, 11, 26, 14, 5), settlementdate_nem: '2025-12-27T00:05:00', duid: 'BW01', scadavalue: -1.5, lastchanged: null };

  it('copies every field under its name, in schema order, instants as Dates and null kept null', () => {
    const columns = fieldColumns<CleanUnitScada>(aemoCleanTopics().scada);
    expect(columns.map((c) => c.name)).toEqual(['settlementdate', 'settlementdate_nem', 'duid', 'scadavalue', 'lastchanged']);
    expect(columns.every((c) => c.from === c.name)).toBe(true);
    expect(row(columns, scada)).toEqual({
      settlementdate: new Date('2025-12-26T14:05:00Z'),
      settlementdate_nem: '2025-12-27T00:05:00',
      duid: 'BW01',
      scadavalue: -1.5,
      lastchanged: null,
    });
    expect(row(columns, { ...scada, lastchanged: Date.UTC(2025, 11, 26, 14, 1) }).lastchanged).toEqual(new Date('2025-12-26T14:01:00Z'));
  });

  it('omits and renames fields, and refuses names the schema lacks', () => {
    const columns = fieldColumns<CleanUnitScada>(aemoCleanTopics().scada, { omit: ['settlementdate_nem'], rename: { scadavalue: 'mw' } });
    expect(columns.map((c) => [c.name, c.from])).toEqual([['settlementdate', 'settlementdate'], ['duid', 'duid'], ['mw', 'scadavalue'], ['lastchanged', 'lastchanged']]);
    expect(() => fieldColumns<Record<string, unknown>>(aemoCleanTopics().scada, { omit: ['nope'] })).toThrow(/has no field nope/);
  });

  it('gives the AEMO sinks their tables\' columns and the curtailment sink its old names', () => {
    const sinks = aemoSinks(aemoCleanTopics(), { views: false });
    expect(sinks.price.columns.map((c) => c.name).sort()).toEqual(
      ['apcflag', 'eep', 'intervention', 'lastchanged', 'marketsuspendedflag', 'regionid', 'rop', 'rrp', 'settlementdate', 'settlementdate_nem'],
    );
    const curtailment = elexonCurtailmentSink({ topics: elexonTopics(), views: false });
    const v: CurtailmentValue = {
      settlement_date: '2025-01-02', settlement_period: 3, period_start: Date.UTC(2025, 0, 2, 1), side: 'bid', bmu_id: 'T_X-1',
      national_grid_id: null, farm_name: 'X', lead_party_name: null, fuel: 'WIND', acceptance_id: 7, bid_offer_pair_id: -1,
      sequence_number: null, volume: -10, curtailed_mwh: 10, original_price: -50, final_price: null, payment_gbp: 500,
      so_flag: true, cadl_flag: false, created_datetime: null,
    };
    const stored = row(curtailment.columns, v);
    expect(stored.record_key).toBe(recordKey(v));
    expect(stored.payment).toBe(500);
    expect('payment_gbp' in stored).toBe(false);
    expect(stored.period_start).toEqual(new Date('2025-01-02T01:00:00Z'));
    expect(stored.settlement_date).toBe('2025-01-02');
  });
});
