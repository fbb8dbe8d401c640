// Decimals of more than 38 digits on PostgreSQL: the exact text of their unscaled bytes, and the
// reader's SQL that joins that text into the COPY lines by file and row.
import { describe, expect, it } from 'vitest';
import type { Column, ColumnType } from '../../src/schema/parquet.js';
import { decimalText } from '../../src/schema/raw-values.js';
import { DuckDBSqlCompiler } from '../../src/warehouse/duckdb/duckdb-sql-compiler.js';
import { PostgresSqlCompiler } from '../../src/warehouse/postgres/postgres-sql-compiler.js';
import { RedshiftSqlCompiler } from '../../src/warehouse/redshift/redshift-sql-compiler.js';
import { UnsupportedTypeError } from '../../src/warehouse/sql-compiler.js';

/** Big-endian two's complement of `value` in `length` bytes, written independently of the decoder. */
function bytesOf(value: bigint, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let rest = BigInt.asUintN(length * 8, value);
  for (let index = length - 1; index >= 0; index--) {
    bytes[index] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  return bytes;
}

describe('decimalText', () => {
  it('prints unscaled big-endian two’s-complement bytes exactly, at the scale', () => {
    expect(decimalText(Uint8Array.of(0x01), 2)).toBe('0.01');
    expect(decimalText(Uint8Array.of(0xfb), 0)).toBe('-5');
    expect(decimalText(Uint8Array.of(0xff, 0xfe), 3)).toBe('-0.002');
    expect(decimalText(Uint8Array.of(0x80), 1)).toBe('-12.8');
    expect(decimalText(Uint8Array.of(0x00, 0x80), 1)).toBe('12.8');
    expect(decimalText(new Uint8Array(0), 2)).toBe('0.00');
    expect(decimalText(1234n, 0)).toBe('1234');
  });

  it('keeps every digit of a 50-digit value, in any byte length (not only multiples of 8)', () => {
    const value = 1234567890123456789012345678901234567890123456789n;
    for (const length of [21, 24, 32]) {
      expect(decimalText(bytesOf(value, length), 10)).toBe(
        '123456789012345678901234567890123456789.0123456789',
      );
      expect(decimalText(bytesOf(-value, length), 10)).toBe(
        '-123456789012345678901234567890123456789.0123456789',
      );
    }
    // Differing in the last digit only: two texts, never one rounded number.
    expect(decimalText(bytesOf(value - 1n, 21), 10)).toBe(
      '123456789012345678901234567890123456789.0123456788',
    );
  });
});

describe('the PostgreSQL reader SQL for wide decimals', () => {
  const postgres = new PostgresSqlCompiler();
  const columns: Column[] = [
    { name: 'id', type: { kind: 'int', bits: 64, signed: true }, nullable: true },
    { name: 'amo"unt', type: { kind: 'decimal', precision: 50, scale: 10 }, nullable: true },
  ];

  it('maps a decimal past 38 digits to numeric(p,s) up to PostgreSQL’s 1000, and refuses beyond', () => {
    expect(postgres.columnType({ kind: 'decimal', precision: 50, scale: 10 }, 'a')).toBe('numeric(50,10)');
    expect(postgres.columnType({ kind: 'decimal', precision: 1000, scale: 0 }, 'a')).toBe('numeric(1000,0)');
    expect(() => postgres.columnType({ kind: 'decimal', precision: 1001, scale: 0 }, 'a')).toThrow(
      /"a" is decimal\(1001,0\); PostgreSQL's numeric holds at most 1000 digits/,
    );
  });

  it('refuses a wide decimal inside a nested value, which only the rounding reader would read', () => {
    const nested: ColumnType = {
      kind: 'nested',
      shape: 'struct',
      children: [{ name: 'x', type: { kind: 'decimal', precision: 40, scale: 0 }, nullable: true }],
    };
    expect(() => postgres.columnType(nested, 's')).toThrow(UnsupportedTypeError);
    expect(() => postgres.columnType(nested, 's')).toThrow(
      /"s" holds a decimal of more than 38 digits inside a struct/,
    );
    expect(postgres.columnType({ kind: 'nested', shape: 'list' }, 's')).toBe('jsonb');
  });

  it('keeps refusing on DuckDB and Redshift, which hold 38 digits at most', () => {
    const wide: ColumnType = { kind: 'decimal', precision: 50, scale: 10 };
    expect(() => new DuckDBSqlCompiler().columnType(wide, 'a')).toThrow(
      /"a" is decimal\(50,10\); DuckDB holds at most 38 digits\. Write it as decimal\(38,s\) or as a string/,
    );
    expect(() => new RedshiftSqlCompiler().columnType(wide, 'a')).toThrow(
      /"a" is decimal\(50,10\); Redshift holds at most 38 digits\. Write it as decimal\(38,s\) or as a string/,
    );
  });

  it('creates the table of exact texts and joins it by file and row, quoting the names', () => {
    expect(postgres.wideDecimalTable('s_wide', [columns[1] as Column])).toBe(
      'CREATE TEMP TABLE "s_wide" ("__lakeload_file" INTEGER, file_row_number BIGINT, "amo""unt" VARCHAR)',
    );
    expect(
      postgres.copyLinesFromParquet(columns, ['/lake/a.parquet'], { wide: 's_wide', direct: true }),
    ).toBe(
      String.raw`SELECT concat_ws(chr(9), coalesce(CAST(p."id" AS VARCHAR), '\N'), coalesce(w."amo""unt", '\N')) FROM read_parquet(['/lake/a.parquet'], filename = '__lakeload_path', file_row_number = true, hive_partitioning = false) AS p JOIN (VALUES ('/lake/a.parquet', 0)) AS b(path, ordinal) ON p."__lakeload_path" = b.path JOIN "s_wide" AS w ON w."__lakeload_file" = b.ordinal AND w.file_row_number = p.file_row_number`,
    );
  });
});
