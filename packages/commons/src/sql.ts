// SQL quoting, written once for every package that writes SQL text (the loader's dialects, the
// converter, the rehearsal): an identifier in double quotes and a literal in single quotes, the
// quote character doubled inside, as the SQL standard has it and DuckDB, PostgreSQL and Redshift
// follow. A NUL character is refused rather than quoted: "Quoted identifiers can contain any
// character, except the character with code zero"
// (https://www.postgresql.org/docs/current/sql-syntax-lexical.html), and a C-string based server
// would cut the statement short at it.
import { TerminalError } from '@lakeload/errors';

/** A name or text that SQL cannot carry: empty as an identifier, or holding a NUL character. */
export class SqlQuotingError extends TerminalError {
  override name = 'SqlQuotingError';
  static override readonly tip: string =
    'SQL cannot carry a NUL character (nor an empty name): rename the column, table or path without it, then try again.';
}

/** `name` as a quoted identifier: `order "id"` → `"order ""id"""`. */
export function quoteIdentifier(name: string): string {
  if (name.length === 0) throw new SqlQuotingError('an identifier cannot be empty');
  if (name.includes('\u0000'))
    throw new SqlQuotingError(`identifier ${JSON.stringify(name)} contains a NUL character`);
  return `"${name.replaceAll('"', '""')}"`;
}

/** `value` as a string literal: `it's` → `'it''s'`. */
export function quoteLiteral(value: string): string {
  if (value.includes('\u0000')) throw new SqlQuotingError('a SQL literal cannot contain a NUL character');
  return `'${value.replaceAll("'", "''")}'`;
}
