// SQL text shared by the dialects: quoting in one place, and the statements of a load written once
// in the SQL that DuckDB, PostgreSQL and Redshift all accept. Each dialect's compiler extends this
// class and overrides only what differs (types, locking, bulk loading).
import { quoteIdentifier, quoteLiteral } from '@lakeload/commons';
import { LoaderError } from '../errors.js';
import { LedgerSql } from '../ledger/ledger-sql.js';
import type { Column, ColumnType } from '../schema/parquet.js';

// Kept importable from here, where they lived before the ledger had a folder of its own.
export {
  DEAD_LETTER_TABLE,
  type DeadLetter,
  LEDGER_TABLE,
  type LedgerEntry,
  LedgerSql,
} from '../ledger/ledger-sql.js';

/** A column type the target cannot hold; permanent, the message names the column and the fix. */
export class UnsupportedTypeError extends LoaderError {
  override name = 'UnsupportedTypeError';
  static override readonly tip: string =
    'Write the column in a supported type (see the type table in the loader README), then replay.';
}

/**
 * Parquet's geospatial annotations (GEOMETRY, GEOGRAPHY: WKB that DuckDB, the reader, takes as its
 * GEOMETRY type, https://github.com/apache/parquet-format/blob/master/Geospatial.md), which no
 * dialect maps yet.
 */
export function geospatialRefused(column: string, kind: string): UnsupportedTypeError {
  return new UnsupportedTypeError(
    `column "${column}" is annotated ${kind.toUpperCase()} (Parquet's geospatial type), which the loader does not load. Write it as plain binary (WKB, no annotation) or as text (WKT)`,
  );
}

/** The quoting every statement goes through; the one place identifiers and literals are escaped. */
export interface SqlQuoting {
  quoteIdentifier(name: string): string;
  quoteLiteral(value: string): string;
  /** A table name, qualified by the schema the driver writes to. */
  quoteTable(name: string): string;
}

export abstract class SqlCompiler implements SqlQuoting {
  /** The ledger stage's statements, quoted by this compiler. */
  readonly ledger: LedgerSql = new LedgerSql(this);

  // The rules themselves are @lakeload/commons' (the converter quotes by them too); a dialect
  // overrides these two methods only where it differs (Redshift's backslashes and name rules).
  quoteIdentifier(name: string): string {
    return quoteIdentifier(name);
  }

  /**
   * The schema every table is qualified with, set by the driver from the connection's own schema
   * when it opens: an unqualified name would resolve in a system schema first (PostgreSQL searches
   * pg_catalog before the search_path). Temporary tables stay unqualified.
   */
  schema: string | undefined;

  quoteTable(name: string): string {
    const table = this.quoteIdentifier(name);
    return this.schema === undefined ? table : `${this.quoteIdentifier(this.schema)}.${table}`;
  }

  quoteLiteral(value: string): string {
    return quoteLiteral(value);
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
    return `CREATE TABLE IF NOT EXISTS ${this.quoteTable(table)} (${definitions.join(', ')})`;
  }

  addColumn(table: string, column: Column): string {
    return `ALTER TABLE ${this.quoteTable(table)} ADD COLUMN ${this.quoteIdentifier(column.name)} ${this.columnType(column.type, column.name)}`;
  }

  widenColumn(table: string, column: string, type: ColumnType): string {
    return `ALTER TABLE ${this.quoteTable(table)} ALTER COLUMN ${this.quoteIdentifier(column)} TYPE ${this.columnType(type, column)}`;
  }

  /** Serializes writers of one table for the rest of the transaction; readers are not blocked. */
  lockTable(table: string): string {
    return `LOCK TABLE ${this.quoteTable(table)} IN SHARE ROW EXCLUSIVE MODE`;
  }

