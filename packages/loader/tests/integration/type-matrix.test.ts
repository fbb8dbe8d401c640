// The README's type matrix, checked row by row: a file of each Parquet type (written by DuckDB,
// hyparquet-writer or @dsnp/parquetjs, or taken from the shared corpus of other engines' files) is read by the footer
// reader, each dialect's column type or refusal is compared with the row's cells, and the file is
// loaded into DuckDB and PostgreSQL, every value compared with DuckDB's own reading of the file.
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { duckdbRows, fileFingerprint, fingerprint, printedSelect } from '@lakeload/testkit/fingerprint';
import { corpusFiles } from '@lakeload/testkit/parquet-corpus';
import { type MatrixRow, readMatrix, SOURCES, writeMatrixFile } from '@lakeload/testkit/parquet-matrix';
import { createTestSchema } from '@lakeload/testkit/postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localObject } from '../../src/events/local.js';
import { Loader } from '../../src/load.js';
import { type Column, fileSource, readParquetSchema } from '../../src/schema/parquet.js';
import type { Driver } from '../../src/warehouse/dialect.js';
import { duckdbWarehouse } from '../../src/warehouse/duckdb/duckdb-dialect.js';
import { DuckDBSqlCompiler } from '../../src/warehouse/duckdb/duckdb-sql-compiler.js';
import { postgresWarehouse } from '../../src/warehouse/postgres/postgres-dialect.js';
import { PostgresSqlCompiler } from '../../src/warehouse/postgres/postgres-sql-compiler.js';
import { RedshiftSqlCompiler } from '../../src/warehouse/redshift/redshift-sql-compiler.js';
import { type SqlCompiler, UnsupportedTypeError } from '../../src/warehouse/sql-compiler.js';

const compilers: Record<keyof MatrixRow['cells'], SqlCompiler> = {
  duckdb: new DuckDBSqlCompiler(),
  postgres: new PostgresSqlCompiler(),
  redshift: new RedshiftSqlCompiler(),
};

const matrix = await readMatrix(fileURLToPath(new URL('../../README.md', import.meta.url)));
const fileFor = (row: MatrixRow) => writeMatrixFile(row, dir);
let dir: string;
let writer: DuckDBInstance;

beforeAll(async () => {
  corpusFiles();
  dir = await mkdtemp(join(tmpdir(), 'lakeload-matrix-'));
  writer = await DuckDBInstance.create(':memory:');
});
afterAll(async () => {
  writer.closeSync();
  await rm(dir, { recursive: true, force: true });
});

async function columnOf(path: string, name: string): Promise<Column> {
  const source = await fileSource(path);
  const { columns } = await readParquetSchema(source).finally(() => source.close());
  const column = columns.find((candidate) => candidate.name === name);
  if (!column) throw new Error(`${path} has no column "${name}"`);
  return column;
}

/** `TYPE` in backticks is the column type; `refused: reason` is an UnsupportedTypeError saying it. */
function expectCell(compiler: SqlCompiler, column: Column, cell: string) {
  const refusal = /^refused: (.+)$/.exec(cell);
  if (refusal) {
    expect(() => compiler.columnType(column.type, column.name)).toThrow(UnsupportedTypeError);
    expect(() => compiler.columnType(column.type, column.name)).toThrow(refusal[1]);
    return;
  }
  expect(cell).toMatch(/^`.+`$/);
  expect(compiler.columnType(column.type, column.name)).toBe(cell.slice(1, -1));
}

describe('the README type matrix', () => {
  it('has a file for every row and a row for every file', () => {
    expect(matrix.map((row) => row.parquet).sort()).toEqual(Object.keys(SOURCES).sort());
  });

  it.each(matrix)('$parquet: each dialect maps it as the matrix says', async (row) => {
    const { key, column } = await fileFor(row);
    const type = await columnOf(join(dir, key), column);
    for (const dialect of ['duckdb', 'postgres', 'redshift'] as const) {
      expectCell(compilers[dialect], type, row.cells[dialect]);
    }
  });
});

describe.each([
  {
    name: 'duckdb' as const,
    open: async (root: string) => ({
      driver: await duckdbWarehouse({ path: join(root, 'warehouse.duckdb') }),
      cleanup: async () => {},
    }),
  },
  {
    name: 'postgres' as const,
    open: async () => {
      const schema = await createTestSchema('lakeload_matrix');
      return { driver: await postgresWarehouse({ connectionString: schema.url }), cleanup: schema.drop };
    },
  },
])('the README type matrix loaded into $name', (backend) => {
  let driver: Driver;
  let cleanup: () => Promise<void>;
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), `lakeload-matrix-${backend.name}-`));
    ({ driver, cleanup } = await backend.open(root));
  });
  afterAll(async () => {
    await driver.close();
    await cleanup();
    await rm(root, { recursive: true, force: true });
  });

  it.each(matrix)(
    "$parquet: two files load with DuckDB's values, or are refused as the cell says",
    async (row) => {
      const { folder, key } = await fileFor(row);
      // A second file of the same type into the same table: it must load against the table the first made.
      const again = `${folder}/part-1.parquet`;
      await copyFile(join(dir, key), join(dir, again));
      const loader = new Loader({ driver });
      const result = await loader.loadFile(await localObject(dir, key), join(dir, key));
      const refusal = /^refused: (.+)$/.exec(row.cells[backend.name]);
      if (refusal) {
        expect(result).toMatchObject({ status: 'failed' });
        expect('error' in result && result.error).toContain(refusal[1]);
        return;
      }
      expect([result.status, 'error' in result ? result.error : undefined]).toEqual(['loaded', undefined]);
      const second = await loader.loadFile(await localObject(dir, again), join(dir, again));
      expect([second.status, 'error' in second ? second.error : undefined]).toEqual(['loaded', undefined]);
      const source = await fileSource(join(dir, key));
      const { columns } = await readParquetSchema(source).finally(() => source.close());
      const connection = await writer.connect();
      await connection.run("SET TimeZone = 'UTC'");
      const expected = await fileFingerprint(duckdbRows(connection), driver.compiler, columns, [
        join(dir, key),
        join(dir, key),
      ]);
      connection.closeSync();
      const stored = await driver.query(
        printedSelect(backend.name, driver.compiler, columns, driver.compiler.quoteIdentifier(folder)),
      );
      expect(fingerprint(columns, stored)).toEqual(expected);
    },
  );
});
