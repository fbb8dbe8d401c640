// A PostgreSQL schema of a test's own on the server the tests use, dropped when the test is done,
// so tests side by side (and engineers side by side) never see each other's tables.
import pg from 'pg';

/** The server the tests use: `$LAKELOAD_TEST_POSTGRES_URL`, else the local one (trust auth). */
export const POSTGRES = process.env.LAKELOAD_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A schema created for one test (or one file's tests). */
export interface TestSchema {
  /** `<prefix>_<pid>_<random>`: a plain lower-case identifier. */
  name: string;
  /** The server URL with this schema as the search path. */
  url: string;
  /** A connection outside the code under test, for setting up and checking. */
  admin: pg.Client;
  /** Drops the schema with everything in it and closes `admin`. */
  drop(): Promise<void>;
}

/** The server URL with `schema` as the search path (for a schema the code under test creates). */
export function schemaUrl(schema: string): string {
  return `${POSTGRES}?options=-c%20search_path%3D${schema}`;
}

/**
 * Creates a schema of the test's own on {@link POSTGRES}. Fails, saying how to start PostgreSQL,
 * when the server cannot be reached: a test that needs it never skips silently.
 */
export async function createTestSchema(prefix: string): Promise<TestSchema> {
  // The name goes unquoted into the search_path of `url`, so it must need no quoting anywhere.
  if (!/^[a-z_][a-z0-9_]*$/.test(prefix)) {
    throw new Error(`createTestSchema("${prefix}"): use lower-case letters, digits and _ for the prefix`);
  }
  const name = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: POSTGRES });
  await admin.connect().catch((error: Error) => {
    throw new Error(
      `PostgreSQL is needed at ${POSTGRES} (start it: pg_ctlcluster … main start): ${error.message}`,
    );
  });
  await admin.query(`CREATE SCHEMA ${admin.escapeIdentifier(name)}`).catch(async (error: Error) => {
    await admin.end();
    throw error;
  });
  return {
    name,
    url: schemaUrl(name),
    admin,
    drop: async () => {
      await admin.query(`DROP SCHEMA IF EXISTS ${admin.escapeIdentifier(name)} CASCADE`);
      await admin.end();
    },
  };
}