  /**
   * Staging holds the batch's rows in the files' own columns, in file order, then each row's file
   * (its position in the batch, oldest first) and its position in the batch (see `batchRow`).
   */
  createStaging(staging: string, columns: readonly Column[]): string {
    const definitions = columns.map(
      (column) => `${this.quoteIdentifier(column.name)} ${this.columnType(column.type, column.name)}`,
    );
    return `CREATE TEMP TABLE ${this.quoteIdentifier(staging)} (${[...definitions, `${this.quoteIdentifier(FILE)} INTEGER`, `${this.quoteIdentifier(ROW)} BIGINT`].join(', ')})`;
  }

  dropStaging(staging: string): string {
    return `DROP TABLE IF EXISTS ${this.quoteIdentifier(staging)}`;
  }

  /**
   * Statistics for the planner on the filled staging table, where a dialect's planner needs them
   * to join it well; none by default.
   */
  analyzeStaging(_staging: string, _keys: readonly string[]): string | undefined {
    return undefined;
  }

  /**
   * A staging DELETE that also answers how many rows it removed per file (`batch_file`,
   * `discarded`), where the dialect can say so in the same statement; otherwise undefined, and the
   * plan counts the survivors with a second census.
   */
  countedDiscard(_discard: string): string | undefined {
    return undefined;
  }

  /** Per staged file: its rows, and how many of them have no value in a key column. */
  stagingCensus(staging: string, keys: readonly string[]): string {
    const file = this.quoteIdentifier(FILE);
    const nullKeys =
      keys.length === 0
        ? '0'
        : `sum(CASE WHEN ${keys.map((key) => `${this.quoteIdentifier(key)} IS NULL`).join(' OR ')} THEN 1 ELSE 0 END)`;
    return `SELECT ${file} AS batch_file, count(*) AS staged, ${nullKeys} AS null_keys FROM ${this.quoteIdentifier(staging)} GROUP BY ${file}`;
  }

  /** One row, `stored`: 1 when the table holds any row, else 0 (reads at most one row). */
  targetHasRows(table: string): string {
    return `SELECT count(*) AS stored FROM (SELECT 1 FROM ${this.quoteTable(table)} LIMIT 1) AS probe`;
  }

  /**
   * Asked only when the table holds rows: one row, `stored`, 1 when it holds one the batch (its
   * files and keys) may meet, else 0; undefined where the dialect cannot narrow `targetHasRows`.
   */
  storedInRange(
    _table: string,
    _batch: { keys: readonly string[]; paths: readonly string[] },
  ): string | undefined {
    return undefined;
  }

  /** Per staged file: the stored rows its staged rows replace (run before they are deleted). */
  replacedPerFile(staging: string, table: string, keys: readonly string[]): string {
    const file = `s.${this.quoteIdentifier(FILE)}`;
    return `SELECT ${file} AS batch_file, count(*) AS replaced FROM ${this.quoteIdentifier(staging)} AS s JOIN ${this.quoteTable(table)} AS t ON ${this.keyMatch(keys)} GROUP BY ${file}`;
  }

  /**
   * Keeps one staged row per key: the newest version, and of equal versions the last row of the
   * newest file (rows are numbered oldest file first).
   */
  dedupeStaging(staging: string, keys: readonly string[], version: string | undefined): string {
    const s = this.quoteIdentifier(staging);
    const row = this.quoteIdentifier(ROW);
    return `DELETE FROM ${s} WHERE ${row} IN (SELECT ${row} FROM (SELECT ${row}, row_number() OVER (PARTITION BY ${this.columnList(keys)} ORDER BY ${this.newestFirst(version, row)}) AS rank FROM ${s}) AS ranked WHERE rank > 1)`;
  }

  /**
   * The order of "newest first" among rows of one key: the larger version (a row without one is
   * the oldest), then the later position in the batch (`row`, an expression). `prefix` qualifies
   * the version column.
   */
  protected newestFirst(version: string | undefined, row: string, prefix = ''): string {
    return [
      ...(version ? [`${prefix}${this.quoteIdentifier(version)} DESC NULLS LAST`] : []),
      `${row} DESC`,
    ].join(', ');
  }

