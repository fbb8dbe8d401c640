import { LoaderError } from '../../errors.js';
import type { Column, ColumnType } from '../../schema/parquet.js';
import {
  batchRow,
  FILE,
  geospatialRefused,
  parquetBatchSource,
  ROW,
  rankedRows,
  SqlCompiler,
  UnsupportedTypeError,
} from '../sql-compiler.js';
import { hasNestedWideDecimal, isWideDecimal } from './wide-decimals.js';

/** A key column's range among the stored rows, as numbers in text (see `storedKeyRange`). */
export interface KeyBounds {
  key: string;
  lo: string;
  hi: string;
}

/**
 * PostgreSQL's types (the type table in the package README): int8/16 → smallint, int32 → integer,
 * int64 → bigint (unsigned widen by one step; uint64 → numeric(20,0)), float32/64 → real/double
 * precision, decimal(p,s) → numeric(p,s) (p ≤ 1000), string → text, json → jsonb, uuid → uuid,
 * binary → bytea, date → date, time → time, timestamp → timestamp (UTC-adjusted → timestamptz;
 * microsecond precision, so nanosecond files are refused), interval → interval, struct/list/map →
 * jsonb.
 */
export class PostgresSqlCompiler extends SqlCompiler {
  columnType(type: ColumnType, column: string): string {
    switch (type.kind) {
      case 'boolean':
        return 'boolean';
      case 'int': {
        if (!type.signed && type.bits === 64) return 'numeric(20,0)';
        const bits = type.signed ? type.bits : type.bits * 2;
        return bits <= 16 ? 'smallint' : bits <= 32 ? 'integer' : 'bigint';
      }
      case 'float':
        return type.bits === 64 ? 'double precision' : 'real';
      case 'decimal':
        // Past 38 digits the driver reads the values exactly itself (see wide-decimals.ts).
        // https://www.postgresql.org/docs/15/datatype-numeric.html: a declared precision up to 1000.
        if (type.precision > 1000) {
          throw new UnsupportedTypeError(
            `column "${column}" is decimal(${type.precision},${type.scale}); PostgreSQL's numeric holds at most 1000 digits. Write it as a string`,
          );
        }
        return `numeric(${type.precision},${type.scale})`;
      case 'string':
        return 'text';
      case 'json':
        return 'jsonb';
      case 'uuid':
        return 'uuid';
      case 'binary':
        if (type.geospatial) throw geospatialRefused(column, type.geospatial);
        return 'bytea';
      case 'date':
        return 'date';
      case 'time':
        if (type.unit === 'nanos') throw nanos(column, 'time');
        return type.utc ? 'timetz' : 'time';
      case 'timestamp':
        if (type.unit === 'nanos') throw nanos(column, 'timestamp');
        return type.utc ? 'timestamptz' : 'timestamp';
      case 'interval':
        return 'interval';
      case 'nested':
        if (hasNestedWideDecimal(type)) {
          // Nested values reach jsonb through the reader (DuckDB), which would round such a decimal.
          throw new UnsupportedTypeError(
            `column "${column}" holds a decimal of more than 38 digits inside a ${type.shape}; the loader reads those exactly only as top-level columns. Write it as a top-level column or as a string`,
          );
        }
        // Structs, lists and maps as JSON, queryable with jsonb's operators.
        return 'jsonb';
    }
  }

  /**
   * A temporary table has no statistics until analyzed, and without them the planner hashes the
   * whole staging table to join it with an empty target (or one far smaller than it). Keyless
   * tables join nothing.
   */
  override analyzeStaging(staging: string, keys: readonly string[]): string | undefined {
    // Only the joined columns: the row count and the keys' statistics are what the plans need.
    if (keys.length === 0) return undefined;
    return `ANALYZE ${this.quoteIdentifier(staging)} (${this.columnList(keys)})`;
  }

  /** The replacing DELETE in a CTE, returning each removed row's staged file: no join to count them first. */
  override countedReplace(staging: string, table: string, keys: readonly string[]): string {
    const file = this.quoteIdentifier(FILE);
    return `WITH replaced AS (${this.deleteReplaced(staging, table, keys)} RETURNING s.${file}) SELECT ${file} AS batch_file, count(*) AS replaced FROM replaced GROUP BY ${file}`;
  }

  /** The DELETE in a CTE, its removed rows counted per file: no second pass over staging. */
  override countedDiscard(discard: string): string {
    const file = this.quoteIdentifier(FILE);
    return `WITH discarded AS (${discard} RETURNING ${file}) SELECT ${file} AS batch_file, count(*) AS discarded FROM discarded GROUP BY ${file}`;
  }

  /**
   * The stored rows' range of each key column (`lo<i>`, `hi<i>`, as text; NULL where no stored row
   * has a value there): a batch row with a key value outside its column's range matches no stored
   * row. One scan of the table.
   */
  storedKeyRange(table: string, keys: readonly string[]): string {
    const bounds = keys.flatMap((key, index) => [
      `CAST(min(${this.quoteIdentifier(key)}) AS text) AS lo${index}`,
      `CAST(max(${this.quoteIdentifier(key)}) AS text) AS hi${index}`,
    ]);
    return `SELECT ${bounds.join(', ')} FROM ${this.quoteTable(table)}`;
  }

  /** The table's size on disk in bytes: what a scan of it reads. */
  tableBytes(table: string): string {
    return `SELECT pg_relation_size(${this.quoteLiteral(this.quoteTable(table))}) AS bytes`;
  }

