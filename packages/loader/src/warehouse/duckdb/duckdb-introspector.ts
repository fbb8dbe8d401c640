import type { Column, ColumnType } from '../../schema/parquet.js';
import type { DuckDBSqlCompiler } from './duckdb-sql-compiler.js';

export function columnsSql(compiler: DuckDBSqlCompiler, table: string): string {
  return `SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ${compiler.quoteLiteral(table)} ORDER BY ordinal_position`;
}

const INTEGERS: Record<string, ColumnType> = {
  TINYINT: { kind: 'int', bits: 8, signed: true },
  SMALLINT: { kind: 'int', bits: 16, signed: true },
  INTEGER: { kind: 'int', bits: 32, signed: true },
  BIGINT: { kind: 'int', bits: 64, signed: true },
  UTINYINT: { kind: 'int', bits: 8, signed: false },
  USMALLINT: { kind: 'int', bits: 16, signed: false },
  UINTEGER: { kind: 'int', bits: 32, signed: false },
  UBIGINT: { kind: 'int', bits: 64, signed: false },
};

/** A DuckDB type name as reported by information_schema, back in the loader's neutral types. */
export function parseDuckDBType(name: string): ColumnType {
  const upper = name.toUpperCase();
  const integer = INTEGERS[upper];
  if (integer) return integer;
  const decimal = /^DECIMAL\((\d+),\s*(\d+)\)$/.exec(upper);
  if (decimal) return { kind: 'decimal', precision: Number(decimal[1]), scale: Number(decimal[2]) };
  switch (upper) {
    case 'BOOLEAN':
      return { kind: 'boolean' };
    case 'FLOAT':
      return { kind: 'float', bits: 32 };
    case 'DOUBLE':
      return { kind: 'float', bits: 64 };
    case 'VARCHAR':
      return { kind: 'string' };
    case 'JSON':
      return { kind: 'json' };
    case 'UUID':
      return { kind: 'uuid' };
    case 'BLOB':
      return { kind: 'binary' };
    case 'DATE':
      return { kind: 'date' };
    case 'TIME':
      return { kind: 'time', unit: 'micros', utc: false };
    case 'TIME WITH TIME ZONE':
      return { kind: 'time', unit: 'micros', utc: true };
    case 'TIMESTAMP':
      return { kind: 'timestamp', unit: 'micros', utc: false };
    case 'TIMESTAMP WITH TIME ZONE':
      return { kind: 'timestamp', unit: 'micros', utc: true };
    case 'TIMESTAMP_NS':
      return { kind: 'timestamp', unit: 'nanos', utc: false };
    case 'TIMESTAMP_MS':
      return { kind: 'timestamp', unit: 'millis', utc: false };
    case 'INTERVAL':
      return { kind: 'interval' };
    default:
      return {
        kind: 'nested',
        shape: upper.endsWith('[]') ? 'list' : upper.startsWith('MAP') ? 'map' : 'struct',
      };
  }
}

export function toColumns(rows: readonly Record<string, unknown>[]): Column[] {
  return rows.map((row) => ({
    name: String(row.column_name),
    type: parseDuckDBType(String(row.data_type)),
    nullable: row.is_nullable !== 'NO',
  }));
}
