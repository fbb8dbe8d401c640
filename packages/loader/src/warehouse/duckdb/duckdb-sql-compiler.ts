import type { ColumnType } from '../../schema/parquet.js';
import {
  batchRow,
  FILE,
  parquetBatchSource,
  ROW,
  SqlCompiler,
  UnsupportedTypeError,
} from '../sql-compiler.js';

/**
 * DuckDB's types, one for one with Parquet's (the type table in the package README):
 * int8..64 → TINYINT..BIGINT (UTINYINT..UBIGINT unsigned), float32/64 → FLOAT/DOUBLE,
 * decimal(p,s) → DECIMAL(p,s) (p ≤ 38), string/json/uuid → VARCHAR/JSON/UUID, binary → BLOB,
 * date → DATE, time → TIME, timestamp → TIMESTAMP (UTC-adjusted → TIMESTAMPTZ; nanoseconds →
 * TIMESTAMP_NS), interval → INTERVAL. Nested columns are not loaded into relational tables.
 */
export class DuckDBSqlCompiler extends SqlCompiler {
  columnType(type: ColumnType, column: string): string {
    switch (type.kind) {
      case 'boolean':
        return 'BOOLEAN';
      case 'int': {
        const names = { 8: 'TINYINT', 16: 'SMALLINT', 32: 'INTEGER', 64: 'BIGINT' } as const;
        return `${type.signed ? '' : 'U'}${names[type.bits]}`;
      }
      case 'float':
        return type.bits === 32 ? 'FLOAT' : 'DOUBLE';
      case 'decimal':
        if (type.precision > 38) {
          throw new UnsupportedTypeError(
            `column "${column}" is decimal(${type.precision},${type.scale}); DuckDB holds at most 38 digits`,
          );
        }
        return `DECIMAL(${type.precision},${type.scale})`;
      case 'string':
        return 'VARCHAR';
      case 'json':
        return 'JSON';
      case 'uuid':
        return 'UUID';
      case 'binary':
        return 'BLOB';
      case 'date':
        return 'DATE';
      case 'time':
        return type.utc ? 'TIMETZ' : 'TIME';
      case 'timestamp':
        if (type.unit === 'nanos' && !type.int96) return 'TIMESTAMP_NS';
        return type.utc ? 'TIMESTAMPTZ' : 'TIMESTAMP';
      case 'interval':
        return 'INTERVAL';
      case 'nested':
        throw new UnsupportedTypeError(
          `column "${column}" is a nested ${type.shape}; flatten it before loading (the converter's order_flattened dataset is flat)`,
        );
    }
  }

  /**
   * Reads the batch's files straight into staging in one scan (DuckDB reads them in parallel),
   * numbering each row by its file and its position in the file.
   */
  loadStagingFromFiles(staging: string, columns: readonly string[], paths: readonly string[]): string {
    return `INSERT INTO ${this.quoteIdentifier(staging)} (${this.columnList(columns)}, ${this.quoteIdentifier(FILE)}, ${this.quoteIdentifier(ROW)}) SELECT ${this.columnList(columns, 'p.')}, b.ordinal, ${batchRow('b.ordinal', 'p.file_row_number')} FROM ${parquetBatchSource(this, paths)}`;
  }
}
