// Expected outcomes computed independently of the pipeline, and table dumps to compare against them.
import { pool } from '../../runtime/db.js';
import { syntheticReading } from '../../devkit/synthetic/source.js';

export interface Reading {
  duid: string;
  settlementdate: string;
  scadavalue: number;
}

/** What the synthetic source's well-formed records say, sorted like tableDump. */
export function expectedReadings(count: number, units: number, malformed: number[], start = Date.parse('2024-07-31T14:05:00Z')): Reading[] {
  const out: Reading[] = [];
  for (let i = 0; i < count; i++) {
    if (malformed.includes(i)) continue;
    const r = syntheticReading(i, units, start);
    out.push({ duid: r.duid, settlementdate: new Date(start + Math.floor(i / units) * 300_000).toISOString(), scadavalue: Number(r.scadavalue) });
  }
  return out.sort((a, b) => (a.duid === b.duid ? a.settlementdate.localeCompare(b.settlementdate) : a.duid.localeCompare(b.duid)));
}

export async function tableDump(table: string): Promise<Reading[]> {
  if (!/^[a-z0-9_]+$/.test(table)) throw new Error('bad table name');
  const r = await pool().query<{ duid: string; settlementdate: Date; scadavalue: number }>(`select duid, settlementdate, scadavalue from ${table} order by duid, settlementdate`);
  return r.rows.map((x) => ({ duid: x.duid, settlementdate: x.settlementdate.toISOString(), scadavalue: x.scadavalue }));
}
