// The real warehouses an integration test loads into: DuckDB in a file under the test's folder,
// PostgreSQL in a schema of its own that cleanup drops.
import { join } from 'node:path';
import type { Engine } from '@lakeload/testkit/fingerprint';
import { createTestSchema } from '@lakeload/testkit/postgres';
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
