// The warehouses the suites run against: a DuckDB file, and a PostgreSQL schema of the test's own
// on 127.0.0.1:5432 (created and dropped through the loader's own PostgreSQL dialect).
import { join } from 'node:path';
import { openWarehouse } from '@lakeload/loader';

export const POSTGRES = process.env.LAKELOAD_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface Backend {
  name: 'duckdb' | 'postgres';
  create(prefix: string, dir: string): Promise<{ url: string; drop(): Promise<void> }>;
}

async function postgresSchema(prefix: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = await openWarehouse(POSTGRES);
  try {
    await admin.runDdl([`CREATE SCHEMA ${admin.compiler.quoteIdentifier(name)}`]);
  } catch (error) {
    await admin.close();
    throw new Error(
      `PostgreSQL is needed at ${POSTGRES} (start it: pg_ctlcluster … main start): ${(error as Error).message}`,
    );
  }
  return {
    url: `${POSTGRES}?options=-c%20search_path%3D${name}`,
    drop: async () => {
      await admin.runDdl([`DROP SCHEMA IF EXISTS ${admin.compiler.quoteIdentifier(name)} CASCADE`]);
      await admin.close();
    },
  };
}

export const BACKENDS: Backend[] = [
  {
    name: 'duckdb',
    create: async (_prefix, dir) => ({
      url: `duckdb:${join(dir, 'warehouse.duckdb')}`,
      drop: async () => {},
    }),
  },
  { name: 'postgres', create: (prefix) => postgresSchema(prefix) },
];
