// Events out of order, as SQS standard queues deliver them: an object overwritten before its first
// event is handled. The parts are wired by hand here (rehearse() delivers in upload order).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { createTestSchema, POSTGRES, type TestSchema } from '@lakeload/testkit/postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LOCAL_S3_CREDENTIALS,
  LocalQueue,
  type LocalS3,
  type LocalSns,
  loadLambdaHandler,
  type RedshiftDataEndpoint,
  startLocalS3,
  startLocalSns,
  startRedshiftDataEndpoint,
} from '../../src/index.js';

let dir: string;
let schema: TestSchema;
let s3: LocalS3;
let sns: LocalSns;
let endpoint: RedshiftDataEndpoint;
const saved = { ...process.env };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'out-of-order-'));
  schema = await createTestSchema('ooo');
  s3 = await startLocalS3({ buckets: ['lake'] });
  sns = await startLocalSns();
  endpoint = await startRedshiftDataEndpoint({
    connectionString: POSTGRES,
    s3: s3.objects,
    schema: schema.name,
  });
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_S3: s3.url,
    AWS_ENDPOINT_URL_REDSHIFT_DATA: endpoint.url,
    AWS_ENDPOINT_URL_SNS: sns.url,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: LOCAL_S3_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_S3_CREDENTIALS.secretAccessKey,
    LAKELOAD_WAREHOUSE_URL: 'redshift-data://workgroup/rehearsal/test',
    LAKELOAD_COPY_ROLE_ARN: 'arn:aws:iam::000000000000:role/copy',
    LAKELOAD_MANIFEST_PREFIX: 's3://lake/_lakeload/manifests/',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
});
afterAll(async () => {
  process.env = saved;
  await endpoint.close();
  await sns.close();
  await s3.close();
  await schema.drop();
  await rm(dir, { recursive: true, force: true });
});

describe('events out of order', () => {
  it('never brings back the rows of an overwritten object when its old event comes last', async () => {
    const key = 'year=2025/month=11/day=10/order_summary/orders.parquet';
    const events: string[] = [];
    s3.notify('lake', (body) => events.push(body), { suffix: '.parquet' });
    const duck = await DuckDBInstance.create(':memory:');
    const connection = await duck.connect();
    for (const version of [1, 2]) {
      const path = join(dir, `v${version}.parquet`);
      await connection.run(
        `COPY (SELECT CAST(range AS BIGINT) AS order_id, 'v${version}' AS status, TIMESTAMP '2025-11-10 10:00:00' + INTERVAL (${version}) HOUR AS updated_at FROM range(1, 4)) TO '${path}' (FORMAT parquet)`,
      );
      const put = await fetch(`${s3.url}/lake/${key.split('/').map(encodeURIComponent).join('/')}`, {
        method: 'PUT',
        body: await readFile(path),
      });
      expect(put.ok).toBe(true);
    }
    connection.closeSync();
    duck.closeSync();
    const [, first, second] = events;
    const queue = new LocalQueue({ batchSize: 1, maxReceiveCount: 2 });
    queue.send(second as string); // the overwrite's event first
    queue.send(first as string); // then the original upload's
    const { handler, release } = await loadLambdaHandler();
    try {
      await queue.drain(handler);
    } finally {
      await release();
    }
    const rows = await schema.admin.query(`SELECT DISTINCT status FROM ${schema.name}.order_summary`);
    expect(rows.rows).toEqual([{ status: 'v2' }]);
    const secondEtag = JSON.parse(second as string).Records[0].s3.object.eTag;
    const loaded = await schema.admin.query(
      `SELECT object_identity FROM ${schema.name}.lakeload_load_history WHERE status = 'loaded'`,
    );
    expect(loaded.rows).toEqual([{ object_identity: secondEtag }]);
  });
});
