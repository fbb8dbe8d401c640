// A PostgreSQL schema of a test's own on the server the tests use, dropped when the test is done.
import pg from 'pg';

export const POSTGRES = process.env.LAKELOAD_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestSchema {
  name: string;
  /** The server URL with this schema as the search path. */
  url: string;
  /** A connection outside the loader, for setting up and checking. */
  admin: pg.Client;
  drop(): Promise<void>;
}

export async function createTestSchema(prefix: string): Promise<TestSchema> {
  const name = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: POSTGRES });
  await admin.connect().catch((error: Error) => {
    throw new Error(
      `PostgreSQL is needed at ${POSTGRES} (start it: pg_ctlcluster … main start): ${error.message}`,
    );
  });
  await admin.query(`CREATE SCHEMA ${name}`);
  return {
    name,
    url: `${POSTGRES}?options=-c%20search_path%3D${name}`,
    admin,
    drop: async () => {
      await admin.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
      await admin.end();
    },
  };
}
