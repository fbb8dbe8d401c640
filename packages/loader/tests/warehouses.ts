// The real warehouses an integration test loads into: DuckDB in a file under the test's folder,
// PostgreSQL in a schema of its own that cleanup drops; and what a loaded table must hold.
import { join } from 'node:path';
import type { DuckDBInstance } from '@duckdb/node-api';
import {
  duckdbRows,
  type Engine,
  fileFingerprint,
  fingerprint,
  printedSelect,
} from '@lakeload/testkit/fingerprint';
import { createTestSchema } from '@lakeload/testkit/postgres';
import { expect } from 'vitest';
import { fileSource, readParquetSchema } from '../src/schema/parquet.js';
import type { Driver } from '../src/warehouse/dialect.js';
import { duckdbWarehouse } from '../src/warehouse/duckdb/duckdb-dialect.js';
import { postgresWarehouse } from '../src/warehouse/postgres/postgres-dialect.js';

export interface Backend {
  name: Engine;
  open: (root: string) => Promise<{ driver: Driver; cleanup: () => Promise<void> }>;
}

/** DuckDB and PostgreSQL; `schemaPrefix` names the test's PostgreSQL schemas. */
export function realWarehouses(schemaPrefix: string): Backend[] {
  return [
    {
      name: 'duckdb',
      open: async (root) => ({
        driver: await duckdbWarehouse({ path: join(root, 'warehouse.duckdb') }),
        cleanup: async () => {},
      }),
    },
    {
      name: 'postgres',
      open: async () => {
        const schema = await createTestSchema(schemaPrefix);
        return { driver: await postgresWarehouse({ connectionString: schema.url }), cleanup: schema.drop };
      },
    },
  ];
}

/**
 * The table holds exactly what DuckDB (`reader`, an instance of the test's own) reads from these
 * files, column by column.
 */
export async function expectTableHolds(
  engine: Engine,
  driver: Driver,
  reader: DuckDBInstance,
  table: string,
  paths: readonly string[],
): Promise<void> {
  const source = await fileSource(paths[0] as string);
  const { columns } = await readParquetSchema(source).finally(() => source.close());
  const connection = await reader.connect();
  await connection.run("SET TimeZone = 'UTC'");
  const expected = await fileFingerprint(duckdbRows(connection), driver.compiler, columns, paths);
  connection.closeSync();
  const stored = await driver.query(
    printedSelect(engine, driver.compiler, columns, driver.compiler.quoteIdentifier(table)),
  );
  expect(fingerprint(columns, stored)).toEqual(expected);
}