  /**
   * Versioned upsert: staged rows older than the stored row are dropped; they leave it unchanged. A
   * staged row without a version is the oldest of all, as in the dedupe above.
   */
  dropOlderVersions(staging: string, table: string, keys: readonly string[], version: string): string {
    const v = this.quoteIdentifier(version);
    return `DELETE FROM ${this.quoteIdentifier(staging)} AS s USING ${this.quoteTable(table)} AS t WHERE ${this.keyMatch(keys)} AND (t.${v} > s.${v} OR (s.${v} IS NULL AND t.${v} IS NOT NULL))`;
  }

  /**
   * `deleteReplaced` answering per staged file (`batch_file`, `replaced`) the stored rows it
   * removed, where the dialect can say so in the same statement; otherwise undefined, and a join
   * counts them before the DELETE.
   */
  countedReplace(_staging: string, _table: string, _keys: readonly string[]): string | undefined {
    return undefined;
  }

  /**
   * For a dialect that matches the batch's rows with stored ones once and then works on that small
   * note instead of joining the tables again for each step: the statements, else undefined.
   */
  matchStored(
    _staging: string,
    _table: string,
    _settings: { keys: readonly string[]; version?: string | undefined },
    _paths: readonly string[],
  ): StoredMatch | undefined {
    return undefined;
  }

  /** Removes the stored rows the staged rows replace; the count is the rows updated. */
  deleteReplaced(staging: string, table: string, keys: readonly string[]): string {
    return `DELETE FROM ${this.quoteTable(table)} AS t USING ${this.quoteIdentifier(staging)} AS s WHERE ${this.keyMatch(keys)}`;
  }

  insertFromStaging(staging: string, table: string, columns: readonly string[]): string {
    const list = this.columnList(columns);
    return `INSERT INTO ${this.quoteTable(table)} (${list}) SELECT ${list} FROM ${this.quoteIdentifier(staging)}`;
  }

  /**
   * The insert where staging holds only positions (the `positions` staging capability): the kept
   * rows read again from the batch's files, leaving out those of a `matchStored` note's `older`
   * too where one is named. Only a dialect that reads the files itself has one.
   */
  insertKeptFromFiles(
    _staging: string,
    table: string,
    _columns: readonly string[],
    _settings: { keys: readonly string[]; version?: string | undefined },
    _paths: readonly string[],
    _older?: string,
  ): string {
    throw new LoaderError(
      `${table}: this warehouse stages whole rows and cannot read the files again; its capabilities must say staging "rows"`,
    );
  }

  protected keyMatch(keys: readonly string[]): string {
    return keys.map((key) => `t.${this.quoteIdentifier(key)} = s.${this.quoteIdentifier(key)}`).join(' AND ');
  }
}

/** The merge's steps with stored rows, where they read one note of the matches (`matchStored`). */
export interface StoredMatch {
  /** The note's table: per kept row that matches a stored one by key, and whether it is the older. */
  note: string;
  /** Notes each kept row that matches a stored one by key, and whether it is the older. */
  match: string;
  /**
   * Per file (`batch_file`, `discarded`): the kept rows older than their stored match, which the
   * insert then leaves out (versioned tables).
   */
  dropOlder?: string;
  /** Per file (`batch_file`): the stored rows its staged rows replace. */
  replacedPerFile: string;
  /** Removes the stored rows being replaced; the count is the rows updated. */
  deleteReplaced: string;
}

/** The staging column that holds each row's file: its position in the batch, oldest first. */
export const FILE = '__lakeload_file';
/** The staging column that holds each row's position in the batch, for "last row wins". */
export const ROW = '__lakeload_row';

/** The staging column that marks the newest row of its key, where staging ranks rows as it fills. */
export const KEEP = '__lakeload_keep';

/** The column of a note of stored matches that says a kept row is older than its stored match. */
export const OLDER = '__lakeload_older';

/**
 * A row's position in its batch: the file's position times 2^40 plus the row's position in the
 * file, so that positions grow oldest file first and stay unique (2^40 rows per file is plenty).
 */
export function batchRow(ordinal: string, rowInFile: string): string {
  return `CAST(${ordinal} AS BIGINT) * 1099511627776 + ${rowInFile}`;
}

