import { describe, expect, it } from 'vitest';
import type { ColumnType } from '../../src/schema/parquet.js';
import {
  columnsSql,
  parseRedshiftType,
  toColumns,
} from '../../src/warehouse/redshift/redshift-introspector.js';
import { RedshiftSqlCompiler } from '../../src/warehouse/redshift/redshift-sql-compiler.js';
import { golden } from '../golden-sql.js';

describe('Redshift introspection', () => {
  it('reads information_schema.columns of the current schema, the name quoted as a literal', () => {
    expect(columnsSql(new RedshiftSqlCompiler(), "o'rders")).toBe(golden('introspect/redshift', 'columns'));
  });

  it.each<[string, Record<string, unknown>, ColumnType]>([
    ['boolean', {}, { kind: 'boolean' }],
    ['smallint', {}, { kind: 'int', bits: 16, signed: true }],
    ['integer', {}, { kind: 'int', bits: 32, signed: true }],
    ['bigint', {}, { kind: 'int', bits: 64, signed: true }],
    ['real', {}, { kind: 'float', bits: 32 }],
    ['double precision', {}, { kind: 'float', bits: 64 }],
    ['numeric', { numeric_precision: 20, numeric_scale: 0 }, { kind: 'decimal', precision: 20, scale: 0 }],
    ['character varying', {}, { kind: 'string' }],
    ['binary varying', {}, { kind: 'binary' }],
    ['date', {}, { kind: 'date' }],
    ['timestamp without time zone', {}, { kind: 'timestamp', unit: 'micros', utc: false }],
    ['timestamp with time zone', {}, { kind: 'timestamp', unit: 'micros', utc: true }],
    ['super', {}, { kind: 'nested', shape: 'struct' }],
    // A local PostgreSQL-backed endpoint keeps SUPER as jsonb.
    ['jsonb', {}, { kind: 'nested', shape: 'struct' }],
  ])('reads %s', (dataType, extra, expected) => {
    expect(parseRedshiftType({ data_type: dataType, ...extra })).toEqual(expected);
  });

  it('reads nullability in either case', () => {
    expect(
      toColumns([
        { column_name: 'a', data_type: 'bigint', is_nullable: 'NO' },
        { column_name: 'b', data_type: 'bigint', is_nullable: 'yes' },
      ]).map((column) => column.nullable),
    ).toEqual([false, true]);
  });
});
