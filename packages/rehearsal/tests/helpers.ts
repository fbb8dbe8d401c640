// Shared by the tests: polling a statement to its end (the PostgreSQL schema helper is in
// @lakeload/testkit/postgres).
import {
  DescribeStatementCommand,
  type DescribeStatementCommandOutput,
  RedshiftDataClient,
} from '@aws-sdk/client-redshift-data';
import { S3Client } from '@aws-sdk/client-s3';
import { LOCAL_S3_CREDENTIALS, type LocalS3, type RedshiftDataEndpoint } from '../src/index.js';

/** SDK clients of the local Data API endpoint and the local S3 it COPYs from. */
export function localClients(
  endpoint: RedshiftDataEndpoint,
  s3: LocalS3,
): { data: RedshiftDataClient; storage: S3Client } {
  const credentials = { ...LOCAL_S3_CREDENTIALS };
  return {
    data: new RedshiftDataClient({ endpoint: endpoint.url, region: 'us-east-1', credentials }),
    storage: new S3Client({
      endpoint: s3.url,
      region: 'us-east-1',
      credentials,
      forcePathStyle: true,
      requestChecksumCalculation: 'WHEN_REQUIRED',
    }),
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