/** The column read_parquet adds with each row's file path, named so that no file's column collides. */
const PATH = '__lakeload_path';

/**
 * The columns a batch read through `parquetBatchSource` adds to the file's own (DuckDB's row
 * position, the file path) or that staging holds beside them: a file column of one of these names
 * is refused (see the adapters' name rules).
 */
export const READER_COLUMNS: readonly string[] = ['file_row_number', PATH, FILE, ROW, KEEP, OLDER];

/**
 * DuckDB SQL (the DuckDB dialect's own, and the PostgreSQL driver's in-process reader): a batch's
 * Parquet files read in one scan as `p`, each row joined on its file's path to `b.ordinal`, the
 * file's position in the batch; `p.file_row_number` is the row's position in its file. Folder names
 * such as `year=2025` stay names: hive partitioning is off.
 */
export function parquetBatchSource(quoting: SqlQuoting, paths: readonly string[]): string {
  // Rows are matched to their file by path: a path given twice would read its rows twice.
  const repeated = paths.find((path, index) => paths.indexOf(path) !== index);
  if (repeated !== undefined)
    throw new LoaderError(`${repeated} is in one batch twice; each file of a batch needs a path of its own`);
  const literals = paths.map((path) => parquetPathLiteral(quoting, path));
  const ordinals = literals.map((path, ordinal) => `(${path}, ${ordinal})`);
  return `read_parquet([${literals.join(', ')}], filename = ${quoting.quoteLiteral(PATH)}, file_row_number = true, hive_partitioning = false) AS p JOIN (VALUES ${ordinals.join(', ')}) AS b(path, ordinal) ON p.${quoting.quoteIdentifier(PATH)} = b.path`;
}

/** DuckDB SQL: a batch's Parquet files read as one, their own columns only (no row positions, no paths). */
export function parquetFiles(quoting: SqlQuoting, paths: readonly string[]): string {
  return `read_parquet([${paths.map((path) => parquetPathLiteral(quoting, path)).join(', ')}], hive_partitioning = false)`;
}

/**
 * DuckDB SQL after `parquetBatchSource`: the rows a positions table (see the DuckDB compiler's
 * `stageLosers`) did not mark as losers (`KEEP` false) and, where `older` names a note of stored
 * matches, that are not older than their stored row. The losers are matched by position, key and
 * version; they are few where the kept rows are many, and only they are hashed. A changed kept row
 * would get in, so the callers check the files' stamps. Keyless tables keep every position.
 */
export function rankedRows(
  quoting: SqlQuoting,
  positions: string,
  settings: { keys: readonly string[]; version?: string | undefined },
  older?: string,
): string {
  const { keys, version } = settings;
  const name = (column: string) => quoting.quoteIdentifier(column);
  if (keys.length === 0) return '';
  const columns = [ROW, ...keys, ...(version && !keys.includes(version) ? [version] : [])]
    .map(name)
    .join(', ');
  const match = [
    `s.${name(ROW)} = ${batchRow('b.ordinal', 'p.file_row_number')}`,
    ...keys.map((key) => `s.${name(key)} = p.${name(key)}`),
    ...(version ? [`s.${name(version)} IS NOT DISTINCT FROM p.${name(version)}`] : []),
  ].join(' AND ');
  const olderRows = older ? ` UNION ALL SELECT ${columns} FROM ${name(older)} WHERE ${name(OLDER)}` : '';
  return ` ANTI JOIN (SELECT ${columns} FROM ${name(positions)} WHERE NOT ${name(KEEP)}${olderRows}) AS s ON ${match}`;
}

/**
 * A local file path as a literal for DuckDB's read_parquet, which reads `*`, `?` and `[` as a glob
 * pattern: such a path could read other files, so it is refused with the way out.
 */
function parquetPathLiteral(quoting: SqlQuoting, path: string): string {
  if (/[*?[]/.test(path)) {
    throw new LoaderError(
      `${path}: the path holds a glob character (* ? [), which DuckDB's Parquet reader would expand; rename the file`,
    );
  }
  return quoting.quoteLiteral(path);
}