  /**
   * The COPY that the driver feeds from the Parquet files, a chunk at a time: into staging, with
   * each row's file and position; or (`direct`) into the target, the rows alone.
   */
  copyFromStdin(table: string, columns: readonly string[], direct = false): string {
    const list = direct ? columns : [...columns, FILE, ROW];
    // Staging is a temporary table: only the target is qualified by its schema.
    const name = direct ? this.quoteTable(table) : this.quoteIdentifier(table);
    return `COPY ${name} (${this.columnList(list)}) FROM STDIN`;
  }

  /**
   * The query the driver's in-process DuckDB runs to turn a batch's files into COPY text lines, in
   * one stream (DuckDB SQL, vectorized), each line ending in the row's file and position. NULL is
   * \N. Text and JSON are escaped for COPY's text format (backslash, tab, newline, carriage
   * return); binary goes as bytea hex; numbers, dates, times, UUIDs and booleans print without those
   * characters, so they are only cast (escaping every column cost the reader most of its time).
   * With `kept`, only the rows its positions table kept (see `rankedRows`); with `direct`, the
   * lines end with the row's last column, as `copyFromStdin` into the target takes them.
   */
  /**
   * A value of the reader (DuckDB) as COPY text, NULL left NULL. Binary goes as bytea hex, whose
   * own backslash COPY unescapes first (`\\x68`); nested values as JSON text; UTC timestamps with
   * their offset (the reader runs in UTC), whatever the PostgreSQL session's time zone.
   */
  #copyText(type: ColumnType, value: string): string {
    switch (type.kind) {
      case 'binary':
        return `'\\\\x' || hex(${value})`;
      case 'string':
      case 'json':
        return copyEscaped(`CAST(${value} AS VARCHAR)`);
      case 'nested':
        return copyEscaped(`CAST(to_json(${value}) AS VARCHAR)`);
      case 'timestamp':
        return type.utc ? `CAST(CAST(${value} AS TIMESTAMPTZ) AS VARCHAR)` : `CAST(${value} AS VARCHAR)`;
      default:
        return `CAST(${value} AS VARCHAR)`;
    }
  }

  copyLinesFromParquet(
    columns: readonly Column[],
    paths: readonly string[],
    options: {
      kept?: { positions: string; settings: { keys: readonly string[]; version?: string | undefined } };
      direct?: boolean;
      /** The reader's table of the batch's wide decimals as exact text (see `wideDecimalTable`). */
      wide?: string | undefined;
      /**
       * Only the rows whose every key value lies within the stored range of its column (`inside`),
       * or only those with one outside it (see `storedKeyRange`).
       */
      range?: { bounds: readonly KeyBounds[]; inside: boolean } | undefined;
    } = {},
  ): string {
    const { kept, direct = false, wide, range } = options;
    const values = columns.map((column) => {
      const name = this.quoteIdentifier(column.name);
      // The reader's own value of a wide decimal is a rounded DOUBLE: its exact text is joined in.
      const value =
        wide && isWideDecimal(column.type) ? `w.${name}` : this.#copyText(column.type, `p.${name}`);
      return `coalesce(${value}, '\\N')`;
    });
    const line = direct
      ? values
      : [
          ...values,
          'CAST(b.ordinal AS VARCHAR)',
          `CAST(${batchRow('b.ordinal', 'p.file_row_number')} AS VARCHAR)`,
        ];
    const rows = kept ? rankedRows(this, kept.positions, kept.settings) : '';
    const exact = wide
      ? ` JOIN ${this.quoteIdentifier(wide)} AS w ON w.${this.quoteIdentifier(FILE)} = b.ordinal AND w.file_row_number = p.file_row_number`
      : '';
    // One call, not a chain of `||`: each `||` nests the expression a level deeper, and DuckDB's
    // parser stops at 1000 levels (a file of some 500 columns).
    const where = range ? ` WHERE ${this.#withinRange(range)}` : '';
    return `SELECT concat_ws(chr(9), ${line.join(', ')}) FROM ${parquetBatchSource(this, paths)}${exact}${rows}${where}`;
  }

  /** DuckDB SQL: the reader's rows within the stored key ranges, or (not `inside`) the others. */
  #withinRange({ bounds, inside }: { bounds: readonly KeyBounds[]; inside: boolean }): string {
    const number = (text: string) => {
      // The bounds come from PostgreSQL as text: only plain numbers reach SQL.
      if (!/^-?\d+(\.\d+)?$/.test(text)) throw new LoaderError(`a stored key bound is not a number: ${text}`);
      return text;
    };
    const within = bounds
      .map(({ key, lo, hi }) => `p.${this.quoteIdentifier(key)} BETWEEN ${number(lo)} AND ${number(hi)}`)
      .join(' AND ');
    return inside ? `(${within})` : `NOT (${within})`;
  }

  /**
   * The reader's (DuckDB's) table that the driver fills with a batch's decimals of more than 38
   * digits, as exact text, by file (its position in the batch) and row in the file.
   */
  wideDecimalTable(table: string, columns: readonly Column[]): string {
    const definitions = columns.map((column) => `${this.quoteIdentifier(column.name)} VARCHAR`);
    return `CREATE TEMP TABLE ${this.quoteIdentifier(table)} (${[`${this.quoteIdentifier(FILE)} INTEGER`, 'file_row_number BIGINT', ...definitions].join(', ')})`;
  }
}

/** Text that COPY's text format escapes: backslash, tab, newline, carriage return. */
function copyEscaped(text: string): string {
  return `replace(replace(replace(replace(${text}, '\\', '\\\\'), chr(9), '\\t'), chr(10), '\\n'), chr(13), '\\r')`;
}

function nanos(column: string, kind: string): UnsupportedTypeError {
  return new UnsupportedTypeError(
    `column "${column}" is a ${kind} in nanoseconds; PostgreSQL keeps microseconds. Write the file with microsecond ${kind}s`,
  );
}
