// Creates a prefixed copy of the NESO tables (tests, benches): same columns, generated search vectors, keys and indexes.
import type pg from 'pg';
import { ident } from '../../runtime/sql.js';
import { NESO_TABLES, type NesoTables } from '../../schemas/neso/tables.js';

export async function createNesoTables(db: pg.Pool | pg.PoolClient, tables: NesoTables): Promise<void> {
  for (const [k, name] of Object.entries(tables) as [keyof NesoTables, string][]) {
    if (name === NESO_TABLES[k]) continue;
    await db.query(`create table if not exists ${ident(name)} (like ${ident(NESO_TABLES[k])} including all)`);
  }
}
