// The warehouses the suites run against: a DuckDB file, and a PostgreSQL schema of the test's own
// on 127.0.0.1:5432 (@lakeload/testkit/postgres).
import { join } from 'node:path';
import { createTestSchema } from '@lakeload/testkit/postgres';

export interface Backend {
  name: 'duckdb' | 'postgres';
  create(prefix: string, dir: string): Promise<{ url: string; drop(): Promise<void> }>;
}

export const BACKENDS: Backend[] = [
  {
    name: 'duckdb',
    create: async (_prefix, dir) => ({
      url: `duckdb:${join(dir, 'warehouse.duckdb')}`,
      drop: async () => {},
    }),
  },
  { name: 'postgres', create: (prefix) => createTestSchema(prefix) },
];
