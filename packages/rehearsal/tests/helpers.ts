// Shared by the tests: polling a statement to its end (the PostgreSQL schema helper is in
// @lakeload/testkit/postgres).
import {
  DescribeStatementCommand,
  type DescribeStatementCommandOutput,
  type RedshiftDataClient,
} from '@aws-sdk/client-redshift-data';

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
