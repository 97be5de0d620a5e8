// SQL names. Values always reach Postgres as parameters ($1) or COPY data, never in the SQL text; names cannot be
// parameters, so every table, column and schema name written into SQL comes from code (component specs, constants,
// a validated prefix) and passes through here: a plain lower-case name or an error, written double-quoted so that a
// name that is also a keyword (user, order, year) still means the name. One helper instead of a copy per module.

const PLAIN = /^[a-z_][a-z0-9_]{0,62}$/;

/** The name itself, checked: for names kept or combined (a prefix, a stage table's name) before they are quoted. */
export function identName(name: string): string {
  if (typeof name !== 'string' || !PLAIN.test(name)) throw new Error(`unsafe SQL identifier: ${JSON.stringify(name)}`);
  return name;
}

/** A name for SQL text: checked, then double-quoted. */
export function ident(name: string): string {
  return `"${identName(name)}"`;
}

/** Names for a column list: `"a", "b"`. */
export const identList = (names: readonly string[]): string => names.map(ident).join(', ');
