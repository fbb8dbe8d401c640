// DuckDB's nested type names read back into the loader's types: the table DuckDB created from a
// column type reads back as that type, children and hostile field names included.
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeType } from '../../src/schema/evolve.js';
import type { Column, ColumnType } from '../../src/schema/parquet.js';
import { columnsSql, toColumns } from '../../src/warehouse/duckdb/duckdb-introspector.js';
import { DuckDBSqlCompiler } from '../../src/warehouse/duckdb/duckdb-sql-compiler.js';

const compiler = new DuckDBSqlCompiler();
let db: DuckDBInstance;
beforeAll(async () => {
  db = await DuckDBInstance.create(':memory:');
});
afterAll(() => db.closeSync());

const field = (name: string, type: ColumnType): Column => ({ name, type, nullable: true });
const int: ColumnType = { kind: 'int', bits: 32, signed: true };
const list = (element: ColumnType): ColumnType => ({
  kind: 'nested',
  shape: 'list',
  children: [field('element', element)],
});

describe('the DuckDB introspector', () => {
  it.each<[string, ColumnType]>([
    ['a list of lists', list(list({ kind: 'string' }))],
    [
      'a struct with hostile, spaced and quoted field names',
      {
        kind: 'nested',
        shape: 'struct',
        children: [
          field('a, b', int),
          field('x"); DROP TABLE t; --', list({ kind: 'decimal', precision: 12, scale: 2 })),
          field('When', { kind: 'timestamp', unit: 'micros', utc: true }),
        ],
      },
    ],
    [
      'a map of structs',
      {
        kind: 'nested',
        shape: 'map',
        children: [
          field('key', { kind: 'string' }),
          field('value', {
            kind: 'nested',
            shape: 'struct',
            children: [field('H', list({ kind: 'float', bits: 64 }))],
          }),
        ],
      },
    ],
  ])('reads back %s as created', async (_name, type) => {
    const connection = await db.connect();
    const table = `t_${Math.random().toString(36).slice(2, 8)}`;
    await connection.run(compiler.createTable(table, [field('v', type)]));
    const rows = (await connection.runAndReadAll(columnsSql(compiler, table))).getRowObjectsJson();
    connection.closeSync();
    const [column] = toColumns(rows);
    expect(describeType(column?.type as ColumnType)).toBe(describeType(type));
  });

  it('finds a table whatever the case of its name, as DuckDB does', async () => {
    const connection = await db.connect();
    await connection.run('CREATE TABLE "Events" (id INTEGER)');
    const rows = (await connection.runAndReadAll(columnsSql(compiler, 'events'))).getRowObjectsJson();
    connection.closeSync();
    expect(toColumns(rows).map((column) => column.name)).toEqual(['id']);
  });
});
