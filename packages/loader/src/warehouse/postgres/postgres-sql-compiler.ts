import type { ColumnType } from '../../schema/parquet.js';
import { ROW, SqlCompiler, UnsupportedTypeError } from '../sql-compiler.js';

/**
 * PostgreSQL's types (the type table in the package README): int8/16 → smallint, int32 → integer,
 * int64 → bigint (unsigned widen by one step; uint64 → numeric(20,0)), float32/64 → real/double
 * precision, decimal(p,s) → numeric(p,s) (p ≤ 1000), string → text, json → jsonb, uuid → uuid,
 * binary → bytea, date → date, time → time, timestamp → timestamp (UTC-adjusted → timestamptz;
 * microsecond precision, so nanosecond files are refused), interval → interval.
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
        return type.bits === 32 ? 'real' : 'double precision';
      case 'decimal':
        return `numeric(${type.precision},${type.scale})`;
      case 'string':
        return 'text';
      case 'json':
        return 'jsonb';
      case 'uuid':
        return 'uuid';
      case 'binary':
        return 'bytea';
      case 'date':
        return 'date';
      case 'time':
        if (type.unit === 'nanos') throw nanos(column, 'time');
        return type.utc ? 'timetz' : 'time';
      case 'timestamp':
        if (type.unit === 'nanos' && !type.int96) throw nanos(column, 'timestamp');
        return type.utc ? 'timestamptz' : 'timestamp';
      case 'interval':
        return 'interval';
      case 'nested':
        throw new UnsupportedTypeError(
          `column "${column}" is a nested ${type.shape}; flatten it before loading`,
        );
    }
  }

  /** The COPY that the driver feeds from the Parquet file, row group by row group. */
  copyIntoStaging(staging: string, columns: readonly string[]): string {
    return `COPY ${this.quoteIdentifier(staging)} (${this.columnList([...columns, ROW])}) FROM STDIN`;
  }
}

function nanos(column: string, kind: string): UnsupportedTypeError {
  return new UnsupportedTypeError(
    `column "${column}" is a ${kind} in nanoseconds; PostgreSQL keeps microseconds. Write the file with microsecond ${kind}s`,
  );
}
