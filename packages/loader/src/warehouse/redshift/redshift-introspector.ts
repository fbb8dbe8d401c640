import { storedName } from '../../schema/names.js';
import type { Column, ColumnType } from '../../schema/parquet.js';
import {
  toColumns as postgresColumns,
  columnsSql as postgresColumnsSql,
} from '../postgres/postgres-introspector.js';
import type { SqlCompiler } from '../sql-compiler.js';
import { redshiftCapabilities } from './redshift-adapter.js';

/**
 * The table's columns from information_schema.columns: Redshift Serverless and provisioned both have
 * it (SVV_COLUMNS would add external tables, which the loader never writes), and so does the
 * PostgreSQL behind a local Data API endpoint. It reads only catalog tables, so it runs on the
 * leader node, where current_schema() is allowed. Types are read from `data_type` alone.
 */
export function columnsSql(compiler: SqlCompiler, table: string): string {
  // The catalog holds the name folded to lower case: a folder `OrderItems/` is table `orderitems`.
  return postgresColumnsSql(compiler, storedName(table, redshiftCapabilities.names), 'data_type');
}

/** A Redshift column type (information_schema's `data_type`) back in the loader's neutral types. */
export function parseRedshiftType(row: Record<string, unknown>): ColumnType {
  const type = String(row.data_type).toLowerCase();
  switch (type) {
    case 'boolean':
      return { kind: 'boolean' };
    case 'smallint':
      return { kind: 'int', bits: 16, signed: true };
    case 'integer':
      return { kind: 'int', bits: 32, signed: true };
    case 'bigint':
      return { kind: 'int', bits: 64, signed: true };
    case 'real':
      return { kind: 'float', bits: 32 };
    case 'double precision':
      return { kind: 'float', bits: 64 };
    case 'numeric':
      return {
        kind: 'decimal',
        precision: Number(row.numeric_precision ?? 38),
        scale: Number(row.numeric_scale ?? 0),
      };
    case 'character varying':
    case 'character':
    case 'text':
      return { kind: 'string' };
    case 'binary varying':
    case 'varbyte':
    case 'bytea':
      return { kind: 'binary' };
    case 'date':
      return { kind: 'date' };
    case 'timestamp without time zone':
      return { kind: 'timestamp', unit: 'micros', utc: false };
    case 'timestamp with time zone':
      return { kind: 'timestamp', unit: 'micros', utc: true };
    default:
      // SUPER (or the JSON type a local PostgreSQL endpoint stores it as): the loader creates it only
      // for nested columns.
      return { kind: 'nested', shape: 'struct' };
  }
}

/** information_schema rows as the loader's columns, in table order. */
export function toColumns(rows: readonly Record<string, unknown>[]): Column[] {
  return postgresColumns(rows, parseRedshiftType);
}
