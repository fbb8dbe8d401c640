// Shared by the tests: a PostgreSQL schema of a test's own, and polling a statement to its end.
import {
  DescribeStatementCommand,
  type DescribeStatementCommandOutput,
  type RedshiftDataClient,
} from '@aws-sdk/client-redshift-data';
import pg from 'pg';

export const POSTGRES = process.env.LAKELOAD_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestSchema {
  name: string;
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
    admin,
    drop: async () => {
      await admin.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
      await admin.end();
    },
  };
}

/** Polls DescribeStatement until the statement has ended, as a Data API client must. */
export async function waitFor(
  client: RedshiftDataClient,
  id: string,
): Promise<DescribeStatementCommandOutput> {
  for (let delay = 5; ; delay = Math.min(delay * 2, 100)) {
    const described = await client.send(new DescribeStatementCommand({ Id: id }));
    if (described.Status === 'FINISHED' || described.Status === 'FAILED' || described.Status === 'ABORTED') {
      return described;
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}
