// The NESO tables' names (infra/migrations/040_neso.sql). The pipeline map uses the migration's names; tests pass a
// prefix and get copies of their own. Here, not in sinks/, because the crawler and the geocoding stage keep their
// bookkeeping in two of them.
export interface NesoTables {
  cmus: string;
  components: string;
  locations: string;
  geocodeCache: string;
  crawlHashes: string;
  crawlTodo: string;
}

export const NESO_TABLES: NesoTables = {
  cmus: 'neso_cmus',
  components: 'neso_components',
  locations: 'neso_locations',
  geocodeCache: 'neso_geocode_cache',
  crawlHashes: 'neso_crawl_hashes',
  crawlTodo: 'neso_crawl_todo',
};

export function nesoTables(prefix?: string): NesoTables {
  if (!prefix) return { ...NESO_TABLES };
  return Object.fromEntries(Object.entries(NESO_TABLES).map(([k, v]) => [k, `${prefix}_${v}`])) as unknown as NesoTables;
}
