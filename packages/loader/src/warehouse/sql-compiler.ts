// SQL text shared by the dialects: quoting in one place, and the statements of a load written once
// in the SQL that DuckDB, PostgreSQL and Redshift all accept. Each dialect's compiler extends this
// class and overrides only what differs (types, locking, bulk loading).
import { LoaderError } from '../errors.js';
import type { Column, ColumnType } from '../schema/parquet.js';

/** A column type the target cannot hold; permanent, the message names the column and the fix. */
export class UnsupportedTypeError extends LoaderError {
  override name = 'UnsupportedTypeError';
}

/** The ledger table, one row per object load attempt, kept in the warehouse itself. */
export const LEDGER_TABLE = 'lakeload_load_history';
/** Objects that failed for good, with the error and a tip, until a replay loads them. */
export const DEAD_LETTER_TABLE = 'lakeload_dead_letters';

export interface DeadLetter {
  objectUri: string;
  identity: string;
  table: string | undefined;
  error: string;
  tip: string;
}

export interface LedgerEntry {
  objectUri: string;
  /** ETag, or the version id where the bucket is versioned: what makes re-uploads new objects. */
  identity: string;
  table: string;
  status: 'loaded' | 'failed';
  inserted: number;
  updated: number;
  unchanged: number;
  durationMs: number;
  error?: string;
}

export abstract class SqlCompiler {
  quoteIdentifier(name: string): string {
    if (name.length === 0) throw new LoaderError('an identifier cannot be empty');
    if (name.includes('\u0000'))
      throw new LoaderError(`identifier ${JSON.stringify(name)} contains a NUL character`);
    return `"${name.replaceAll('"', '""')}"`;
  }

  quoteLiteral(value: string): string {
    if (value.includes('\u0000')) throw new LoaderError('a SQL literal cannot contain a NUL character');
    return `'${value.replaceAll("'", "''")}'`;
  }

  /** The target's type for a file column; throws UnsupportedTypeError for what it cannot hold. */
  abstract columnType(type: ColumnType, column: string): string;

  protected columnList(names: readonly string[], prefix = ''): string {
    return names.map((name) => `${prefix}${this.quoteIdentifier(name)}`).join(', ');
  }

  createTable(table: string, columns: readonly Column[]): string {
    const definitions = columns.map(
      (column) => `${this.quoteIdentifier(column.name)} ${this.columnType(column.type, column.name)}`,
    );
    return `CREATE TABLE IF NOT EXISTS ${this.quoteIdentifier(table)} (${definitions.join(', ')})`;
  }

  addColumn(table: string, column: Column): string {
    return `ALTER TABLE ${this.quoteIdentifier(table)} ADD COLUMN ${this.quoteIdentifier(column.name)} ${this.columnType(column.type, column.name)}`;
  }

  widenColumn(table: string, column: string, type: ColumnType): string {
    return `ALTER TABLE ${this.quoteIdentifier(table)} ALTER COLUMN ${this.quoteIdentifier(column)} TYPE ${this.columnType(type, column)}`;
  }

  createLedger(): string {
    return `CREATE TABLE IF NOT EXISTS ${this.quoteIdentifier(LEDGER_TABLE)} (
  object_uri VARCHAR NOT NULL,
  object_identity VARCHAR NOT NULL,
  target_table VARCHAR NOT NULL,
  status VARCHAR NOT NULL,
  rows_inserted BIGINT NOT NULL,
  rows_updated BIGINT NOT NULL,
  rows_unchanged BIGINT NOT NULL,
  duration_ms BIGINT NOT NULL,
  error VARCHAR,
  recorded_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT CURRENT_TIMESTAMP
)`;
  }

  createDeadLetters(): string {
    return `CREATE TABLE IF NOT EXISTS ${this.quoteIdentifier(DEAD_LETTER_TABLE)} (
  object_uri VARCHAR NOT NULL,
  object_identity VARCHAR NOT NULL,
  target_table VARCHAR,
  error VARCHAR NOT NULL,
  tip VARCHAR NOT NULL,
  failed_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT CURRENT_TIMESTAMP,
  replayed_at TIMESTAMP WITH TIME ZONE
)`;
  }

  recordDeadLetter(letter: DeadLetter): string {
    const table = letter.table === undefined ? 'NULL' : this.quoteLiteral(letter.table);
    return `INSERT INTO ${this.quoteIdentifier(DEAD_LETTER_TABLE)} (object_uri, object_identity, target_table, error, tip) VALUES (${this.quoteLiteral(letter.objectUri)}, ${this.quoteLiteral(letter.identity)}, ${table}, ${this.quoteLiteral(letter.error.slice(0, 4000))}, ${this.quoteLiteral(letter.tip)})`;
  }

  pendingDeadLetters(): string {
    return `SELECT DISTINCT object_uri, object_identity FROM ${this.quoteIdentifier(DEAD_LETTER_TABLE)} WHERE replayed_at IS NULL ORDER BY object_uri`;
  }

