// The reconcile stage's reads of the ledger, as pure SQL: the objects under one URI prefix that
// loaded, and their failures. Every name and value goes through the compiler's one quoting function;
// the text is the same on DuckDB, PostgreSQL and Redshift (substring(s, start, length) exists on all
// three, where LIKE would need each dialect's escaping of % and _ in the prefix).
import { LoaderError } from '../errors.js';
import { LEDGER_TABLE } from '../ledger/ledger-sql.js';
import type { SqlQuoting } from '../warehouse/sql-compiler.js';

function underPrefix(q: SqlQuoting, uriPrefix: string): string {
  if (uriPrefix.length === 0) throw new LoaderError('a reconcile prefix cannot be empty');
  // Code points, as the databases count characters.
  return `substring(object_uri, 1, ${[...uriPrefix].length}) = ${q.quoteLiteral(uriPrefix)}`;
}

/** Each object URI under `uriPrefix` with each identity (ETag or version id) it was loaded as. */
export function loadedUnderSql(q: SqlQuoting, uriPrefix: string): string {
  return `SELECT DISTINCT object_uri, object_identity FROM ${q.quoteTable(LEDGER_TABLE)} WHERE status = 'loaded' AND ${underPrefix(q, uriPrefix)}`;
}

/** The failed loads under `uriPrefix`, oldest first (so that the last one read is the latest). */
export function failuresUnderSql(q: SqlQuoting, uriPrefix: string): string {
  return `SELECT object_uri, object_identity, error FROM ${q.quoteTable(LEDGER_TABLE)} WHERE status = 'failed' AND ${underPrefix(q, uriPrefix)} ORDER BY recorded_at, object_uri`;
}
