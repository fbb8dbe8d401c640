import type { Column, ColumnType } from '../../schema/parquet.js';
import type { SqlCompiler } from '../sql-compiler.js';

/** The table's columns in table order, from information_schema (Redshift's introspector reuses it). */
export function columnsSql(compiler: SqlCompiler, table: string, typeFields = 'data_type, udt_name'): string {
  return `SELECT column_name, ${typeFields}, numeric_precision, numeric_scale, is_nullable FROM information_schema.columns WHERE table_schema = ${compiler.schema === undefined ? 'current_schema()' : compiler.quoteLiteral(compiler.schema)} AND table_name = ${compiler.quoteLiteral(table)} ORDER BY ordinal_position`;
}

/** A PostgreSQL column type back in the loader's neutral types (see the compiler for the other way). */
function parsePostgresType(row: Record<string, unknown>): ColumnType {
  switch (String(row.udt_name)) {
    case 'bool':
      return { kind: 'boolean' };
    case 'int2':
      return { kind: 'int', bits: 16, signed: true };
    case 'int4':
      return { kind: 'int', bits: 32, signed: true };
    case 'int8':
      return { kind: 'int', bits: 64, signed: true };
    case 'float4':
      return { kind: 'float', bits: 32 };
    case 'float8':
      return { kind: 'float', bits: 64 };
    case 'numeric':
      return {
        kind: 'decimal',
        precision: Number(row.numeric_precision ?? 38),
        scale: Number(row.numeric_scale ?? 0),
      };
    case 'text':
    case 'varchar':
      return { kind: 'string' };
    case 'json':
    case 'jsonb':
      return { kind: 'json' };
    case 'uuid':
      return { kind: 'uuid' };
    case 'bytea':
      return { kind: 'binary' };
    case 'date':
      return { kind: 'date' };
    case 'time':
      return { kind: 'time', unit: 'micros', utc: false };
    case 'timetz':
      return { kind: 'time', unit: 'micros', utc: true };
    case 'timestamp':
      return { kind: 'timestamp', unit: 'micros', utc: false };
    case 'timestamptz':
      return { kind: 'timestamp', unit: 'micros', utc: true };
    case 'interval':
      return { kind: 'interval' };
    default:
      return { kind: 'nested', shape: 'struct' };
  }
}

/** information_schema rows as the loader's columns, each type read back by `parse`. */
export function toColumns(
  rows: readonly Record<string, unknown>[],
  parse: (row: Record<string, unknown>) => ColumnType = parsePostgresType,
): Column[] {
  return rows.map((row) => ({
    name: String(row.column_name),
    type: parse(row),
    nullable: String(row.is_nullable).toUpperCase() !== 'NO',
  }));
}