  markReplayed(objectUri: string, identity: string): string {
    return `UPDATE ${this.quoteIdentifier(DEAD_LETTER_TABLE)} SET replayed_at = CURRENT_TIMESTAMP WHERE object_uri = ${this.quoteLiteral(objectUri)} AND object_identity = ${this.quoteLiteral(identity)} AND replayed_at IS NULL`;
  }

  /** Serializes writers of one table for the rest of the transaction; readers are not blocked. */
  lockTable(table: string): string {
    return `LOCK TABLE ${this.quoteIdentifier(table)} IN SHARE ROW EXCLUSIVE MODE`;
  }

  /** Counts loaded rows for an object; run inside the load transaction, after the lock. */
  alreadyLoaded(objectUri: string, identity: string): string {
    return `SELECT count(*) AS loaded FROM ${this.quoteIdentifier(LEDGER_TABLE)} WHERE object_uri = ${this.quoteLiteral(objectUri)} AND object_identity = ${this.quoteLiteral(identity)} AND status = 'loaded'`;
  }

  recordLoad(entry: LedgerEntry): string {
    const error = entry.error === undefined ? 'NULL' : this.quoteLiteral(entry.error.slice(0, 4000));
    const integer = (value: number) => String(Math.trunc(value));
    return `INSERT INTO ${this.quoteIdentifier(LEDGER_TABLE)} (object_uri, object_identity, target_table, status, rows_inserted, rows_updated, rows_unchanged, duration_ms, error) VALUES (${[
      this.quoteLiteral(entry.objectUri),
      this.quoteLiteral(entry.identity),
      this.quoteLiteral(entry.table),
      this.quoteLiteral(entry.status),
      integer(entry.inserted),
      integer(entry.updated),
      integer(entry.unchanged),
      integer(entry.durationMs),
      error,
    ].join(', ')})`;
  }

  /** Staging holds the file's own columns in file order, then the row's position in the file. */
  createStaging(staging: string, columns: readonly Column[]): string {
    const definitions = columns.map(
      (column) => `${this.quoteIdentifier(column.name)} ${this.columnType(column.type, column.name)}`,
    );
    return `CREATE TEMP TABLE ${this.quoteIdentifier(staging)} (${[...definitions, `${this.quoteIdentifier(ROW)} BIGINT`].join(', ')})`;
  }

  dropStaging(staging: string): string {
    return `DROP TABLE IF EXISTS ${this.quoteIdentifier(staging)}`;
  }

  countNullKeys(staging: string, keys: readonly string[]): string {
    const anyNull = keys.map((key) => `${this.quoteIdentifier(key)} IS NULL`).join(' OR ');
    return `SELECT count(*) AS null_keys FROM ${this.quoteIdentifier(staging)} WHERE ${anyNull}`;
  }

  /** Keeps one staged row per key: the newest version, and of equal versions the last in the file. */
  dedupeStaging(staging: string, keys: readonly string[], version: string | undefined): string {
    const s = this.quoteIdentifier(staging);
    const row = this.quoteIdentifier(ROW);
    const order = [
      ...(version ? [`${this.quoteIdentifier(version)} DESC NULLS LAST`] : []),
      `${row} DESC`,
    ].join(', ');
    return `DELETE FROM ${s} WHERE ${row} IN (SELECT ${row} FROM (SELECT ${row}, row_number() OVER (PARTITION BY ${this.columnList(keys)} ORDER BY ${order}) AS rank FROM ${s}) AS ranked WHERE rank > 1)`;
  }

  /**
   * Versioned upsert: staged rows older than the stored row are dropped; they leave it unchanged. A
   * staged row without a version is the oldest of all, as in the dedupe above.
   */
  dropOlderVersions(staging: string, table: string, keys: readonly string[], version: string): string {
    const v = this.quoteIdentifier(version);
    return `DELETE FROM ${this.quoteIdentifier(staging)} AS s USING ${this.quoteIdentifier(table)} AS t WHERE ${this.keyMatch(keys)} AND (t.${v} > s.${v} OR (s.${v} IS NULL AND t.${v} IS NOT NULL))`;
  }

  /** Removes the stored rows the staged rows replace; the count is the rows updated. */
  deleteReplaced(staging: string, table: string, keys: readonly string[]): string {
    return `DELETE FROM ${this.quoteIdentifier(table)} AS t USING ${this.quoteIdentifier(staging)} AS s WHERE ${this.keyMatch(keys)}`;
  }

  insertFromStaging(staging: string, table: string, columns: readonly string[]): string {
    const list = this.columnList(columns);
    return `INSERT INTO ${this.quoteIdentifier(table)} (${list}) SELECT ${list} FROM ${this.quoteIdentifier(staging)}`;
  }

  protected keyMatch(keys: readonly string[]): string {
    return keys.map((key) => `t.${this.quoteIdentifier(key)} = s.${this.quoteIdentifier(key)}`).join(' AND ');
  }
}

/** The staging column that holds each row's position in the file, for "last row wins". */
export const ROW = '__lakeload_row';
