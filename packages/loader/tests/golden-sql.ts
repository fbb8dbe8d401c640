// Golden SQL side by side: one statement builder, the exact text each dialect's compiler must give.
import { expect } from 'vitest';
import type { Column } from '../src/schema/parquet.js';
import type { SqlCompiler } from '../src/warehouse/sql-compiler.js';

/** An expectation per dialect for one builder, checked against every compiler of `dialects`. */
export function goldenSql<D extends string>(dialects: Record<D, SqlCompiler>) {
  return (build: (compiler: SqlCompiler) => string, expected: Record<D, string>): void => {
    for (const [name, compiler] of Object.entries(dialects) as [D, SqlCompiler][])
      expect(build(compiler), name).toBe(expected[name]);
  };
}

/** The file schema the golden tests load: an order summary's columns in file order. */
export const ORDER_COLUMNS: Column[] = [
  { name: 'order_id', type: { kind: 'int', bits: 64, signed: true }, nullable: true },
  { name: 'updated_at', type: { kind: 'timestamp', unit: 'micros', utc: true }, nullable: true },
  { name: 'total', type: { kind: 'decimal', precision: 12, scale: 2 }, nullable: true },
  { name: 'status', type: { kind: 'string' }, nullable: true },
];
