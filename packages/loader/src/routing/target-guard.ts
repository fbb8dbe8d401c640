// Which table names the lake may never write to: the loader's own tables and every system schema or
// catalog name of the dialects it loads into. A folder name is chosen by whoever can put files into
// the bucket, so a name is compared after the folds a warehouse or a reader's eye applies: NFKC
// (full-width and compatibility forms), invisible format characters removed, case folded.

/** Names (or prefixes, ending in `_`) no target may have, per dialect; every dialect's list applies. */
const SYSTEM_NAMES: Readonly<Record<string, readonly string[]>> = {
  // The loader's own ledger, dead letters and staging tables (`__lakeload_*` in Redshift batches).
  lakeload: ['lakeload_', '__lakeload_'],
  // Every relation of pg_catalog starts with pg_, and pg_catalog is searched before any other
  // schema (https://www.postgresql.org/docs/current/ddl-schemas.html#DDL-SCHEMAS-CATALOG).
  postgres: ['pg_', 'information_schema'],
  // STL/STV/SVV/SVL/SVCS/SYS system tables and views, PG_ catalog tables
  // (https://docs.aws.amazon.com/redshift/latest/dg/cm_chap_system-tables.html).
  redshift: ['stl_', 'stv_', 'svv_', 'svl_', 'svcs_', 'sys_', 'pg_', 'information_schema', 'padb_'],
  // duckdb_* catalog views, sqlite_master/sqlite_schema, pragma_* and the standard views
  // (https://duckdb.org/docs/sql/meta/information_schema).
  duckdb: ['duckdb_', 'sqlite_', 'pragma_', 'information_schema', 'pg_catalog'],
};

/** A name as a warehouse or a reader would take it: NFKC, no format characters, lower case. */
export function foldName(name: string): string {
  return name
    .normalize('NFKC')
    .replace(/\p{Cf}/gu, '')
    .toLowerCase()
    .normalize('NFKC');
}

/**
 * Why `table` may not be a target, or undefined when it may. Prefixes (`pg_`) match the start of
 * the folded name; whole names (`information_schema`) match it exactly.
 */
export function refusedTarget(table: string): string | undefined {
  const folded = foldName(table);
  if (folded.trim() === '') return 'an empty or invisible name';
  // A key may hold one (`%00` in the event); no SQL name can.
  if (table.includes('\u0000')) return 'a NUL character, which no table name can hold';
  for (const [owner, names] of Object.entries(SYSTEM_NAMES)) {
    const hit = names.find((name) => (name.endsWith('_') ? folded.startsWith(name) : folded === name));
    if (hit === undefined) continue;
    const what = owner === 'lakeload' ? "the loader's own tables" : `${owner}'s system catalogs`;
    return `"${hit}${hit.endsWith('_') ? '…' : ''}" is reserved for ${what}`;
  }
  return undefined;
}
